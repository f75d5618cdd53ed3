"""The units' files and the resolutions' PDFs live in the default storage: the migration moves
what the database held there (and back), and new ones are written there."""

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("oir", "0002_reminders_and_work_order")]
AFTER = [("oir", "0003_files_in_storage")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_migration_moves_the_bytes_to_storage_and_back(register):
    request = register()
    old = migrate(BEFORE)
    try:
        item = old.get_model("oir", "RequestItem").objects.filter(request_id=request.pk).first()
        old.get_model("oir", "RequestItem").objects.filter(pk=item.pk).update(
            unit_file_name="Informe de Ana.DOCX"
        )
        old_item = old.get_model("oir", "RequestItem")
        old_item.objects.filter(pk=item.pk).update(unit_file=b"PK\x03\x04 the unit's file")
        old.get_model("oir", "ResolutionDocument").objects.create(
            request_id=request.pk, pdf=b"%PDF-1.4 the resolution"
        )
        new = migrate(AFTER)
        stored_item = new.get_model("oir", "RequestItem").objects.get(pk=item.pk)
        assert stored_item.unit_file.name.startswith(f"oir/unit-files/{request.pk}/")
        assert stored_item.unit_file.name.endswith(".docx")
        with default_storage.open(stored_item.unit_file.name) as handle:
            assert handle.read() == b"PK\x03\x04 the unit's file"
        document = new.get_model("oir", "ResolutionDocument").objects.get(request_id=request.pk)
        with default_storage.open(document.pdf.name) as handle:
            assert handle.read() == b"%PDF-1.4 the resolution"

        back = migrate(BEFORE)
        item_back = back.get_model("oir", "RequestItem").objects.get(pk=item.pk)
        assert bytes(item_back.unit_file) == b"PK\x03\x04 the unit's file"
        document_back = back.get_model("oir", "ResolutionDocument").objects.get(
            request_id=request.pk
        )
        assert bytes(document_back.pdf) == b"%PDF-1.4 the resolution"
    finally:
        # Every app back to its latest migration: going back to oir 0002 also unapplied the
        # migrations of other apps that depend on oir 0003 (the notifications').
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())


def test_stored_names_say_nothing_of_the_original():
    from enlace.oir.models import RequestItem, unit_file_path

    item = RequestItem(request_id=7)
    name = unit_file_path(item, "Expediente de Ana Pérez 04567890-1.PDF")
    assert name.startswith("oir/unit-files/7/")
    assert name.endswith(".pdf")
    assert "Ana" not in name
    assert "04567890" not in name
    assert unit_file_path(item, "x.tar.gz;rm -rf").count(".") == 0
    assert default_storage.generate_filename(name) == name
