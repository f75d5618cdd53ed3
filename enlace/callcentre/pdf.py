"""The call centre's figures (figures.CallFigures) as a PDF to print, on the house document
(enlace/core/pdf.py): the indicators against their targets, the counts, a chart of the calls by
hour, and the tables by hour, day, agent and wrap-up. It prints the figures as computed
(`figures.show`, `figures.cell`): the page, the workbook and the PDF agree."""

from __future__ import annotations

import io
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

from enlace.callcentre.figures import (
    AGENT_COLUMNS,
    ROW_COLUMNS,
    CallFigures,
    Column,
    Figures,
    cell,
    definitions,
    show,
    summary_counts,
)
from enlace.callcentre.models import Unit
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

DASH = " \N{EN DASH} "
ANSWERED_COLOUR = colors.HexColor("#1f5fa8")
ABANDONED_COLOUR = colors.HexColor("#c23b3b")
MET_COLOUR = colors.HexColor("#1b6e3a")
CHART_HEIGHT = 140

_text = figures_text


def _table(header: list[str], rows: list[list[str]], first: float) -> Any:
    """A figure table (enlace/core/pdf.py) whose first column is `first` points wide."""
    others = len(header) - 1
    widths = [first, *([(WIDTH - first) / others] * others)] if others else [WIDTH]
    return figure_table(header, rows, widths, size=8, padding=(2, 3))


def _rows_table(heading: str, rows: list[tuple[str, Figures]], columns: tuple[Column, ...]) -> Any:
    header = [heading, *(str(column.label) for column in columns)]
    return _table(header, [[label, *(cell(f, c) for c in columns)] for label, f in rows], 60)


def _hour_chart(figures: CallFigures) -> Any:
    """The calls answered and abandoned in each hour, side by side."""
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = WIDTH - 40, CHART_HEIGHT - 30
    chart.data = [
        [row.figures.answered for row in figures.by_hour],
        [row.figures.abandoned for row in figures.by_hour],
    ]
    chart.bars[0].fillColor, chart.bars[0].strokeColor = ANSWERED_COLOUR, None
    chart.bars[1].fillColor, chart.bars[1].strokeColor = ABANDONED_COLOUR, None
    chart.categoryAxis.categoryNames = [f"{row.hour:02d}" for row in figures.by_hour]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 7
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.strokeColor = chart.categoryAxis.strokeColor = GREY
    drawing = Drawing(WIDTH, CHART_HEIGHT)
    drawing.add(chart)
    return drawing


def _met(met: bool | None) -> str:
    if met is None:
        return "\N{EM DASH}"
    return _("Met") if met else _("Not met")


def _story(figures: CallFigures) -> list[Flowable]:
    period = figures.period
    when = f"{date_format(period.start, 'SHORT_DATE_FORMAT')}{DASH}"
    when += date_format(period.end, "SHORT_DATE_FORMAT")
    story: list[Flowable] = [
        _text(INSTITUTION, "institution"),
        Spacer(1, 4),
        _text(_("Call-centre figures"), "title"),
        _text(f"{_('Period')}: {when}", "period"),
    ]
    if figures.agent is not None:
        name = figures.agent.get_full_name() or figures.agent.username
        story.append(_text(f"{_('Agent')}: {name}", "period"))
    story += [
        Spacer(1, 10),
        _text(_("Indicators"), "h2"),
        _table(
            [_("Indicator"), _("Figure"), _("Target"), _("Result")],
            [
                [
                    str(item.label),
                    item.shown_value,
                    item.target_text(ascii_only=True),
                    _met(item.met),
                ]
                for item in figures.assessments
            ],
            190,
        ),
        Spacer(1, 4),
        _text(definitions(figures), "note"),
        _text(_("Calls"), "h2"),
        _table(
            [_("Calls"), _("Total")],
            [[label, str(count)] for label, count in summary_counts(figures)],
            WIDTH - 90,
        ),
    ]
    if figures.by_hour:
        story += [
            _text(_("Calls by hour of the day"), "h2"),
            _text(_("Answered (blue) and abandoned (red) calls by hour."), "note"),
            _hour_chart(figures),
            _rows_table(
                _("Hour"),
                [(f"{row.hour:02d}:00", row.figures) for row in figures.by_hour],
                ROW_COLUMNS,
            ),
            _text(_("Calls by day"), "h2"),
            _rows_table(
                _("Day"),
                [(date_format(r.day, "SHORT_DATE_FORMAT"), r.figures) for r in figures.by_day],
                ROW_COLUMNS,
            ),
        ]
    if figures.by_agent:
        story += [
            _text(_("Answered calls by agent"), "h2"),
            _table(
                [
                    _("Agent"),
                    _("Share"),
                    *(str(c.label) for c in AGENT_COLUMNS),
                    _("Quality score"),
                ],
                [
                    [
                        row.name or _("Unknown agent"),
                        show(row.share, Unit.PERCENT),
                        *(cell(row.figures, c) for c in AGENT_COLUMNS),
                        show(row.quality_score, Unit.PERCENT),
                    ]
                    for row in figures.by_agent
                ],
                150,
            ),
        ]
    if figures.by_wrap_up:
        story += [
            _text(_("Answered calls by wrap-up"), "h2"),
            _table(
                [_("Wrap-up"), _("Calls"), _("Share")],
                [
                    [str(row.label), str(row.count), show(row.share, Unit.PERCENT)]
                    for row in figures.by_wrap_up
                ],
                WIDTH - 180,
            ),
        ]
    if figures.by_topic:
        story += [
            _text(_("Inquiries registered from the calls, by topic"), "h2"),
            _table(
                [_("Topic"), _("Inquiries"), _("Share")],
                [
                    [row.label, str(row.count), show(row.share, Unit.PERCENT)]
                    for row in figures.by_topic
                ],
                WIDTH - 180,
            ),
        ]
    if not figures.totals.offered:
        story.append(_text(_("No calls in this period."), "body"))
    return story


def _build(figures: CallFigures, pages: Pages) -> bytes:
    buffer = io.BytesIO()
    period = figures.period
    document = house_document(
        buffer, title=f"{pages.title} {period.start}{DASH}{period.end}", subject=pages.title
    )
    document.build(_story(figures), onFirstPage=pages.draw, onLaterPages=pages.draw)
    return buffer.getvalue()


def figures_pdf(figures: CallFigures) -> bytes:
    pages = Pages(
        title=_("Call-centre figures"),
        generated=date_format(timezone.localtime(), "DATETIME_FORMAT"),
    )
    _build(figures, pages)  # a first pass counts the pages for "page n of m"
    pages.total = pages.seen
    return _build(figures, pages)
