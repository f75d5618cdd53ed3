"""A person's data, as the answer to a request of access or portability gives it: JSON (a
reusable format) and PDF (to read and print), both in Spanish, the person's copy."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from enlace.core.pdf import (
    BOLD,
    GREY,
    INSTITUTION,
    NAVY,
    WIDTH,
    Pages,
    house_document,
    paragraph_style,
)
from enlace.privacy.models import SubjectRequest
from enlace.privacy.registry import Found, Holder

DOCUMENT_LANGUAGE = "es"
Results = Sequence[tuple[Holder, list[Found]]]


def as_data(request: SubjectRequest, found: Results) -> dict[str, Any]:
    with translation.override(DOCUMENT_LANGUAGE):
        return {
            "solicitud": request.number,
            "generado": timezone.localtime().isoformat(timespec="seconds"),
            "responsable": INSTITUTION,
            "registros": [
                {
                    "origen": str(holder.label),
                    "referencia": record.reference,
                    "fecha": timezone.localtime(record.when).isoformat(timespec="seconds")
                    if record.when
                    else None,
                    "datos": record.data,
                }
                for holder, records in found
                for record in records
            ],
        }


def as_json(request: SubjectRequest, found: Results) -> bytes:
    return json.dumps(as_data(request, found), ensure_ascii=False, indent=2).encode()


STYLES = {
    "title": paragraph_style("title", fontName=BOLD, fontSize=15, leading=19, textColor=NAVY),
    "h2": paragraph_style(
        "h2", fontName=BOLD, fontSize=11.5, leading=15, textColor=NAVY, spaceBefore=10, spaceAfter=4
    ),
    "body": paragraph_style("body", spaceAfter=6),
    "cell": paragraph_style("cell", fontSize=8.5, leading=11),
}


def _text(value: str) -> str:
    return "<br/>".join(html.escape(line, quote=False) for line in value.splitlines())


def as_pdf(request: SubjectRequest, found: Results) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        pages = Pages(
            title=_("Personal data · %(number)s") % {"number": request.number},
            generated=f"{timezone.localtime():%d/%m/%Y %H:%M}",
        )

        def flowables() -> list[Any]:
            return _story(request, found)

        def build() -> bytes:
            buffer = io.BytesIO()
            document = house_document(
                buffer,
                title=_("Personal data · %(number)s") % {"number": request.number},
            )
            document.build(flowables(), onFirstPage=pages.draw, onLaterPages=pages.draw)
            return buffer.getvalue()

        build()  # a first pass counts the pages for "page n of m"
        pages.total = pages.seen
        return build()


def _story(request: SubjectRequest, found: Results) -> list[Any]:
    story: list[Any] = [
        Paragraph(_text(_("Your personal data held by the institute")), STYLES["title"]),
        Spacer(1, 6),
        Paragraph(
            _text(
                _(
                    "Answer to the request %(number)s of %(name)s, received on %(date)s. "
                    "These are all the records that hold your data, found by the "
                    "identifiers you gave."
                )
                % {
                    "number": request.number,
                    "name": request.requester_name,
                    "date": f"{request.received_on:%d/%m/%Y}",
                }
            ),
            STYLES["body"],
        ),
    ]
    total = 0
    for holder, records in found:
        story.append(Paragraph(_text(f"{holder.label} ({len(records)})"), STYLES["h2"]))
        if not records:
            story.append(Paragraph(_text(_("No record.")), STYLES["body"]))
        for record in records:
            total += 1
            when = f"{timezone.localtime(record.when):%d/%m/%Y}" if record.when else ""
            rows = [
                [
                    Paragraph(f"<b>{_text(record.reference)}</b>", STYLES["cell"]),
                    Paragraph(_text(when), STYLES["cell"]),
                ]
            ]
            rows += [
                [Paragraph(_text(label), STYLES["cell"]), Paragraph(_text(value), STYLES["cell"])]
                for label, value in record.data.items()
            ]
            table = Table(rows, colWidths=[WIDTH * 0.3, WIDTH * 0.7])
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, GREY),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [table, Spacer(1, 6)]
    if not total:
        story.append(
            Paragraph(_text(_("The institute keeps no record with your data.")), STYLES["body"])
        )

    return story
