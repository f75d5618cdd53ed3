"""The resolution reads cleanly in Spanish whatever people typed: a quotation keeps one full
stop after its closing guillemet («…por tipo».), never «…por tipo.». nor "..", and every
number agrees with its noun ("un requerimiento, el cual", "3 requerimientos, cada uno de los
cuales", "un año"). It ends with the signature block of the officer who resolved: the place
and date, the space and the line to sign, the name, title, office and institution, centred."""

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped, unused-ignore]

from enlace.core.pdf import INSTITUTION, PAGE_WIDTH
from enlace.directory.models import Dependency
from enlace.oir import actions
from enlace.oir.models import InformationRequest
from enlace.oir.pdf import SIGNING_SPACE
from enlace.oir.templatetags.resolution import clause, quoted, sentence

pytestmark = pytest.mark.django_db


def pdf_of(request: InformationRequest) -> bytes:
    request.refresh_from_db()
    with request.document.pdf.open("rb") as stored:
        content: bytes = stored.read()
    return content


def text_of(content: bytes) -> str:
    """The PDF's text, its lines joined by single spaces."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def assert_reads_cleanly(text: str) -> None:
    assert "«" in text
    assert "»" in text
    assert not re.search(r"\.\s*»\s*\.", text), "a full stop inside and after a quotation"
    assert ".." not in text
    assert not re.search(r"\.\s+\.", text), "two full stops a space apart"


@pytest.fixture
def named_officer(oir):
    oir.first_name, oir.last_name = "Olga Marina", "Martínez"
    oir.save(update_fields=["first_name", "last_name"])
    return oir


@pytest.fixture
def reserved(oir):
    return actions.do_create_reserved_entry(
        actions.NewEntry(
            reference="IR-2025-009",
            information="Expedientes disciplinarios en curso",
            dependency=Dependency.objects.get(code="HG"),
            legal_article="Art. 19 lit. e LAIP",
            cause="Su divulgación afectaría investigaciones en curso.",
            classified_on=timezone.localdate() - timedelta(days=30),
            period_years=1,
        ),
        acting_user=oir,
    )


def test_one_item_in_the_singular_and_quotations_with_one_full_stop(register, named_officer):
    request = register(description="Listado de plazas vacantes del Hospital General, por tipo.")
    actions.do_decide_item(
        request.items.get(),
        actions.Decision(outcome="delivered", answer="Se adjunta el listado de 12 plazas"),
        acting_user=named_officer,
    )
    actions.do_resolve_request(request, notes="Sin otra consideración.", acting_user=named_officer)
    text = text_of(pdf_of(request))
    assert_reads_cleanly(text)
    quotation = "«Listado de plazas vacantes del Hospital General, por tipo»."
    assert f"en la que requiere: {quotation}" in text
    assert f"Información solicitada: {quotation}" in text
    assert "se tramitó en un requerimiento, el cual fue remitido" in text
    assert "1 requerimiento" not in text
    assert "cada uno" not in text
    # The officer's texts end in one full stop, theirs or the one added.
    assert "Se adjunta el listado de 12 plazas. " in text
    assert "III. Otras consideraciones: Sin otra consideración. " in text
    # One item: the verdict is not numbered.
    assert "esta Oficina RESUELVE: entregar la información del requerimiento 1." in text
    assert "1)" not in text


def test_three_items_in_the_plural_whatever_the_punctuation_typed(register, oir, reserved):
    request = register(description="Tres cosas... ¿Cuánto costó?.")
    first = request.items.get()
    actions.do_edit_item(first, "Presupuesto 2025 del Hospital General..", acting_user=oir)
    second = actions.do_add_item(
        request, "Planilla de médicos, por especialidad. .", acting_user=oir
    )
    third = actions.do_add_item(
        request, "¿Cuántos expedientes disciplinarios hay?", acting_user=oir
    )
    actions.do_extend_request(request, "Volumen de la información solicitada.", acting_user=oir)
    for item, decision in (
        (first, actions.Decision(outcome="delivered", answer="Se adjunta el presupuesto...")),
        (second, actions.Decision(outcome="not_competent", referral="Ministerio de Salud.")),
        (third, actions.Decision(outcome="reserved", reserved_entry=reserved)),
    ):
        item.refresh_from_db()
        actions.do_decide_item(item, decision, acting_user=oir)
    request.refresh_from_db()
    actions.do_resolve_request(request, acting_user=oir)
    text = text_of(pdf_of(request))
    assert_reads_cleanly(text)
    for expected in (
        "en la que requiere: «Tres cosas… ¿Cuánto costó?».",
        "se tramitó en 3 requerimientos, cada uno de los cuales fue remitido",
        "Información solicitada: «Presupuesto 2025 del Hospital General».",
        "Información solicitada: «Planilla de médicos, por especialidad».",
        "Información solicitada: «¿Cuántos expedientes disciplinarios hay?».",
        "por la razón siguiente: Volumen de la información solicitada. ",
        "Se adjunta el presupuesto… ",
        "dirigir su solicitud a: Ministerio de Salud (art. 68 LAIP).",
        "por la causa siguiente: Su divulgación afectaría investigaciones en curso. La reserva",
        "por un plazo de un año (arts. 19, 20 y 21 LAIP)",
        "RESUELVE: 1) entregar la información del requerimiento 1; 2) declarar que el "
        "requerimiento 2 no es competencia",
        "; y 3) denegar el requerimiento 3 por tratarse de información reservada.",
    ):
        assert expected in text, expected
    assert "1 año" not in text
    assert "3 requerimiento," not in text


def test_the_resolution_ends_with_the_officers_signature_block(register, named_officer):
    request = register()
    actions.do_decide_item(
        request.items.get(),
        actions.Decision(outcome="nonexistent", answer="No existe en los archivos."),
        acting_user=named_officer,
    )
    actions.do_resolve_request(request, acting_user=named_officer)
    request.refresh_from_db()
    content = pdf_of(request)
    text = text_of(content)
    day = request.resolved_on
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]  # fmt: skip
    dated = f"San Salvador, {day.day} de {months[day.month - 1]} de {day.year}."
    block = (
        f"{dated} Olga Marina Martínez Oficial de Información Oficina de Información y "
        f"Respuesta {INSTITUTION}"
    )
    assert block in text
    assert text.index("Notifíquese") < text.index(block)

    # Laid out as a signature: each line centred on the page, the name under a space to sign.
    placed = {}

    def visit(found, cm, tm, *_font):
        """Where each line starts on the page."""
        if found.strip():
            placed[found.strip()] = (cm[4] + tm[4], cm[5] + tm[5])

    last = PdfReader(io.BytesIO(content)).pages[-1]
    last.extract_text(visitor_text=visit)
    for line in (dated, "Olga Marina Martínez", "Oficial de Información", INSTITUTION):
        assert line in placed, line
    for line, font in (
        (dated, "Helvetica"),
        ("Olga Marina Martínez", "Helvetica-Bold"),
        ("Oficial de Información", "Helvetica"),
        (INSTITUTION, "Helvetica"),
    ):
        middle = placed[line][0] + stringWidth(line, font, 10) / 2
        assert abs(middle - PAGE_WIDTH / 2) < 2, line
    name_y = placed["Olga Marina Martínez"][1]
    assert placed[dated][1] - name_y >= SIGNING_SPACE  # the space to sign
    assert placed["Oficial de Información"][1] < name_y


def test_without_a_name_on_the_account_the_title_stands_under_the_line(register, oir):
    request = register()
    actions.do_decide_item(
        request.items.get(),
        actions.Decision(outcome="withdrawn"),
        acting_user=oir,
    )
    actions.do_resolve_request(request, acting_user=oir)
    text = text_of(pdf_of(request))
    assert f"Oficial de Información Oficina de Información y Respuesta {INSTITUTION}" in text
    assert "olga" not in text


@pytest.mark.parametrize(
    ("typed", "in_quotes", "as_sentence"),
    [
        ("por tipo.", "por tipo", "por tipo."),
        ("por tipo", "por tipo", "por tipo."),
        ("por tipo..", "por tipo", "por tipo."),
        ("por tipo . . ", "por tipo", "por tipo."),
        ("y otros...", "y otros…", "y otros…"),
        ("y otros….", "y otros…", "y otros…"),
        ("¿cuánto?", "¿cuánto?", "¿cuánto?"),
        ("¡ya!.", "¡ya!", "¡ya!"),
        ("", "", ""),
        ("Quiero.\n\n## POR TANTO.", "Quiero.\n## POR TANTO", "Quiero.\n## POR TANTO."),
    ],
)
def test_the_end_of_what_people_typed_fits_the_punctuation_around_it(typed, in_quotes, as_sentence):
    assert quoted(typed) == in_quotes == clause(typed)
    assert sentence(typed) == as_sentence


def test_a_request_received_at_one_oclock_reads_in_the_singular(register, oir):
    from enlace.oir.pdf import resolution_text
    from enlace.oir.rules import legal_rules
    from enlace.oir.tests.conftest import at

    for hour, reads in ((1, "a la 01:15 horas"), (13, "a las 13:15 horas")):
        request = register(received_at=at(date(2026, 3, 2), hour, 15))
        item = request.items.get()
        actions.do_decide_item(item, actions.Decision(outcome="withdrawn"), acting_user=oir)
        text = resolution_text(request, list(request.items.all()), legal_rules())
        assert reads in text
