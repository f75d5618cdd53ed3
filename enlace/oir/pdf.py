"""The resolution of an information request as a PDF: the text comes from the templates per
outcome in templates/oir/resolution/ (Spanish legal text, as the document is issued whatever
the officer's interface language; the institution edits the wording there), laid out with
reportlab like the reports (enlace/reports/pdf.py): the institution and the request's number
on top of every page, "page n of m" below, and the signature block of the officer who resolved
at the end (templates/oir/resolution/signature.txt), centred with the space to sign."""

from __future__ import annotations

import html
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.enums import TA_CENTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.units import cm  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from enlace.accounts.models import User
from enlace.core.pdf import INSTITUTION, Pages, house_document, paragraph_style
from enlace.oir.deadlines import LegalRules
from enlace.oir.models import InformationRequest, RequestItem

DOCUMENT_LANGUAGE = "es"
# Where the OIR resolves: the place written with the date, on top and above the signature.
PLACE = "San Salvador"
# The signature block: the space left to sign above the line, and the line's width.
SIGNING_SPACE = 1.8 * cm
SIGNING_LINE = 7 * cm
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
    "signature": paragraph_style("oir-signature", fontSize=10, leading=13, alignment=TA_CENTER),
    "signer": paragraph_style(
        "oir-signer", fontName="Helvetica-Bold", fontSize=10, leading=13, alignment=TA_CENTER
    ),
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
                "place": PLACE,
                "received_at": timezone.localtime(request.received_at),
                "resolved_on": request.resolved_on or timezone.localdate(),
                "appeal_days": rules.appeal_days,
            },
        )


def signature_text(request: InformationRequest, officer: User | None) -> str:
    """The signature block as its template gives it: the place and date, a blank line (the
    space and the line to sign), then the officer's name (when the account has one), title,
    office and institution."""
    name = " ".join((officer.get_full_name() if officer else "").split())
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            "oir/resolution/signature.txt",
            {
                "officer_name": name,
                "institution": INSTITUTION,
                "place": PLACE,
                "resolved_on": request.resolved_on or timezone.localdate(),
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


def _signature(text: str) -> list[Any]:
    """The signature block, centred: the place and date, the space to sign, the line, and
    under it the signer (in bold) and the rest, one line each."""
    above, _blank, below = text.strip().partition("\n\n")
    lines = [line.strip() for line in below.splitlines() if line.strip()]
    story: list[Any] = [Spacer(1, 18)]
    story += [
        Paragraph(html.escape(line, quote=False), STYLES["signature"])
        for line in above.splitlines()
        if line.strip()
    ]
    story += [
        Spacer(1, SIGNING_SPACE),
        HRFlowable(
            width=SIGNING_LINE, thickness=0.7, color=colors.black, hAlign="CENTER", spaceAfter=4
        ),
    ]
    story += [
        Paragraph(html.escape(line, quote=False), STYLES["signer" if i == 0 else "signature"])
        for i, line in enumerate(lines)
    ]
    return story


def resolution_pdf(
    request: InformationRequest,
    items: list[RequestItem],
    rules: LegalRules,
    *,
    officer: User | None = None,
) -> bytes:
    """The resolution signed by `officer`, the one who resolves (without one, or an account
    without a name, the title stands alone under the line)."""
    text = resolution_text(request, items, rules)
    signature = signature_text(request, officer)
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
            body = _flowables(text)
            # The block is kept on one page with the text's last paragraph: a signature never
            # stands alone on a page of its own.
            story = [*body[:-1], KeepTogether([*body[-1:], *_signature(signature)])]
            document.build(story, onFirstPage=pages.draw, onLaterPages=pages.draw)
            return buffer.getvalue()

        build()  # a first pass counts the pages for "page n of m"
        pages.total = pages.seen
        return build()
