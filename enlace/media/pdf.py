"""The media analysis (analysis.MediaAnalysis) as a PDF on the house document
(enlace/core/pdf.py): the period and its total, a chart of the trend, and a figure table per
section, printing the figures as computed, so the page, the workbook and the PDF agree.

`media_report_pdf(start, end)` is the whole report for a period, for whoever sends it on a
schedule (in the language active when it is called)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import (  # type: ignore[import-untyped, unused-ignore]
    VerticalBarChart,
)
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    Flowable,
    Spacer,
)

from enlace.core.pdf import (
    FONT,
    GREY,
    INSTITUTION,
    WIDTH,
    Pages,
    figure_table,
    figures_text,
    house_document,
)
from enlace.media.analysis import MediaAnalysis, Row, media_analysis

DASH = " \N{EN DASH} "
TONE_COLOURS = (
    colors.HexColor("#1b6e3a"),  # positive
    colors.HexColor("#9aa5b1"),  # neutral
    colors.HexColor("#c23b3b"),  # negative
)
CHART_HEIGHT = 150

_text = figures_text


def _header() -> list[str]:
    return [_("News items"), "%", _("Positive"), _("Neutral"), _("Negative")]


def _section_table(heading: str, rows: list[Row], total: int) -> Any:
    first = WIDTH - 5 * 62
    body = [
        [
            row.label,
            str(row.count),
            row.percent,
            str(row.positive),
            str(row.neutral),
            str(row.negative),
        ]
        for row in rows
    ]
    sums = [sum(row.tones[i] for row in rows) for i in range(3)]
    footer = [_("Total"), str(total), "100.00" if rows else "", *(str(n) for n in sums)]
    return figure_table(
        [heading, *_header()], body, [first, *([62] * 5)], footer, size=8, padding=(2, 3)
    )


def _trend_chart(analysis: MediaAnalysis) -> Any:
    """The items of each week or month, by tone, side by side."""
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = WIDTH - 40, CHART_HEIGHT - 30
    chart.data = [
        [row.positive for row in analysis.trend],
        [row.neutral for row in analysis.trend],
        [row.negative for row in analysis.trend],
    ]
    for index, colour in enumerate(TONE_COLOURS):
        chart.bars[index].fillColor, chart.bars[index].strokeColor = colour, None
    chart.categoryAxis.categoryNames = [
        row.start.strftime("%d/%m" if analysis.trend_unit == "week" else "%m/%y")
        for row in analysis.trend
    ]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 6
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.strokeColor = chart.categoryAxis.strokeColor = GREY
    drawing = Drawing(WIDTH, CHART_HEIGHT)
    drawing.add(chart)
    return drawing


def _story(analysis: MediaAnalysis) -> list[Flowable]:
    when = f"{date_format(analysis.start, 'SHORT_DATE_FORMAT')}{DASH}"
    when += date_format(analysis.end, "SHORT_DATE_FORMAT")
    story: list[Flowable] = [
        _text(INSTITUTION, "institution"),
        Spacer(1, 4),
        _text(_("Media monitoring analysis"), "title"),
        _text(f"{_('Period')}: {when}", "period"),
        Spacer(1, 8),
        _text(
            _("%(count)s news items about the institute were published in this period.")
            % {"count": analysis.total},
            "body",
        ),
    ]
    if not analysis.total:
        return story
    by_week = analysis.trend_unit == "week"
    story += [
        _text(_("Items by week") if by_week else _("Items by month"), "h2"),
        _text(_("Positive (green), neutral (grey) and negative (red) items."), "note"),
        _trend_chart(analysis),
        figure_table(
            [_("Week") if by_week else _("Month"), *[h for h in _header() if h != "%"]],
            [
                [row.label, str(row.count), str(row.positive), str(row.neutral), str(row.negative)]
                for row in analysis.trend
            ],
            [WIDTH - 4 * 70, *([70] * 4)],
            size=8,
            padding=(2, 3),
        ),
    ]
    for section in analysis.sections:
        story += [
            _text(section.title, "h2"),
            _section_table(section.heading, section.rows, analysis.total),
        ]
    return story


def _build(analysis: MediaAnalysis, pages: Pages) -> bytes:
    buffer = io.BytesIO()
    document = house_document(
        buffer,
        title=f"{pages.title} {analysis.start}{DASH}{analysis.end}",
        subject=pages.title,
    )
    document.build(_story(analysis), onFirstPage=pages.draw, onLaterPages=pages.draw)
    return buffer.getvalue()


def analysis_pdf(analysis: MediaAnalysis) -> bytes:
    pages = Pages(
        title=_("Media monitoring analysis"),
        generated=date_format(timezone.localtime(), "DATETIME_FORMAT"),
    )
    _build(analysis, pages)  # a first pass counts the pages for "page n of m"
    pages.total = pages.seen
    return _build(analysis, pages)


def media_report_pdf(period_start: date, period_end: date) -> bytes:
    """The media analysis of the items published from `period_start` to `period_end` (both
    included) as a PDF: what a scheduled report sends."""
    return analysis_pdf(media_analysis(period_start, period_end))
