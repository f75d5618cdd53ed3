"""Imports from the web: the upload is stored, a background task on the real database queue
reads it, the page follows its progress and shows what was wrong."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from django.utils.html import escape

from enlace.cases.models import Case
from enlace.imports.models import ImportJob, JobStatus
from enlace.imports.rows import COLUMNS, SPEC
from enlace.imports.tests.test_import_cases import BAD, GOOD, HEADER

# The task is enqueued on commit, so these tests commit; the serialized database is restored.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _media(media):
    """Every test here stores files: under a temporary media root (conftest.py)."""


def upload(client, lines, **data):
    content = ("\n".join([HEADER, *lines]) + "\n").encode()
    return client.post(
        "/importaciones/",
        {"file": SimpleUploadedFile("historia.csv", content, "text/csv"), **data},
    )


def work_the_queue():
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


def test_an_administrator_imports_a_file_and_follows_it(client_for, importer):
    client = client_for(importer)
    response = upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/importaciones/{job.pk}/"
    assert job.status == JobStatus.QUEUED
    waiting = client.get(f"/importaciones/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in waiting.content.decode()  # the page polls while queued
    work_the_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.rows, job.imported, job.rejected) == (3, 3, 0)
    assert Case.objects.filter(external_id__startswith="H-").count() == 3
    page = client.get(f"/importaciones/{job.pk}/").content.decode()
    assert "Casos importados" in page
    assert "every 1s" not in page  # finished: no more polling
    listing = client.get("/importaciones/").content.decode()
    assert "historia.csv" in listing


def test_a_file_with_errors_imports_nothing_and_says_why(client_for, importer):
    client = client_for(importer)
    upload(client, [*GOOD, *BAD])
    work_the_queue()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.REJECTED
    assert Case.objects.filter(external_id__startswith="H-").count() == 0
    page = client.get(f"/importaciones/{job.pk}/").content.decode()
    assert "no se importó nada" in page
    assert "citizen_dui" in page
    rejected = client.get(f"/importaciones/{job.pk}/rechazadas.csv")
    assert rejected.status_code == 200
    text = b"".join(rejected.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["external_id"] for row in rows] == ["B-1", "B-2", "B-3", "B-4", "B-5"]


def test_skip_invalid_from_the_web(client_for, importer):
    client = client_for(importer)
    upload(client, [*GOOD, *BAD], skip_invalid="on")
    work_the_queue()
    job = ImportJob.objects.get()
    assert (job.status, job.imported, job.rejected) == (JobStatus.DONE, 3, 5)
    assert job.rejected_file


def test_a_broken_file_is_rejected_with_its_reason(client_for, importer):
    client = client_for(importer)
    client.post(
        "/importaciones/",
        {"file": SimpleUploadedFile("libro.xlsx", b"PK\x03\x04garbage", "application/zip")},
    )
    work_the_queue()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.REJECTED
    assert "no es un libro XLSX válido" in job.problems[0][2]


def test_an_upload_over_the_limit_is_refused(client_for, importer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(client_for(importer), GOOD)
    assert response.status_code == 400
    assert "línea de comandos" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_roles_without_imports_are_refused(client_for, agent, liaison, resolution, analyst):
    for user in (agent, liaison, resolution, analyst):
        client = client_for(user)
        assert client.get("/importaciones/").status_code == 403
        assert upload(client, GOOD).status_code == 403
        assert client.get("/importaciones/plantilla.csv").status_code == 403
    assert not ImportJob.objects.exists()


def test_an_analyst_no_longer_imports_nor_sees_an_import(client_for, analyst, importer, admin_user):
    upload(client_for(importer), GOOD)
    job = ImportJob.objects.get()
    client = client_for(analyst)
    assert client.get("/importaciones/").status_code == 403
    assert client.get(f"/importaciones/{job.pk}/").status_code == 403
    assert client.get(f"/importaciones/{job.pk}/rechazadas.csv").status_code == 403
    assert client_for(admin_user).get(f"/importaciones/{job.pk}/").status_code == 200


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/importaciones/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/entrar/")


def test_the_template_is_a_valid_import(client_for, importer, tmp_path):
    response = client_for(importer).get("/importaciones/plantilla.csv")
    path = tmp_path / "plantilla.csv"
    path.write_bytes(response.content)
    call_command("import_cases", str(path))
    assert Case.objects.filter(external_id="HIST-2016-000001").exists()


def test_the_header_links_to_imports_only_for_importers(client_for, importer, agent):
    assert 'href="/importaciones/"' in client_for(importer).get("/casos/").content.decode()
    assert 'href="/importaciones/"' not in client_for(agent).get("/casos/").content.decode()


def test_the_page_explains_every_column_of_the_file(client_for, importer):
    """Each column of the import's own definition (rows.SPEC, whence the header comes): its
    name as the file spells it, whether it is required, what it holds and an example, in the
    page's language; the closed lists (kind, status) with their values."""
    html = client_for(importer).get("/importaciones/").content.decode()
    terms = re.findall(r'<dt id="columna-([a-z_]+)"><code>([a-z_]+)</code></dt>', html)
    assert [name for name, _code in terms] == list(COLUMNS)
    assert [code for _name, code in terms] == list(COLUMNS)
    definitions = re.findall(r"(?s)<dd>(.*?)</dd>", html)
    assert len(definitions) == len(SPEC)
    with translation.override("es"):
        for column, text in zip(SPEC, definitions, strict=True):
            assert escape(column.explanation()) in text
            assert escape(str(column.required)) in text
            assert f"<code>{escape(column.example)}</code>" in text
    assert "<li><code>consulta</code> (Consulta)</li>" in html
    assert "<li><code>closed</code> (Cerrado)</li>" in html
    assert "<code>merged</code>" not in html  # a merged case cannot be imported


def test_the_templates_example_row_is_the_columns_examples(client_for, importer):
    text = client_for(importer).get("/importaciones/plantilla.csv").content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS)
    row = dict(zip(header, example, strict=True))
    assert row["citizen_dui"] == "01234567-8"
    assert row["topic"] == ""  # the example is an opinion: no topic
