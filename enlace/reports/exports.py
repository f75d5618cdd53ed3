"""The reports as files.

The participation report as an XLSX workbook: one sheet per section, numbers as numbers
(percentages as fractions formatted 0.00 %, the very shares `participation_report()` computed),
so analysts can compute with them and the workbook agrees with the page and the PDF.

The deadline compliance table as XLSX or CSV: the rows the page shows (`deadline_compliance()`,
in the page's order), each column the page's, the centre's code first."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.cases.exports import csv_chunks, neutralise
from enlace.core.xlsx import fraction, header
from enlace.reports.compliance import COLUMNS as COMPLIANCE_COLUMNS
from enlace.reports.compliance import CentreCompliance
from enlace.reports.participation import (
    audience_text,
    centre_levels,
    media_header,
    social_header,
    type_columns,
)


def _section(book: Workbook, title: str, heading: str, rows: list[dict[str, Any]]) -> None:
    """A section: name, total and share per row; a row's channels follow it, indented by a
    column of their group's name."""
    sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
    nested = any("channels" in row for row in rows)
    header(
        sheet, [heading, _("Channel"), _("Total"), "%"] if nested else [heading, _("Total"), "%"]
    )
    for row in rows:
        if nested:
            sheet.append([row["name"], "", row["count"], fraction(sheet, row["percent"])])
            for sub in row["channels"]:
                sheet.append(
                    [row["name"], sub["name"], sub["count"], fraction(sheet, sub["percent"])]
                )
        else:
            sheet.append([row["name"], row["count"], fraction(sheet, row["percent"])])


def participation_xlsx(report: dict[str, Any]) -> bytes:
    opinions, inquiries = report["opinions"], report["inquiries"]
    book = Workbook(write_only=True)
    summary: WriteOnlyWorksheet = book.create_sheet(_("Summary")[:31])
    header(summary, [_("Period"), f"{report['period']['from']} - {report['period']['to']}"])
    summary.append([_("Opinions"), opinions["total"]])
    summary.append(
        [
            _("Opinions answered"),
            opinions["answered"]["count"],
            fraction(summary, opinions["answered"]["percent"]),
        ]
    )
    summary.append(
        [
            _("Complaints and claims"),
            opinions["complaints"]["count"],
            fraction(summary, opinions["complaints"]["percent"]),
        ]
    )
    summary.append([_("Inquiries"), inquiries["total"]])
    _section(book, _("Opinions by type"), _("Type"), opinions["by_type"])
    _section(
        book, _("Participation channels"), _("Participation channel"), opinions["by_channel_group"]
    )
    _section(book, _("Limitantes"), _("Limitante"), opinions["complaints"]["by_limitante"])
    _section(book, _("Opinions by level of care"), _("Level of care"), opinions["by_level_of_care"])
    levels = centre_levels(opinions)
    frequent: WriteOnlyWorksheet = book.create_sheet(_("Complaints by level")[:31])
    header(frequent, [_("Level of care"), _("Limitante"), _("Total")])
    for level in levels:
        for row in level["complaints"]:
            frequent.append([level["name"], row["name"], row["count"]])
    types = type_columns(opinions)
    centres: WriteOnlyWorksheet = book.create_sheet(_("Opinions by centre")[:31])
    header(
        centres,
        [_("Code"), _("Centre"), _("Level of care"), _("Total"), *(name for _c, name in types)],
    )
    for level in levels:
        for row in level["centres"]:
            centres.append(
                [
                    row["code"],
                    row["name"],
                    level["name"],
                    row["total"],
                    *(row["by_type"].get(code, 0) for code, _name in types),
                ]
            )
    _section(
        book, _("Inquiries and errands"), _("Reception channel"), inquiries["by_channel_group"]
    )
    _section(book, _("Most frequent inquiries"), _("Topic"), inquiries["topics"])
    social: WriteOnlyWorksheet = book.create_sheet(_("Social networks")[:31])
    header(social, social_header())
    for row in report["social_networks"]:
        social.append(
            [
                f"{row['network_name']} {row['handle']}",
                row["followers"],
                row["posts"],
                row["views"],
                audience_text(row["audience"]),
            ]
        )
    media: WriteOnlyWorksheet = book.create_sheet(_("Information media")[:31])
    header(media, media_header())
    for item in report["information_media"]:
        media.append(
            [item["name"], item["total"], item["in_offices"], item["in_centres"], item["centres"]]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Deadline compliance ----------------------------------------------------------------------
def _compliance_header() -> list[str]:
    return [_("Centre code"), *(str(column.label) for column in COMPLIANCE_COLUMNS)]


def _centre(row: CentreCompliance) -> str:
    return neutralise(row.name) if row.name else _("No centre")


def compliance_csv(rows: list[CentreCompliance]) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark, as the case list's): each figure written
    as the page prints it, an empty cell where the page shows a dash."""

    def text(value: Decimal | None) -> str:
        return "" if value is None else str(value)

    return b"".join(
        csv_chunks(
            _compliance_header(),
            (
                [
                    neutralise(row.code),
                    _centre(row),
                    row.answered,
                    row.in_time,
                    text(row.percent_in_time),
                    text(row.median_business_days),
                    row.open_overdue,
                ]
                for row in rows
            ),
        )
    )


def compliance_xlsx(rows: list[CentreCompliance], date_from: date, date_to: date) -> bytes:
    """The table as a workbook: the period, then the table; numbers as numbers, the share in
    time as the fraction it is (formatted 0.00 %)."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(_("Deadline compliance")[:31])
    header(sheet, [_("Period"), f"{date_from.isoformat()} - {date_to.isoformat()}"])
    sheet.append([])
    header(sheet, _compliance_header())
    for row in rows:
        median = row.median_business_days
        sheet.append(
            [
                neutralise(row.code),
                _centre(row),
                row.answered,
                row.in_time,
                None if row.percent_in_time is None else fraction(sheet, row.percent_in_time),
                None
                if median is None
                else (int(median) if median == median.to_integral() else float(median)),
                row.open_overdue,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
