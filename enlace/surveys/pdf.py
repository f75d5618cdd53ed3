"""The results of a study (the dict `study_results()` returns) as a PDF to print: the responses
against the target by centre, the checklist's scores, and each question's distribution (a table
and its bars) and headline figure by centre and level of care, with the suppression and
reliability marks and their legend. Built on enlace/core/pdf.py, as the participation report."""

from __future__ import annotations

import html
import io
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import (  # type: ignore[import-untyped, unused-ignore]
    Drawing,
    Rect,
    String,
)
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.enums import TA_CENTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from enlace.core.pdf import (
    BOLD,
    FONT,
    GREY,
    INSTITUTION,
    NAVY,
    WIDTH,
    Pages,
    figure_table,
    house_document,
    paragraph_style,
)
from enlace.directory.models import LevelOfCare
from enlace.surveys.models import QuestionKind, StudyKind
from enlace.surveys.results import DISCRETE_KINDS, HEADLINE_NAMES

DASH = " \N{EN DASH} "
SUPPRESSED = "\N{EM DASH}\N{DAGGER}"
UNRELIABLE = " *"
BAR = colors.HexColor("#1f5fa8")
FIGURE_COLUMN = 70
WIDE_COLUMN = 150
BAR_PITCH = 14
LABEL_WIDTH = 170
FONT_SIZE = 8

STYLES = {
    "institution": paragraph_style("institution", fontName=BOLD, fontSize=12, alignment=TA_CENTER),
    "title": paragraph_style(
        "title", fontName=BOLD, fontSize=18, leading=24, alignment=TA_CENTER, textColor=NAVY
    ),
    "subtitle": paragraph_style(
        "subtitle", fontSize=11, leading=15, alignment=TA_CENTER, spaceAfter=12
    ),
    "h2": paragraph_style(
        "h2",
        fontName=BOLD,
        fontSize=12,
        leading=16,
        textColor=NAVY,
        spaceBefore=14,
        spaceAfter=4,
        keepWithNext=1,
    ),
    "body": paragraph_style("body", spaceAfter=6),
    "hint": paragraph_style("hint", fontSize=8.5, leading=11, textColor=GREY, spaceAfter=4),
}


def _text(text: str, style: str) -> Any:
    return Paragraph(html.escape(text, quote=False), STYLES[style])


def number(count: int) -> str:
    return f"{count:,}"


def figure(cell: dict[str, Any], key: str | None, *, interval: bool = True) -> str:
    """A cell's figure as printed: suppressed, missing, or the value with its interval and the
    unreliable mark."""
    if cell.get("suppressed") and cell.get("n", cell.get("evaluations")):
        return SUPPRESSED
    found = cell.get("figures", cell)
    value = found.get(key) if key else None
    if value is None:
        return "\N{EM DASH}"
    text = str(value)
    low, high = found.get(f"{key}_low"), found.get(f"{key}_high")
    if interval and low is not None:
        text += f" ({low}{DASH}{high})"
    return text + (UNRELIABLE if cell.get("unreliable") else "")


def _table(
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    total: list[str] | None = None,
    *,
    bold_from: int | None = None,
) -> Any:
    """A figure table (enlace/core/pdf.py): `total` a bold last row, and the rows from
    `bold_from` on (the levels of care after the centres) bold."""
    return figure_table(header, rows, widths, total, bold_from=bold_from)


def _fit(text: str, width: float) -> str:
    if stringWidth(text, FONT, FONT_SIZE) <= width:
        return text
    while text and stringWidth(text + "…", FONT, FONT_SIZE) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _bars(items: list[tuple[str, str | None]]) -> Any:
    """Horizontal bars of shares (0 to 100), the label on the left and the share on the
    right."""
    room = WIDTH - LABEL_WIDTH - 60
    drawing = Drawing(WIDTH, BAR_PITCH * len(items) + 4)
    for index, (label, share) in enumerate(items):
        y = BAR_PITCH * (len(items) - index - 1) + 4
        drawing.add(
            String(0, y + 2, _fit(label, LABEL_WIDTH - 6), fontName=FONT, fontSize=FONT_SIZE)
        )
        value = max(float(share or 0), 0.0)
        drawing.add(
            Rect(LABEL_WIDTH, y, max(room * min(value, 100.0) / 100, 0.5), BAR_PITCH - 4,
                 fillColor=BAR, strokeColor=None)
        )  # fmt: skip
        drawing.add(
            String(
                LABEL_WIDTH + room * min(value, 100.0) / 100 + 4,
                y + 2,
                f"{share}%" if share is not None else "\N{EM DASH}",
                fontName=FONT,
                fontSize=FONT_SIZE,
            )
        )
    return drawing


def _day(iso: str) -> str:
    """A day of the result (ISO) as the reader writes it."""
    return date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _legend(results: dict[str, Any]) -> Any:
    thresholds = results["thresholds"]
    unreliable = _(
        "* fewer than %(high)s answers: the figure is unreliable. In brackets, the 95%% "
        "confidence interval."
    ) % {"high": thresholds["unreliable_below"]}
    if thresholds["suppress_below"] <= 1:  # an evaluation of centres: nothing suppressed
        return _text(unreliable, "hint")
    suppressed = _(
        "%(suppressed)s fewer than %(low)s answers: the figure is not shown, to protect the "
        "respondents."
    ) % {"suppressed": SUPPRESSED, "low": thresholds["suppress_below"]}
    return _text(f"{suppressed} {unreliable}", "hint")


def _cover(results: dict[str, Any]) -> list[Flowable]:
    study, responses = results["study"], results["responses"]
    filters = results["filters"]
    lines = [
        _text(INSTITUTION, "institution"),
        Spacer(1, 6),
        _text(_("Results of the study"), "title"),
        _text(study["name"], "subtitle"),
        _text(
            f"{StudyKind(study['kind']).label}{DASH}{_('Period')}: "
            f"{_day(study['period']['from'])}{DASH}{_day(study['period']['to'])}"
            f"{DASH}{_('Instrument')}: {study['instrument']} v{study['version']}",
            "body",
        ),
    ]
    shown = []
    if filters["level_of_care"]:
        level = dict(LevelOfCare.choices).get(filters["level_of_care"], filters["level_of_care"])
        shown.append(f"{_('Level of care')}: {level}")
    if filters["from"]:
        shown.append(_("from %(day)s") % {"day": _day(filters["from"])})
    if filters["to"]:
        shown.append(_("to %(day)s") % {"day": _day(filters["to"])})
    if shown:
        lines.append(_text(_("Filtered: %(filters)s") % {"filters": ", ".join(shown)}, "body"))
    lines.append(
        _text(
            _("%(count)s responses counted of a target of %(target)s.")
            % {"count": number(responses["count"]), "target": number(responses["target"])},
            "body",
        )
    )
    lines.append(_legend(results))
    lines.append(_text(_("Responses by centre"), "h2"))
    lines.append(
        _table(
            [_("Centre"), _("Responses"), _("Target"), _("Rate (%)")],
            [
                [row["name"], number(row["count"]), number(row["target"]), row["rate"] or "—"]
                for row in responses["by_centre"]
            ],
            [WIDTH - 3 * FIGURE_COLUMN, FIGURE_COLUMN, FIGURE_COLUMN, FIGURE_COLUMN],
            [
                _("Total"),
                number(responses["count"]),
                number(responses["target"]),
                responses["rate"] or "—",
            ],
        )
    )
    return lines


def _checklist(checklist: dict[str, Any]) -> list[Flowable]:
    def line(name: str, row: dict[str, Any]) -> list[str]:
        hidden = row["suppressed"] and row["evaluations"]
        return [
            name,
            number(row["evaluations"]),
            figure(row, "mean_score"),
            SUPPRESSED if hidden else number(row["failed"]),
            SUPPRESSED if hidden else number(row["critical_items_failed"]),
        ]

    return [
        _text(_("Checklist scores"), "h2"),
        _table(
            [
                _("Centre"),
                _("Evaluations"),
                _("Mean score (%)"),
                _("Failed evaluations"),
                _("Critical items failed"),
            ],
            [line(row["name"], row) for row in checklist["by_centre"]],
            [
                WIDTH - 3 * FIGURE_COLUMN - WIDE_COLUMN,
                FIGURE_COLUMN,
                WIDE_COLUMN,
                FIGURE_COLUMN,
                FIGURE_COLUMN,
            ],
            line(_("Total"), checklist),
        ),
        _text(
            _(
                "Score: weight of the items answered yes over the weight of those answered yes "
                "or no (not applicable left out). An evaluation with a critical item answered no "
                "fails, whatever its score."
            ),
            "hint",
        ),
    ]


def _question(question: dict[str, Any]) -> list[Flowable]:
    headline = question["headline"]
    title = f"{question['text']} ({question['code']})"
    lead = f"{QuestionKind(question['kind']).label}{DASH}n = {number(question['n'])}"
    if headline:
        lead += f"{DASH}{HEADLINE_NAMES[headline]!s}: {figure(question, headline)}"
    flow: list[Flowable] = [_text(title, "h2"), _text(lead, "body")]
    if question["distribution"]:
        rows = question["distribution"]
        flow.append(
            _table(
                [_("Answer"), _("Total"), "%"],
                [[row["label"], number(row["count"]), row["percent"] or "—"] for row in rows],
                [WIDTH - 2 * FIGURE_COLUMN, FIGURE_COLUMN, FIGURE_COLUMN],
            )
        )
        flow += [Spacer(1, 4), _bars([(row["label"], row["percent"]) for row in rows])]
        if question["kind"] == QuestionKind.MULTIPLE:
            flow.append(_text(_("Shares of the respondents: several answers possible."), "hint"))
    elif question["suppressed"] and question["n"] and question["kind"] in DISCRETE_KINDS:
        flow.append(_text(f"{SUPPRESSED} {_('Fewer than 5 answers: not shown.')}", "hint"))
    if headline and (question["by_centre"] or question["by_level_of_care"]):
        cells = [*question["by_centre"], *question["by_level_of_care"]]
        flow += [
            Spacer(1, 6),
            _table(
                [_("Centre / level of care"), "n", str(HEADLINE_NAMES[headline])],
                [[cell["name"], number(cell["n"]), figure(cell, headline)] for cell in cells],
                [WIDTH - FIGURE_COLUMN - WIDE_COLUMN, FIGURE_COLUMN, WIDE_COLUMN],
                bold_from=len(question["by_centre"]),
            ),
        ]
    return [KeepTogether(flow)]


def _build(results: dict[str, Any], pages: Pages) -> bytes:
    buffer = io.BytesIO()
    document = house_document(
        buffer,
        title=f"{pages.title}: {results['study']['name']}",
        subject=pages.title,
    )
    story = _cover(results)
    if results["checklist"]:
        story += _checklist(results["checklist"])
    for question in results["questions"]:
        story += _question(question)
    document.build(story, onFirstPage=pages.draw, onLaterPages=pages.draw)
    return buffer.getvalue()


def results_pdf(results: dict[str, Any]) -> bytes:
    """The results of a study (the dict `study_results()` returns) as a PDF."""
    pages = Pages(
        title=_("Results of the study"),
        generated=date_format(timezone.localtime(), "DATETIME_FORMAT"),
    )
    _build(results, pages)  # a first pass counts the pages for "page n of m"
    pages.total = pages.seen
    return _build(results, pages)
