"""The units' files and the resolutions' PDFs move from the database (BinaryField) to the
default storage (FileField): MEDIA_ROOT, or object storage where a deployment configures it.
Each row's bytes are written to the storage under a new name and the column keeps that name;
the reverse reads them back."""

import re
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import enlace.oir.models


def _unit_name(item_request_id, filename):
    extension = Path(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
        extension = ""
    return f"oir/unit-files/{item_request_id}/{uuid.uuid4().hex}{extension}"


def to_storage(apps, schema_editor):
    RequestItem = apps.get_model("oir", "RequestItem")
    ResolutionDocument = apps.get_model("oir", "ResolutionDocument")
    items = RequestItem.objects.filter(unit_file_bytes__isnull=False).only(
        "pk", "request_id", "unit_file_name", "unit_file_bytes"
    )
    for item in items.iterator(chunk_size=100):
        name = default_storage.save(
            _unit_name(item.request_id, item.unit_file_name),
            ContentFile(bytes(item.unit_file_bytes)),
        )
        RequestItem.objects.filter(pk=item.pk).update(unit_file=name)
    documents = ResolutionDocument.objects.only("pk", "request_id", "pdf_bytes")
    for document in documents.iterator(chunk_size=100):
        name = default_storage.save(
            f"oir/resolutions/{document.request_id}/{uuid.uuid4().hex}.pdf",
            ContentFile(bytes(document.pdf_bytes)),
        )
        ResolutionDocument.objects.filter(pk=document.pk).update(pdf=name)


def to_database(apps, schema_editor):
    RequestItem = apps.get_model("oir", "RequestItem")
    ResolutionDocument = apps.get_model("oir", "ResolutionDocument")
    for item in RequestItem.objects.exclude(unit_file="").iterator(chunk_size=100):
        with default_storage.open(item.unit_file.name, "rb") as stored:
            RequestItem.objects.filter(pk=item.pk).update(unit_file_bytes=stored.read())
    for document in ResolutionDocument.objects.iterator(chunk_size=100):
        with default_storage.open(document.pdf.name, "rb") as stored:
            ResolutionDocument.objects.filter(pk=document.pk).update(pdf_bytes=stored.read())


class Migration(migrations.Migration):
    dependencies = [("oir", "0002_reminders_and_work_order")]

    operations = [
        migrations.RenameField("requestitem", "unit_file", "unit_file_bytes"),
        migrations.RenameField("resolutiondocument", "pdf", "pdf_bytes"),
        migrations.AlterField(
            "resolutiondocument",
            "pdf_bytes",
            models.BinaryField(editable=False, null=True),
        ),
        migrations.AddField(
            "requestitem",
            "unit_file",
            models.FileField(
                blank=True,
                editable=False,
                max_length=200,
                upload_to=enlace.oir.models.unit_file_path,
            ),
        ),
        migrations.AddField(
            "resolutiondocument",
            "pdf",
            models.FileField(
                default="",
                editable=False,
                max_length=200,
                upload_to=enlace.oir.models.resolution_path,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(to_storage, to_database, elidable=True),
        migrations.RemoveField("requestitem", "unit_file_bytes"),
        migrations.RemoveField("resolutiondocument", "pdf_bytes"),
    ]
