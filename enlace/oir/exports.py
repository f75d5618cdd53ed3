"""The OIR statistics as an XLSX workbook: one sheet per section, numbers as numbers."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from enlace.oir.statistics import labels


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title[:31])
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append(row)


def statistics_xlsx(report: dict[str, Any]) -> bytes:
    names = labels()
    requests, items = report["requests"], report["items"]
    times, appeals = report["answer_time"], report["appeals"]
    book = Workbook(write_only=True)
    period = f"{report['period']['from']} - {report['period']['to']}"
    _sheet(
        book,
        _("Summary"),
        [_("Period"), period],
        [
            [_("Requests received"), requests["received"]],
            [_("Items"), items["total"]],
            [_("Items decided"), items["decided"]],
            [_("Extended"), requests["extended"]],
            [_("Information more than five years old"), requests["old_information"]],
            [_("Resolved in the period"), times["resolved"]],
            [_("Resolved within the legal deadline"), times["resolved_in_time"]],
            [_("Notified in the period"), report["notification"]["notified"]],
            [_("Appeals and complaints filed"), appeals["filed"]],
        ],
    )
    _sheet(
        book,
        _("Outcomes"),
        [_("Outcome"), _("Items")],
        [[names["outcome"][k], n] for k, n in items["by_outcome"].items()],
    )
    _sheet(
        book,
        _("Time to answer"),
        [_("Rule"), _("Resolved"), _("Average business days"), _("Median business days")],
        [
            [label, times[key]["resolved"], times[key]["average_business_days"],
             times[key]["median_business_days"]]
            for key, label in (
                ("ten_days", _("10 business days")),
                ("old_information", _("More than five years old (20 days)")),
                ("all", _("All")),
            )
        ],
    )  # fmt: skip
    for key, title, group in (
        ("by_channel", _("Channel"), "channel"),
        ("by_person_type", _("Person"), "person_type"),
        ("by_gender", _("Gender"), "gender"),
        ("by_status", _("Status"), "status"),
    ):
        _sheet(
            book,
            title,
            [title, _("Requests")],
            [[names[group][k], n] for k, n in requests[key].items()],
        )
    _sheet(
        book,
        _("Notification"),
        [_("Medium"), _("Requests")],
        [[names["medium"][k], n] for k, n in report["notification"]["by_medium"].items()],
    )
    rows = []
    for kind, results in appeals["results"].items():
        for outcome, n in results.items():
            rows.append([names["appeal_kind"][kind], names["appeal_outcome"][outcome], n])
    _sheet(book, _("Appeals"), [_("Kind"), _("Result"), _("Count")], rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
