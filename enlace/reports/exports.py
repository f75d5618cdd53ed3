"""The participation report as an XLSX workbook: one sheet per section, numbers as numbers
(percentages as fractions formatted 0.00 %, the very shares `participation_report()` computed),
so analysts can compute with them and the workbook agrees with the page and the PDF."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.core.xlsx import fraction, header
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
