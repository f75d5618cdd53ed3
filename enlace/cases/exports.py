"""The case list as a file: CSV or XLSX of the cases the list shows for the same filters, in the
same scope, however many there are.

Rows are read with `values_list(...).iterator()`, a chunk at a time (a server-side cursor on
PostgreSQL), and never held together: the CSV is streamed to the client as it is written; the
XLSX is written by openpyxl's write-only workbook (inline strings, no shared-string table) into
an anonymous temporary file, which is streamed back and disappears when the response closes.

A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a
carriage return) is written with an apostrophe before it, in both formats."""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.accounts.models import User
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, Priority
from enlace.cases.personal import sees_personal_data
from enlace.cases.queries import CaseFilters, filter_cases, visible_cases
from enlace.cases.rules import format_phone, format_tracking_code
from enlace.directory.models import LevelOfCare
from enlace.privacy import masking
from enlace.privacy.access import record_query
from enlace.privacy.models import AccessVia

# Who exported what: one line per export started and one when it is finished (or abandoned).
audit = logging.getLogger("enlace.audit")

CHUNK_SIZE = 2000  # rows fetched per round trip to the database
CSV_FLUSH_BYTES = 64 * 1024  # the CSV is sent in pieces of about this size
XLSX_CELL_LIMIT = 32_767  # characters Excel accepts in one cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# (header, the column read by values_list, the width of the XLSX column). The values are
# turned into what a person reads by `_Row` below; keep both in the same order.
COLUMNS: tuple[tuple[StrOrPromise, str, int], ...] = (
    (gettext_lazy("Tracking code"), "tracking_code", 13),
    (gettext_lazy("Kind"), "kind", 10),
    (gettext_lazy("Received at"), "received_at", 18),
    (gettext_lazy("Channel"), "channel__name", 18),
    (gettext_lazy("Opinion type"), "opinion_type__name", 14),
    (gettext_lazy("Topic"), "topic__name", 24),
    (gettext_lazy("Centre code"), "dependency__code", 10),
    (gettext_lazy("Centre"), "dependency__name", 32),
    (gettext_lazy("Level of care"), "level_of_care", 18),
    (gettext_lazy("Limitante"), "limitante__name", 24),
    (gettext_lazy("Status"), "status", 16),
    (gettext_lazy("Priority"), "priority", 9),
    (gettext_lazy("Closed at"), "closed_at", 18),
    (gettext_lazy("Next due date"), "next_due_on", 12),
    (gettext_lazy("Name"), "citizen_name", 28),
    (gettext_lazy("DUI"), "citizen_dui", 12),
    (gettext_lazy("Phone"), "citizen_phone", 12),
    (gettext_lazy("Email"), "citizen_email", 28),
    (gettext_lazy("Description"), "description", 80),
)
FIELDS = tuple(field for _header, field, _width in COLUMNS)


def export_queryset(user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The cases of the list for these filters, in the user's scope and in the list's order:
    the list's own queryset (visible_cases, filter_cases)."""
    return filter_cases(visible_cases(user), filters).order_by("-received_at", "-id")


def headers() -> list[str]:
    return [str(header) for header, _field, _width in COLUMNS]


def neutralise(text: str) -> str:
    """Plain text for a spreadsheet: without the control characters XLSX cannot hold, and with
    a leading apostrophe when a spreadsheet would take it for a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Row:
    """Turns a values_list row into the cells of the file. Labels and the time zone are read
    when it is made, in the request (the CSV's rows are written later, as the response is
    streamed, perhaps when the request's language and time zone are no longer active)."""

    def __init__(self, *, personal: bool = True) -> None:
        self.personal = personal
        self.kinds = {value: str(label) for value, label in CaseKind.choices}
        self.statuses = {value: str(label) for value, label in CaseStatus.choices}
        self.priorities = {value: str(label) for value, label in Priority.choices}
        self.levels = {value: str(label) for value, label in LevelOfCare.choices}
        self.tz: tzinfo = timezone.get_current_timezone()

    def local(self, moment: datetime | None) -> datetime | None:
        """A local wall-clock time without a zone: what a spreadsheet can hold."""
        if moment is None:
            return None
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def __call__(self, values: tuple[Any, ...]) -> list[Any]:
        (
            code,
            kind,
            received_at,
            channel,
            opinion_type,
            topic,
            centre_code,
            centre,
            level,
            limitante,
            status,
            priority,
            closed_at,
            next_due_on,
            name,
            dui,
            phone,
            email,
            description,
        ) = values
        if not self.personal:  # figures, not identities: masked, and no free text
            name, dui = masking.name(name), masking.dui(dui)
            phone, email, description = masking.phone(phone), masking.email(email), ""
        return [
            format_tracking_code(code),
            self.kinds.get(kind, kind),
            self.local(received_at),
            neutralise(channel),
            neutralise(opinion_type or ""),
            neutralise(topic or ""),
            neutralise(centre_code or ""),
            neutralise(centre or ""),
            self.levels.get(level, level),
            neutralise(limitante or ""),
            self.statuses.get(status, status),
            self.priorities.get(priority, priority),
            self.local(closed_at),
            next_due_on,
            neutralise(name),
            dui,
            neutralise(format_phone(phone) if self.personal else phone),  # +503... kept abroad
            neutralise(email),
            neutralise(description),
        ]


def export_rows(
    queryset: QuerySet[Case], *, chunk_size: int = CHUNK_SIZE, personal: bool = True
) -> Iterator[list[Any]]:
    """The rows of the export, one list of cells per case, read `chunk_size` at a time. The
    labels are resolved now; the rows are read as the iterator is consumed. Without
    `personal`, the citizen is masked and the description left out."""
    row = _Row(personal=personal)
    values = queryset.values_list(*FIELDS).iterator(chunk_size=chunk_size)
    return (row(found) for found in values)


# --- CSV --------------------------------------------------------------------------------------
def csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads the accents right), in pieces of about
    CSV_FLUSH_BYTES. Dates and times as 2025-03-14 and 2025-03-14 09:30:00."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value
                for value in row
            ]
        )
        if buffer.tell() >= CSV_FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_csv(header: list[str], rows: Iterable[list[Any]], target: IO[bytes]) -> None:
    for chunk in csv_chunks(header, rows):
        target.write(chunk)


# --- XLSX -------------------------------------------------------------------------------------
def _xlsx_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # dates, times and numbers stay what they are
    return value[:XLSX_CELL_LIMIT] if value else None


def write_xlsx(header: list[str], rows: Iterable[list[Any]], target: IO[bytes]) -> int:
    """One sheet, the header in bold and frozen, dates as dates. Returns the rows written."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(_("Cases"))
    for index, (_header, _field, width) in enumerate(COLUMNS, start=1):
        # Set before the first row, as write-only mode requires (the stubs omit the attribute).
        sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    written = 0
    try:
        for row in rows:
            sheet.append([_xlsx_text(value) for value in row])
            written += 1
        book.save(target)
    except BaseException:
        _discard(sheet)
        raise
    return written


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Remove the sheet's temporary file (a gigabyte at a million rows) after a failure: openpyxl
    removes it when the workbook is saved, else only when the process exits."""
    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return
    with contextlib.suppress(Exception):
        sheet.close()  # ends the rows being written and closes the file
    with contextlib.suppress(OSError, ValueError):
        writer.cleanup()


# --- The responses ----------------------------------------------------------------------------
def _filename(export_format: ExportFormat) -> str:
    return f"casos-{timezone.localtime():%Y%m%d-%H%M}.{export_format}"


def export_response(
    user: User, filters: CaseFilters, export_format: ExportFormat, *, described: str = ""
) -> StreamingHttpResponse:
    """The file of the cases `user` sees with `filters`, logged to the audit log with
    `described` (the filters as the request gave them). With their personal data only for a
    role that sees it, and then every case exported is in the access log (one INSERT ...
    SELECT of the same query)."""
    queryset = export_queryset(user, filters)
    personal = sees_personal_data(user)
    if personal:
        record_query(user, AccessVia.EXPORT, queryset)
    audit.info(
        "case export started: user=%s (id %s, role %s) format=%s filters=%r",
        user.username,
        user.pk,
        user.role,
        export_format,
        described,
    )
    if export_format == ExportFormat.XLSX:
        return _xlsx_response(user, queryset, personal=personal)
    return _csv_response(user, queryset, personal=personal)


def _finished(user: User, export_format: ExportFormat, rows: int, started: float) -> None:
    audit.info(
        "case export finished: user=%s (id %s) format=%s rows=%d seconds=%.1f",
        user.username,
        user.pk,
        export_format,
        rows,
        time.monotonic() - started,
    )


def _csv_response(user: User, queryset: QuerySet[Case], *, personal: bool) -> StreamingHttpResponse:
    started = time.monotonic()
    header = headers()
    rows = export_rows(queryset, personal=personal)

    def counted() -> Iterator[list[Any]]:
        written = 0
        try:
            for row in rows:
                yield row
                written += 1
        except GeneratorExit:
            audit.info(
                "case export abandoned: user=%s (id %s) format=csv after %d rows",
                user.username,
                user.pk,
                written,
            )
            raise
        _finished(user, ExportFormat.CSV, written, started)

    response = StreamingHttpResponse(
        csv_chunks(header, counted()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(ExportFormat.CSV)}"'
    return response


def _xlsx_response(user: User, queryset: QuerySet[Case], *, personal: bool) -> FileResponse:
    started = time.monotonic()
    # Anonymous: already unlinked on POSIX (deleted on close elsewhere), so closing the
    # response, or the process ending, removes it.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        written = write_xlsx(headers(), export_rows(queryset, personal=personal), target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    _finished(user, ExportFormat.XLSX, written, started)
    return FileResponse(
        target,
        as_attachment=True,
        filename=_filename(ExportFormat.XLSX),
        content_type=XLSX_CONTENT_TYPE,
    )
