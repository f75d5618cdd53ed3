"""The resolution of an information request as a PDF: the text comes from the templates per
outcome in templates/oir/resolution/ (Spanish legal text, as the document is issued whatever
the officer's interface language; the institution edits the wording there), laid out with
reportlab like the reports (enlace/reports/pdf.py): the institution and the request's number
on top of every page, "page n of m" below."""

from __future__ import annotations

import html
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from reportlab.lib.enums import TA_CENTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    Paragraph,
    Spacer,
)

from enlace.core.pdf import INSTITUTION, Pages, house_document, paragraph_style
from enlace.oir.deadlines import LegalRules
from enlace.oir.models import InformationRequest, RequestItem

DOCUMENT_LANGUAGE = "es"
STYLES = {
    "title": paragraph_style(
        "oir-title",
        fontName="Helvetica-Bold",
        fontSize=13,
        leading=17,
        alignment=TA_CENTER,
        spaceAfter=10,
    ),
    "h2": paragraph_style(
        "oir-h2",
        fontName="Helvetica-Bold",
        fontSize=11,
        leading=15,
        spaceBefore=10,
        spaceAfter=4,
        keepWithNext=1,
    ),
    "h3": paragraph_style(
        "oir-h3",
        fontName="Helvetica-Bold",
        fontSize=10,
        leading=13,
        spaceBefore=6,
        spaceAfter=2,
        keepWithNext=1,
    ),
    "body": paragraph_style("oir-body", fontSize=10, leading=14, spaceAfter=6),
}


def resolution_text(
    request: InformationRequest, items: list[RequestItem], rules: LegalRules
) -> str:
    """The resolution's text as its templates give it (lines starting with #, ## and ### are
    the title and headings; blank lines separate paragraphs)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            "oir/resolution/document.txt",
            {
                "request": request,
                "items": items,
                "institution": INSTITUTION,
                "received_at": timezone.localtime(request.received_at),
                "resolved_on": request.resolved_on or timezone.localdate(),
                "appeal_days": rules.appeal_days,
            },
        )


def _flowables(text: str) -> list[Any]:
    story: list[Any] = []
    for block in text.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        style = "body"
        for prefix, name in (("### ", "h3"), ("## ", "h2"), ("# ", "title")):
            if block.startswith(prefix):
                block, style = block[len(prefix) :], name
                break
        markup = "<br/>".join(html.escape(line, quote=False) for line in block.splitlines())
        story.append(Paragraph(markup, STYLES[style]))
    return story


def resolution_pdf(
    request: InformationRequest, items: list[RequestItem], rules: LegalRules
) -> bytes:
    text = resolution_text(request, items, rules)
    with translation.override(DOCUMENT_LANGUAGE):
        pages = Pages(
            title=f"Oficina de Información y Respuesta · {request.number}",
            generated=f"{timezone.localtime():%d/%m/%Y %H:%M}",
        )

        def build() -> bytes:
            buffer = io.BytesIO()
            document = house_document(
                buffer,
                title=f"Resolución {request.number}",
                subject=f"Resolución de la solicitud de información {request.number}",
            )
            story = [*_flowables(text), Spacer(1, 12)]
            document.build(story, onFirstPage=pages.draw, onLaterPages=pages.draw)
            return buffer.getvalue()

        build()  # a first pass counts the pages for "page n of m"
        pages.total = pages.seen
        return build()
