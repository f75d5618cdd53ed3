"""The participation report as an XLSX workbook: one sheet per section, numbers as numbers
(percentages as fractions formatted 0.00 %), so analysts can compute with them."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.catalogues.models import Channel, OpinionType
from enlace.directory.models import LevelOfCare
from enlace.reports.participation import percentages

PERCENT = "0.00%"


def _sheet(
    book: Workbook, title: str, header: list[str], rows: list[list[Any]], *, share: bool = True
) -> None:
    """A section: its header in bold, its rows, and (with `share`) a percentage column of the
    second column's counts that adds up to 100.00 %."""
    sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
    bold = Font(bold=True)
    cells = []
    for text in [*header, "%"] if share else header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    shares = percentages([row[1] for row in rows]) if share else []
    for index, row in enumerate(rows):
        if share:
            cell = WriteOnlyCell(sheet, value=float(shares[index] / Decimal(100)))
            cell.number_format = PERCENT
            sheet.append([*row, cell])
        else:
            sheet.append(row)


def participation_xlsx(report: dict[str, Any]) -> bytes:
    opinions, inquiries = report["opinions"], report["inquiries"]
    types = dict(OpinionType.objects.values_list("code", "name"))
    channels = dict(Channel.objects.values_list("code", "name"))
    levels = {code: str(label) for code, label in LevelOfCare.choices}
    book = Workbook(write_only=True)
    period = f"{report['period']['from']} - {report['period']['to']}"
    _sheet(
        book,
        _("Summary"),
        [_("Period"), period],
        [[_("Opinions"), opinions["total"]], [_("Inquiries"), inquiries["total"]]],
        share=False,
    )
    _sheet(
        book,
        _("Opinions by type"),
        [_("Type"), _("Total")],
        [[types.get(code, code), n] for code, n in opinions["by_type"].items()],
    )
    _sheet(
        book,
        _("Channels"),
        [_("Channel"), _("Total")],
        [[channels.get(code, code), n] for code, n in opinions["by_channel"].items()],
    )
    _sheet(
        book,
        _("Limitantes"),
        [_("Limitante"), _("Total")],
        [[row["name"], row["count"]] for row in opinions["limitantes"]],
    )
    _sheet(
        book,
        _("Opinions by level of care"),
        [_("Level of care"), _("Total")],
        [[levels.get(code, code), n] for code, n in opinions["by_level_of_care"].items()],
    )
    type_codes = list(types)
    _sheet(
        book,
        _("Opinions by centre"),
        [_("Code"), _("Centre"), _("Level of care"), _("Total"), *(types[c] for c in type_codes)],
        [
            [
                row["code"],
                row["name"],
                levels.get(row["level_of_care"], row["level_of_care"]),
                row["total"],
                *(row["by_type"].get(code, 0) for code in type_codes),
            ]
            for row in opinions["by_dependency"]
        ],
        share=False,
    )
    _sheet(
        book,
        _("Inquiries and errands"),
        [_("Reception channel"), _("Total")],
        [[row["group"], row["total"]] for row in inquiries["by_channel_group"]],
    )
    _sheet(
        book,
        _("Most frequent inquiries"),
        [_("Topic"), _("Total")],
        [[row["name"], row["count"]] for row in inquiries["topics"]],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
