"""Evidence of an event (photos, documents): its type is what its content is, not its name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from enlace.channels.attachments import check
from enlace.core.errors import BusinessError

EVIDENCE_TYPES = ("image/", "application/pdf")


def checked_evidence(upload: UploadedFile[Any]) -> str:
    """The content type of a photo or PDF of an event, or BusinessError naming the file."""
    name = upload.name or _("The file")
    content = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
    upload.seek(0)
    content_type = check(content, name)
    if not content_type.startswith(EVIDENCE_TYPES):
        raise BusinessError(
            _("%(name)s is not a photo or a PDF document.") % {"name": name}, field="file"
        )
    return content_type
