"""What every PDF Enlace prints shares: the paper, the margins, the institution's name, the house
colours, the text styles' base, and the header and footer of every page (`Pages`). The
participation report, the OIR's resolution, a person's data and a study's results are built on
these (`house_document`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.pagesizes import LETTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.units import cm  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import SimpleDocTemplate  # type: ignore[import-untyped, unused-ignore]

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
