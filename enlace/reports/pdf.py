"""The participation report ("Medios de participación ciudadana", seed 003) as a PDF to print.

It takes the dict `participation_report()` returns and lays out the sections of the page: each
a table (with its percentages and a Total row) and a vector chart, the institution's name and
the report's title on top of every page, the generation date and "page n of m" below. Built
with reportlab's platypus and its built-in Helvetica (Latin-1: ñ, á, ¿ print as they are); the
text is in the active language, numbers as the seed prints them (103,177 and 97.76%).
"""

from __future__ import annotations

import html
import io
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import (  # type: ignore[import-untyped, unused-ignore]
    HorizontalBarChart,
)
from reportlab.graphics.charts.legends import Legend  # type: ignore[import-untyped, unused-ignore]
from reportlab.graphics.charts.piecharts import Pie  # type: ignore[import-untyped, unused-ignore]
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.enums import TA_CENTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from enlace.core.pdf import (
    BOLD,
    FONT,
    GREY,
    INSTITUTION,
    NAVY,
    WIDTH,
    Pages,
    cell_styles,
    figure_table,
    house_document,
    paragraph_style,
)
from enlace.reports.participation import (
    centre_levels,
    media_header,
    media_rows,
    social_header,
    social_rows,
    type_columns,
)

DASH = " \N{EN DASH} "
INDENT = "\N{NO-BREAK SPACE}" * 4  # a channel under its group
PALETTE = [
    colors.HexColor(code)
    for code in (
        "#1f5fa8", "#e07b24", "#2e9a5b", "#c23b3b", "#7a5aa6",
        "#b58b1c", "#2a9fb0", "#d0609b", "#6b7a8a", "#8c5a3c",
    )
]  # fmt: skip

FIGURE_COLUMN = 78  # width of a Total or Percentage column, in points
TYPE_COLUMN = 38  # the least width of a column of counts per type of opinion
CELL_PADDING = 4
LEVEL_START = 170  # a level of care starts on a new page unless this much of the page is left
CHART_FONT_SIZE = 8
BAR_LABEL_WIDTH = 185  # room for the category names left of the bars
BAR_VALUE_ROOM = 80  # room right of the longest bar for "103,177 (97.76%)"
BAR_PITCH = 16  # vertical points per bar
PIE_SIZE = 130
LEGEND_PITCH = 13

Chart = Literal["bar", "pie"]
Item = tuple[str, int]  # a row of a section: its label and its count


STYLES = {
    "institution": paragraph_style("institution", fontName=BOLD, fontSize=12, alignment=TA_CENTER),
    "title": paragraph_style(
        "title", fontName=BOLD, fontSize=20, leading=26, alignment=TA_CENTER, textColor=NAVY
    ),
    "period": paragraph_style(
        "period", fontSize=11, leading=15, alignment=TA_CENTER, spaceAfter=14
    ),
    "h2": paragraph_style(
        "h2",
        fontName=BOLD,
        fontSize=13,
        leading=17,
        textColor=NAVY,
        spaceBefore=16,
        spaceAfter=6,
        keepWithNext=1,
    ),
    "h3": paragraph_style(
        "h3", fontName=BOLD, fontSize=11, leading=14, spaceBefore=10, spaceAfter=3, keepWithNext=1
    ),
    "body": paragraph_style("body", spaceAfter=6),
    "lead": paragraph_style("lead", fontName=BOLD, spaceBefore=10, spaceAfter=4, keepWithNext=1),
}


def number(count: int) -> str:
    """A count as the seed prints it: thousands with a comma (103,177)."""
    return f"{count:,}"


def percent(share: Decimal) -> str:
    """A share as the seed prints it: two decimals with a point (97.76%)."""
    return f"{share.quantize(Decimal('0.01'))}%"


def fit(text: str, width: float, size: float = CHART_FONT_SIZE) -> str:
    """`text` cut at a word (or, failing one, a letter) and ended with "…" so that it fits in
    `width` points of Helvetica at `size`; unchanged when it fits."""
    if stringWidth(text, FONT, size) <= width:
        return text
    room = width - stringWidth("…", FONT, size)
    cut = text
    while cut and stringWidth(cut, FONT, size) > room:
        cut = cut[:-1]
    word = cut.rsplit(" ", 1)[0]
    return (word if len(word) > len(cut) * 0.6 else cut).rstrip(" ,;:/-(") + "…"


def _text(text: str, style: str) -> Any:
    return Paragraph(html.escape(text, quote=False), STYLES[style])


# Tables and charts -----------------------------------------------------------------------


def _table(
    header: list[str], rows: list[list[str]], widths: list[float], total: list[str] | None = None
) -> Any:
    """A figure table (enlace/core/pdf.py); `total` is a bold last row."""
    return figure_table(header, rows, widths, total, padding=(3, CELL_PADDING))


def _bar_chart(items: list[Item], shares: list[Decimal]) -> Any:
    """Horizontal bars, the largest on top, the (shortened) names on their left and the count
    and share at their end."""
    counts = [count for _label, count in items]
    chart = HorizontalBarChart()
    chart.x, chart.y = BAR_LABEL_WIDTH + 8, 4
    chart.width, chart.height = WIDTH - chart.x - 4, BAR_PITCH * len(items)
    chart.data = [counts]
    chart.bars[0].fillColor, chart.bars[0].strokeColor = PALETTE[0], None
    chart.barSpacing, chart.groupSpacing = 0, 4
    axis = chart.categoryAxis
    axis.categoryNames = [fit(label, BAR_LABEL_WIDTH) for label, _count in items]
    axis.reverseDirection = 1
    axis.visibleTicks, axis.strokeColor = 0, GREY
    axis.labels.boxAnchor, axis.labels.dx = "e", -4
    axis.labels.fontName, axis.labels.fontSize = FONT, CHART_FONT_SIZE
    chart.valueAxis.visible = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(counts) * chart.width / (chart.width - BAR_VALUE_ROOM)
    chart.barLabelFormat = "values"
    chart.barLabelArray = [
        [f"{number(n)} ({percent(s)})" for n, s in zip(counts, shares, strict=True)]
    ]
    chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
    chart.barLabels.fontName, chart.barLabels.fontSize = FONT, CHART_FONT_SIZE - 0.5
    drawing = Drawing(WIDTH, chart.height + 8)
    drawing.add(chart)
    return drawing


def _pie_chart(items: list[Item], shares: list[Decimal]) -> Any:
    """A pie with a legend on its right (name and share per slice): no labels on the slices,
    so thin slices cannot make them overlap."""
    legend_height = LEGEND_PITCH * len(items)
    height = max(PIE_SIZE, legend_height) + 8
    pie = Pie()
    pie.x, pie.y = 8, (height - PIE_SIZE) / 2
    pie.width = pie.height = PIE_SIZE
    pie.data = [count for _label, count in items]
    pie.startAngle, pie.direction = 90, "clockwise"
    pie.slices.strokeColor, pie.slices.strokeWidth = colors.white, 0.5
    swatches = [PALETTE[i % len(PALETTE)] for i in range(len(items))]
    for i, color in enumerate(swatches):
        pie.slices[i].fillColor = color
    legend = Legend()
    legend.x, legend.y = PIE_SIZE + 40, (height + legend_height) / 2
    legend.alignment, legend.boxAnchor = "right", "nw"
    legend.fontName, legend.fontSize = FONT, CHART_FONT_SIZE
    legend.deltay, legend.columnMaximum = LEGEND_PITCH, len(items)
    legend.dxTextSpace, legend.strokeColor = 6, None
    name_width = WIDTH - legend.x - 80
    legend.colorNamePairs = [
        (color, f"{fit(label, name_width)}   {percent(share)}")
        for color, (label, _count), share in zip(swatches, items, shares, strict=True)
    ]
    drawing = Drawing(WIDTH, height)
    drawing.add(pie)
    drawing.add(legend)
    return drawing


def figures_section(
    title: str,
    heading: str,
    rows: list[dict[str, Any]],
    total: int,
    *,
    chart: Chart = "bar",
    intro: str = "",
) -> list[Flowable]:
    """A section of the report: its title, an optional sentence, a table of the section's rows
    (name / total / percentage, as `participation_report()` computed them) with a Total row,
    and a bar or pie chart of the same figures. A row's "channels" are printed below it."""
    flow = [_text(title, "h2")]
    if intro:
        flow.append(_text(intro, "body"))
    if not rows:
        return [*flow, _text(_("No figures in this period."), "body")]
    lines = []
    for row in rows:
        lines.append([row["name"], number(row["count"]), f"{row['percent']}%"])
        lines += [
            [f"{INDENT}{sub['name']}", number(sub["count"]), f"{sub['percent']}%"]
            for sub in row.get("channels", [])
        ]
    table = _table(
        [heading, _("Total"), _("Percentage")],
        lines,
        [WIDTH - 2 * FIGURE_COLUMN, FIGURE_COLUMN, FIGURE_COLUMN],
        [
            _("Total"),
            number(total),
            percent(sum((Decimal(row["percent"]) for row in rows), Decimal(0))),
        ],
    )
    items = [(row["name"], row["count"]) for row in rows]
    shares = [Decimal(row["percent"]) for row in rows]
    drawing = (_bar_chart if chart == "bar" else _pie_chart)(items, shares)
    # On a page of its own when it does not fit in what is left of one; split when longer.
    return [KeepTogether([*flow, table, Spacer(1, 10), drawing])]


# The report's sections -------------------------------------------------------------------


def _long_date(iso: str) -> str:
    day = parse_date(iso)
    return date_format(day, "DATE_FORMAT") if day else iso


def _cover(report: dict[str, Any]) -> list[Flowable]:
    period = report["period"]
    opinions, inquiries = report["opinions"], report["inquiries"]
    answered = opinions["answered"]
    return [
        _text(INSTITUTION, "institution"),
        Spacer(1, 6),
        _text(_("Citizen participation channels"), "title"),
        _text(
            f"{_('Period')}: {_long_date(period['from'])}{DASH}{_long_date(period['to'])}", "period"
        ),
        _text(summary_sentence(opinions["total"], inquiries["total"]), "body"),
        _text(answered_sentence(answered["count"], answered["percent"]), "body"),
        _table(
            [_("Summary"), _("Total")],
            [
                [_("Opinions"), number(opinions["total"])],
                [_("Opinions answered"), number(answered["count"])],
                [_("Inquiries"), number(inquiries["total"])],
            ],
            [WIDTH - FIGURE_COLUMN, FIGURE_COLUMN],
        ),
    ]


def summary_sentence(opinions: int, inquiries: int) -> str:
    return _(
        "In this period %(opinions)s opinions about the service received and "
        "%(inquiries)s inquiries were received."
    ) % {"opinions": number(opinions), "inquiries": number(inquiries)}


def answered_sentence(count: int, share: str) -> str:
    return _("%(share)s%% of the opinions (%(count)s) have been answered.") % {
        "share": share,
        "count": number(count),
    }


def complaints_sentence(count: int, share: str) -> str:
    return _(
        "%(share)s%% of the opinions (%(count)s) are complaints and claims, associated with "
        "these limitantes:"
    ) % {"share": share, "count": number(count)}


def _centres(centres: list[dict[str, Any]], types: list[tuple[str, str]]) -> Any:
    """The centres of a level of care, with their opinions by type and a Total row."""
    headers = [name for _code, name in types]
    widths = [_word_width(header) for header in headers]

    def figures(by_type: dict[str, int], total: int) -> list[str]:
        return [*(number(by_type.get(code, 0)) for code, _name in types), number(total)]

    sums = {code: sum(row["by_type"].get(code, 0) for row in centres) for code, _name in types}
    return _table(
        [_("Centre"), *headers, _("Total")],
        [[row["name"], *figures(row["by_type"], row["total"])] for row in centres],
        [WIDTH - sum(widths) - FIGURE_COLUMN, *widths, FIGURE_COLUMN],
        [_("Total"), *figures(sums, sum(row["total"] for row in centres))],
    )


def _word_width(header: str) -> float:
    """The width of a column of counts under `header`, wrapped between words, never within."""
    style = cell_styles(8.5)["head_number"]  # the figure tables' header
    longest = max(stringWidth(word, style.fontName, style.fontSize) for word in header.split())
    return float(max(TYPE_COLUMN, longest + 2 * CELL_PADDING + 1))


def _level(level: dict[str, Any], types: list[tuple[str, str]]) -> list[Flowable]:
    """One level of care: its share of the opinions, its centres by type of opinion, and its
    most frequent complaints and claims."""
    flow = [
        CondPageBreak(LEVEL_START),
        _text(level["name"], "h3"),
        _text(
            _("%(count)s opinions (%(share)s%% of all opinions).")
            % {"count": number(level["count"]), "share": level["percent"]},
            "body",
        ),
        _centres(level["centres"], types),
    ]
    if level["complaints"]:
        table = _table(
            [_("Limitante"), _("Total")],
            [[row["name"], number(row["count"])] for row in level["complaints"]],
            [WIDTH - FIGURE_COLUMN, FIGURE_COLUMN],
        )
        lead = f"{_('Most frequent complaints and claims')}{DASH}{level['name']}"
        flow.append(KeepTogether([_text(lead, "lead"), table]))
    return flow


def _opinions(opinions: dict[str, Any]) -> list[Flowable]:
    total = opinions["total"]
    levels = centre_levels(opinions)
    complaints = opinions["complaints"]
    types = type_columns(opinions)
    return [
        *figures_section(_("Opinions by type"), _("Type"), opinions["by_type"], total, chart="pie"),
        *figures_section(
            _("Most used participation channels"),
            _("Participation channel"),
            opinions["by_channel_group"],
            total,
        ),
        *figures_section(
            _("Complaints and claims, by limitante"),
            _("Limitante"),
            complaints["by_limitante"],
            complaints["count"],
            intro=complaints_sentence(complaints["count"], complaints["percent"])
            if complaints["count"]
            else "",
        ),
        *figures_section(
            _("Opinions by level of care"),
            _("Level of care"),
            opinions["by_level_of_care"],
            total,
            chart="pie",
        ),
        *(
            [CondPageBreak(LEVEL_START + 40), _text(_("Opinions by centre"), "h2")]
            if levels
            else []
        ),
        *(flowable for level in levels for flowable in _level(level, types)),
    ]


def _inquiries(inquiries: dict[str, Any]) -> list[Flowable]:
    intro = _(
        "%(count)s inquiries about the medical and administrative services were received in "
        "this period."
    ) % {"count": number(inquiries["total"])}
    return [
        *figures_section(
            _("Inquiries and errands"),
            _("Reception channel"),
            inquiries["by_channel_group"],
            inquiries["total"],
            chart="pie",
            intro=intro,
        ),
        *figures_section(
            _("Most frequent inquiries"),
            _("Topic"),
            inquiries["topics"],
            inquiries["total"],
        ),
    ]


def _communication(report: dict[str, Any]) -> list[Flowable]:
    """The social networks and the information media at the period's end."""
    flow: list[Flowable] = []
    social = social_rows(report)
    if social:
        flow += [
            _text(_("Social networks"), "h2"),
            figure_table(
                social_header(),
                social,
                [WIDTH * 0.3, WIDTH * 0.14, WIDTH * 0.11, WIDTH * 0.12, WIDTH * 0.33],
            ),
        ]
    media = media_rows(report)
    if media:
        flow += [
            _text(_("Information media"), "h2"),
            figure_table(
                media_header(),
                media,
                [WIDTH * 0.32, WIDTH * 0.12, WIDTH * 0.2, WIDTH * 0.2, WIDTH * 0.16],
            ),
        ]
    return flow


def _build(report: dict[str, Any], pages: Pages) -> bytes:
    buffer = io.BytesIO()
    period = report["period"]
    document = house_document(
        buffer,
        title=f"{pages.title} {period['from']}{DASH}{period['to']}",
        subject=pages.title,
    )
    story = [
        *_cover(report),
        *_opinions(report["opinions"]),
        *_inquiries(report["inquiries"]),
        *_communication(report),
    ]
    document.build(story, onFirstPage=pages.draw, onLaterPages=pages.draw)
    return buffer.getvalue()


def participation_pdf(report: dict[str, Any]) -> bytes:
    """The participation report (the dict `participation_report()` returns) as a PDF."""
    pages = Pages(
        title=_("Citizen participation channels"),
        generated=date_format(timezone.localtime(), "DATETIME_FORMAT"),
    )
    _build(report, pages)  # a first pass counts the pages for "page n of m"
    pages.total = pages.seen
    return _build(report, pages)


# Seed 002's table of mechanisms ----------------------------------------------------------


def _mechanism_block(mechanism: dict[str, Any], styles: dict[str, Any]) -> Any:
    """One mechanism as the seed prints it: a label column and its values."""

    def cell(text: str, style: str = "cell") -> Any:
        return Paragraph(html.escape(text, quote=False), styles[style])

    participation = Paragraph(
        "<br/>".join(html.escape(line, quote=False) for line in mechanism["participation"]),
        styles["cell"],
    )
    rows = [
        [cell(_("Mechanism"), "head"), cell(mechanism["name"].upper(), "head")],
        [cell(_("Objective"), "total"), cell(mechanism["objective"])],
        [cell(_("Requirements to take part"), "total"), cell(mechanism["requirements"])],
        [cell(_("Participation and places"), "total"), participation],
        [cell(_("Source of information"), "total"), cell(mechanism["source"])],
    ]
    table = Table(rows, colWidths=[WIDTH * 0.24, WIDTH * 0.76])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
                ("BOX", (0, 0), (-1, -1), 0.5, GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _mechanisms_build(report: dict[str, Any], title: str, stated: str, pages: Pages) -> bytes:
    buffer = io.BytesIO()
    document = house_document(buffer, title=title, subject=title)
    styles = cell_styles(8.5)
    story: list[Any] = [
        _text(INSTITUTION, "institution"),
        _text(title, "title"),
        _text(stated, "period"),
    ]
    for mechanism in report["mechanisms"]:
        # A mechanism starts on the next page rather than leave its heading alone.
        story += [KeepTogether([_mechanism_block(mechanism, styles)]), Spacer(1, 10)]
    document.build(story, onFirstPage=pages.draw, onLaterPages=pages.draw)
    return buffer.getvalue()


def mechanisms_document(report: dict[str, Any], title: str, stated: str) -> bytes:
    """Seed 002's table (the dict `mechanisms_report()` returns) as a PDF."""
    pages = Pages(title=title, generated=date_format(timezone.localtime(), "DATETIME_FORMAT"))
    _mechanisms_build(report, title, stated, pages)
    pages.total = pages.seen
    return _mechanisms_build(report, title, stated, pages)
