"""What every PDF Enlace prints shares: the paper, the margins, the institution's name, the house
colours, the text styles' base, and the header and footer of every page (`Pages`). The
participation report, the OIR's resolution, a person's data and a study's results are built on
these (`house_document`)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.pagesizes import LETTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.units import cm  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

# A proper name: printed as it is in every language.
INSTITUTION = "Instituto Salvadoreño del Seguro Social"

PAGE_WIDTH, PAGE_HEIGHT = LETTER  # the paper used in El Salvador
MARGIN = 2 * cm
WIDTH = PAGE_WIDTH - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
NAVY = colors.HexColor("#1f3b63")
GREY = colors.HexColor("#9aa5b1")


def house_document(buffer: Any, *, title: str, subject: str = "") -> Any:
    """The house document: letter paper, the margins, the institution as author."""
    return SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=INSTITUTION,
        subject=subject,
        creator="Enlace",
    )


def paragraph_style(name: str, **values: Any) -> Any:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": 9.5, "leading": 13}
    return ParagraphStyle(name, **{**base, **values})


# The styles of a document of figures (the call centre's, the media analysis): title page lines,
# section headings, body and notes.
FIGURES_STYLES = {
    "institution": paragraph_style("institution", fontName=BOLD, fontSize=12, alignment=TA_CENTER),
    "title": paragraph_style(
        "title", fontName=BOLD, fontSize=18, leading=24, alignment=TA_CENTER, textColor=NAVY
    ),
    "period": paragraph_style("period", fontSize=11, leading=15, alignment=TA_CENTER),
    "h2": paragraph_style(
        "h2",
        fontName=BOLD,
        fontSize=12,
        leading=16,
        textColor=NAVY,
        spaceBefore=14,
        spaceAfter=6,
        keepWithNext=1,
    ),
    "body": paragraph_style("body", spaceAfter=6),
    "note": paragraph_style("note", fontSize=8, leading=10.5, textColor=colors.HexColor("#4a5568")),
}


def figures_text(text: str, style: str) -> Any:
    """Plain text (escaped: what people typed is never markup) in a FIGURES_STYLES style."""
    return Paragraph(html.escape(text, quote=False), FIGURES_STYLES[style])


@dataclass
class Pages:
    """Draws the header and footer of every page, and counts the pages (the total is known
    after a first pass)."""

    title: str
    generated: str
    total: int = 0
    seen: int = 0

    def draw(self, canvas: Any, _doc: Any) -> None:
        self.seen = canvas.getPageNumber()
        top, bottom = PAGE_HEIGHT - MARGIN + 18, MARGIN - 24
        canvas.saveState()
        canvas.setStrokeColor(NAVY)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, top - 5, PAGE_WIDTH - MARGIN, top - 5)
        canvas.line(MARGIN, bottom + 11, PAGE_WIDTH - MARGIN, bottom + 11)
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(NAVY)
        canvas.drawString(MARGIN, top, INSTITUTION)
        canvas.setFont(FONT, 8)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, top, self.title)
        canvas.setFillColor(colors.black)
        canvas.drawString(MARGIN, bottom, _("Generated on %(date)s") % {"date": self.generated})
        pages = _("Page %(page)s of %(pages)s") % {"page": self.seen, "pages": self.total}
        canvas.drawRightString(PAGE_WIDTH - MARGIN, bottom, pages)
        canvas.restoreState()


# The figure tables of every report: a navy header repeated on every page, striped rows, the
# first column text and the others figures aligned right, and a bold total row.
STRIPE = colors.HexColor("#eef2f7")
TOTAL_ROW = colors.HexColor("#dde4ee")


@lru_cache(maxsize=8)
def cell_styles(size: float) -> dict[str, Any]:
    leading = size + 2
    white, bold, right = colors.white, {"fontName": BOLD}, {"alignment": TA_RIGHT}
    return {
        "cell": paragraph_style(f"cell-{size}", fontSize=size, leading=leading),
        "number": paragraph_style(f"number-{size}", fontSize=size, leading=leading, **right),
        "head": paragraph_style(
            f"head-{size}", fontSize=size, leading=leading, textColor=white, **bold
        ),
        "head_number": paragraph_style(
            f"head_number-{size}",
            fontSize=size - 0.5,
            leading=leading - 0.5,
            textColor=white,
            **bold,
            **right,
        ),
        "total": paragraph_style(f"total-{size}", fontSize=size, leading=leading, **bold),
        "total_number": paragraph_style(
            f"total_number-{size}", fontSize=size, leading=leading, **bold, **right
        ),
    }


def figure_table(
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    total: list[str] | None = None,
    *,
    bold_from: int | None = None,
    size: float = 8.5,
    padding: tuple[float, float] | None = None,
) -> Any:
    """A table whose first column is text and the others figures; `total` is a bold last row,
    and the rows from `bold_from` on are bold (groups after their members). `padding` is the
    cells' (vertical, horizontal) padding; reportlab's horizontal default when None."""
    styles = cell_styles(size)

    def cells(values: list[str], text: str, figure: str) -> list[Any]:
        return [
            Paragraph(html.escape(value, quote=False), styles[text if i == 0 else figure])
            for i, value in enumerate(values)
        ]

    data = [cells(header, "head", "head_number")]
    for index, row in enumerate(rows):
        bold = bold_from is not None and index >= bold_from
        data.append(cells(row, "total" if bold else "cell", "total_number" if bold else "number"))
    vertical = padding[0] if padding else 3
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
        ("TOPPADDING", (0, 0), (-1, -1), vertical),
        ("BOTTOMPADDING", (0, 0), (-1, -1), vertical),
    ]
    if padding:
        commands += [
            ("LEFTPADDING", (0, 0), (-1, -1), padding[1]),
            ("RIGHTPADDING", (0, 0), (-1, -1), padding[1]),
        ]
    if total is not None:
        data.append(cells(total, "total", "total_number"))
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), TOTAL_ROW),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY),
        ]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table
