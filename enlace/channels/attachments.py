"""Attachments: the type is what the content is, not what the name says; the size is capped.

A photo of a prescription, a PDF of a referral, a voice note: accepted. An executable renamed
`foto.jpg`, an HTML page, anything over `ATTACHMENT_MAX_BYTES`: refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Container

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from enlace.channels.models import Attachment, InboundMessage
from enlace.core.errors import BusinessError

# Content types accepted, each with the extension it is stored and served under.
ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",  # WhatsApp voice notes
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "video/mp4": "mp4",
}


def sniff(content: bytes, allowed: Container[str] = ALLOWED) -> str | None:
    """The content type the bytes are, among the `allowed` ones; None for anything else,
    whatever a file's name says."""
    kind = filetype.guess(content)
    if kind is None:
        return None
    mime = str(kind.mime)
    if mime == "audio/x-m4a":
        mime = "audio/mp4"
    return mime if mime in allowed else None


def check(content: bytes, name: str) -> str:
    """The accepted content type of an attachment, or BusinessError in the user's language."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise BusinessError(
            _("%(name)s is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="attachment_size",
            field="attachments",
        )
    if not content:
        raise BusinessError(_("%(name)s is empty.") % {"name": name}, field="attachments")
    content_type = sniff(content)
    if content_type is None:
        raise BusinessError(
            _("%(name)s is not a photo, a PDF or an audio or video recording.") % {"name": name},
            code="attachment_type",
            field="attachments",
        )
    return content_type


def store(
    content: bytes, name: str, *, message: InboundMessage | None = None, case_id: int | None = None
) -> Attachment:
    """Check and save one attachment (call `check` first where a refusal must reach a form)."""
    content_type = check(content, name)
    attachment = Attachment(
        message=message,
        case_id=case_id,
        name=name[:255] or "adjunto",
        content_type=content_type,
        size=len(content),
        sha256=Attachment.digest(content),
    )
    attachment.file.save(
        f"{attachment.sha256}.{ALLOWED[content_type]}", ContentFile(content), False
    )
    attachment.save()
    return attachment


def keep(
    content: bytes, name: str, *, message: InboundMessage, case_id: int, refusals: list[str]
) -> Attachment | None:
    """Store a file a citizen sent on their case; a refused one (its type, its size) is added
    to `refusals` instead, and never stops the message itself from being registered."""
    try:
        return store(content, name, message=message, case_id=case_id)
    except BusinessError as error:
        refusals.append(str(error))
        return None


def refusal_note(refusals: list[str]) -> str:
    """What the case's history says of the files that were not kept ("" when none was): every
    channel records it the same way, as a note of its own on a new case, or at the end of the
    citizen's message on a reply."""
    if not refusals:
        return ""
    if len(refusals) == 1:
        return _("An attachment sent by the citizen was refused: %(reason)s") % {
            "reason": refusals[0]
        }
    return _("Attachments not kept:") + "\n" + "\n".join(f"- {line}" for line in refusals)
