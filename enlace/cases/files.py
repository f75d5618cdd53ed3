"""Files the staff attach to an answer or a proposal (`CaseFile`).

The type is what the content is, never what the name says: a PDF, a photo or an office
document, which a citizen can open; anything else is refused, and so is a file larger than a
citizen's attachments may be (`settings.ATTACHMENT_MAX_BYTES`) or more than `MAX_FILES` at
once. The actions that take files (`do_answer_case`, `do_propose_answer`) check them before
they write anything, then store them with the history row they came with, in its transaction.
The answer's e-mail carries them (`answer_files`, registered by the notifications)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, CaseEvent, CaseFile, EventKind
from enlace.core.errors import BusinessError

# Content types accepted, each with the extension it is stored and served under.
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
}
# What the browser's file picker offers first (the content decides, not this).
ACCEPT = ",".join(sorted({f".{extension}" for extension in ALLOWED.values()} | {".jpeg"}))
# Files on one answer or proposal: an e-mail with more is one few mailboxes take.
MAX_FILES = 5
FIELD = "files"


@dataclass(frozen=True)
class Upload:
    """A file as it was sent: its name and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Checked:
    name: str
    content: bytes
    content_type: str  # as sniffed

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(content: bytes) -> str | None:
    """The accepted content type the bytes are; None for anything else."""
    kind = filetype.guess(content)
    mime = str(kind.mime) if kind is not None else ""
    return mime if mime in ALLOWED else None


def too_large(name: str) -> BusinessError:
    limit = settings.ATTACHMENT_MAX_BYTES
    return BusinessError(
        _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)},
        code="attachment_size",
        field=FIELD,
    )


def check(uploads: Sequence[Upload]) -> list[Checked]:
    """The files, each with its type, or BusinessError (about the field `files`, in the
    user's language) for the first one refused."""
    if len(uploads) > MAX_FILES:
        raise BusinessError(
            _("Attach at most %(count)s files.") % {"count": MAX_FILES},
            code="attachment_count",
            field=FIELD,
        )
    checked = []
    for upload in uploads:
        name = upload.name.replace("/", "_").replace("\\", "_").strip()[:255] or _("file")
        if len(upload.content) > settings.ATTACHMENT_MAX_BYTES:
            raise too_large(name)
        if not upload.content:
            raise BusinessError(_("%(name)s is empty.") % {"name": name}, field=FIELD)
        content_type = sniff(upload.content)
        if content_type is None:
            raise BusinessError(
                _("%(name)s is not a PDF, a photo or an office document.") % {"name": name},
                code="attachment_type",
                field=FIELD,
            )
        checked.append(Checked(name, upload.content, content_type))
    return checked


def store(
    case: Case, event: CaseEvent, files: Iterable[Checked], *, acting_user: User | None
) -> list[CaseFile]:
    """Save checked files with the event they came with (inside the action's transaction)."""
    stored = []
    for item in files:
        case_file = CaseFile(
            case=case,
            event=event,
            name=item.name,
            content_type=item.content_type,
            size=len(item.content),
            sha256=item.sha256,
            uploaded_by=acting_user,
        )
        case_file.file.save(
            f"{case_file.sha256}.{ALLOWED[item.content_type]}", ContentFile(item.content), False
        )
        case_file.save()
        stored.append(case_file)
    return stored


def send_again(case: Case, event: CaseEvent, files: Iterable[CaseFile]) -> list[CaseFile]:
    """The files of an earlier row (a proposal's) carried by `event` too (the answer that
    approves it): new rows, the same stored files."""
    copies = [
        CaseFile(
            case=case,
            event=event,
            file=original.file.name,
            name=original.name,
            content_type=original.content_type,
            size=original.size,
            sha256=original.sha256,
            uploaded_by_id=original.uploaded_by_id,
        )
        for original in files
    ]
    return CaseFile.objects.bulk_create(copies)


def check_own(case: Case, files: Iterable[CaseFile]) -> None:
    """Files sent again must be the case's own."""
    if any(original.case_id != case.pk for original in files):
        raise BusinessError(_("That file is not one of this case's."), field="proposal_files")


def proposal_files(case: Case) -> list[CaseFile]:
    """The files of the proposal the case waits on (none unless an answer is proposed)."""
    if case.status != CaseStatus.ANSWER_PROPOSED:
        return []
    latest = (
        CaseEvent.objects.filter(case=case, kind=EventKind.ANSWER_PROPOSED)
        .order_by("-at", "-id")
        .values("id")[:1]
    )
    return list(CaseFile.objects.filter(case=case, event_id__in=latest).order_by("id"))


def answer_files(case: Case, *, at: datetime | None = None) -> list[tuple[str, bytes, str]]:
    """What the e-mail with the case's answer carries: the files of the answer given last (at
    `at` or before, when said: the moment the e-mail was queued), as (name, bytes, content
    type). An answer given on closing carries none."""
    answers = CaseEvent.objects.filter(case=case, kind__in=(EventKind.ANSWERED, EventKind.CLOSED))
    if at is not None:
        answers = answers.filter(at__lte=at)
    latest = answers.order_by("-at", "-id").values("id")[:1]
    found = []
    for case_file in CaseFile.objects.filter(case=case, event_id__in=latest).order_by("id"):
        with case_file.file.open("rb") as handle:
            found.append((case_file.name, handle.read(), case_file.content_type))
    return found


def erase_for_cases(case_ids: Sequence[int]) -> int:
    """The staff's files of erased cases (data protection: a case eraser), their stored bytes
    too; how many rows went."""
    erased = 0
    for case_file in CaseFile.objects.filter(case_id__in=case_ids):
        case_file.file.delete(save=False)  # a copy's file may be gone already: no matter
        case_file.delete()
        erased += 1
    return erased
