"""The media analysis (analysis.MediaAnalysis) as an XLSX workbook: a sheet per section and one
for the trend, counts as numbers and shares as the fractions they are (formatted 0.00 %,
enlace/core/xlsx.py), so the workbook agrees with the page and the PDF and analysts can compute
with it."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enlace.core.xlsx import fraction, header
from enlace.media.analysis import MediaAnalysis


def analysis_xlsx(analysis: MediaAnalysis) -> bytes:
    book = Workbook(write_only=True)
    summary: WriteOnlyWorksheet = book.create_sheet(_("Summary")[:31])
    header(summary, [_("Media monitoring analysis")])
    summary.append([_("From"), analysis.start])
    summary.append([_("To"), analysis.end])
    summary.append([_("News items"), analysis.total])

    columns = [_("News items"), _("Share"), _("Positive"), _("Neutral"), _("Negative")]
    for section in analysis.sections:
        sheet: WriteOnlyWorksheet = book.create_sheet(section.title[:31])
        header(sheet, [section.heading, *columns])
        for row in section.rows:
            sheet.append(
                [
                    row.label,
                    row.count,
                    fraction(sheet, row.percent),
                    row.positive,
                    row.neutral,
                    row.negative,
                ]
            )
        sheet.append(
            [
                _("Total"),
                analysis.total,
                fraction(sheet, "100") if section.rows else None,
                *(sum(row.tones[i] for row in section.rows) for i in range(3)),
            ]
        )

    by_week = analysis.trend_unit == "week"
    trend: WriteOnlyWorksheet = book.create_sheet(
        (_("Items by week") if by_week else _("Items by month"))[:31]
    )
    header(
        trend,
        [_("From"), _("Week") if by_week else _("Month"), _("News items"), *columns[2:]],
    )
    for bucket in analysis.trend:
        trend.append(
            [
                bucket.start,
                bucket.label,
                bucket.count,
                bucket.positive,
                bucket.neutral,
                bucket.negative,
            ]
        )

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
