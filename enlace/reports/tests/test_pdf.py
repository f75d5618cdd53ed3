"""The participation report as a PDF: its figures read back from the file, who may have it, and
the command that writes it."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from enlace.cases.lifecycle import CaseKind
from enlace.core.pdf import INSTITUTION
from enlace.reports.participation import rows
from enlace.reports.pdf import fit, number, participation_pdf

SV = ZoneInfo("America/El_Salvador")
PAGE = "/informes/participacion/"
PERIOD = {"date_from": "2016-01-01", "date_to": "2016-06-30"}


def pages_of(content: bytes) -> list[str]:
    """The text of each page, its runs of white space made one space (table cells come out one
    per line)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def text_of(content: bytes) -> str:
    return " ".join(pages_of(content))


@pytest.fixture
def semester(make_case):
    with time_machine.travel(datetime(2016, 3, 1, 10, tzinfo=SV), tick=False):
        make_case(type="reclamo", centre="HG", limitante="falta_medicamento")
        make_case(type="queja", centre="HG", limitante="tiempo_espera", channel="buzon")
        make_case(type="queja", centre="UM-ZAC", limitante="tiempo_espera")
        make_case(type="felicitacion", centre="CC-SJA", limitante=None, channel="facebook")
        for channel in ["llamada_127"] * 6 + ["facebook", "sitio_web", "otro"]:
            make_case(CaseKind.INQUIRY, topic="citas", channel=channel)
        make_case(CaseKind.INQUIRY, topic="horarios")
    with time_machine.travel(datetime(2016, 7, 1, 10, tzinfo=SV), tick=False):
        make_case(type="reclamo", centre="HG")  # outside the period


@pytest.mark.django_db
def test_the_pdf_has_every_section_with_its_figures(semester, analyst, client_for):
    response = client_for(analyst).get(PAGE, {**PERIOD, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="participacion_2016-01-01_2016-06-30.pdf"'
    )
    text = text_of(response.content)
    assert "Medios de participación ciudadana" in text
    assert "Periodo: 1 de enero de 2016 \N{EN DASH} 30 de junio de 2016" in text
    assert "se recibieron 4 opiniones sobre el servicio recibido y 10 consultas" in text
    assert "Resumen Total Opiniones 4 Opiniones respondidas 0 Consultas 10" in text
    assert "Se ha respondido el 0.00% de las opiniones (0)." in text
    # Opinions by type and by channel group (its channels below), most frequent first, with a
    # Total row.
    assert "Queja 2 50.00% Felicitación 1 25.00% Reclamo 1 25.00% Total 4 100.00%" in text
    assert (
        "Centro de Llamadas 2 50.00% Centro de Llamadas 127 2 50.00% "
        "Buzón de Sugerencias 1 25.00% Buzón de Sugerencias 1 25.00%"
    ) in text
    # Complaints and claims: 3 of 4 opinions, and their limitantes.
    assert "El 75.00% de las opiniones (3) corresponde a quejas y reclamos" in text
    assert "Tiempo de espera prolongado 2 66.67% Falta de medicamento 1 33.33% Total 3" in text
    # Levels of care, and each level's centres by type (Queja, Felicitación, Reclamo).
    assert "Hospitales y consultorios de especialidades 2 50.00%" in text
    assert "Hospital General 1 0 1 2 Total 1 0 1 2" in text
    assert "Unidad Médica Zacamil 1 0 0 1" in text
    # Inquiries by channel group, as seed 003 prints them.
    assert "Canal de recepción Total" in text
    assert (
        "Centro de Llamadas 7 70.00% Otros 1 10.00% Redes Sociales 1 10.00% Sitio Web 1 10.00% "
        "Total 10 100.00%"
    ) in text
    assert "Citas médicas (programación y confirmación) 9 90.00%" in text


@pytest.mark.django_db
def test_every_page_has_the_institution_the_date_and_its_number(semester, analyst, client_for):
    response = client_for(analyst).get(PAGE, {**PERIOD, "format": "pdf"})
    pages = pages_of(response.content)
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert len(pages) >= 2
    for index, page in enumerate(pages, start=1):
        assert INSTITUTION in page
        assert today in page
        assert re.search(rf"\b{index} \w+ {len(pages)}\b", page)


@pytest.mark.django_db
def test_the_numbers_are_printed_as_the_seed_prints_them(db):
    # Seed 003: inquiries by channel group, January-June 2016.
    groups = [
        ("Centro de Llamadas", 103177),
        ("Redes Sociales", 1407),
        ("Sitio Web", 852),
        ("Otros", 110),
    ]
    report = {
        "period": {"from": "2016-01-01", "to": "2016-06-30"},
        "opinions": {
            "total": 0,
            "answered": {"count": 0, "percent": "0.00"},
            "by_type": [],
            "by_channel": [],
            "by_channel_group": [],
            "complaints": {"count": 0, "percent": "0.00", "by_limitante": []},
            "by_level_of_care": [],
            "by_dependency": [],
        },
        "inquiries": {
            "total": 105546,
            "by_channel_group": rows([(name, name, count) for name, count in groups]),
            "topics": [],
        },
        "social_networks": [],
        "information_media": [],
    }
    text = text_of(participation_pdf(report))
    assert "Centro de Llamadas 103,177 97.76%" in text
    assert "Redes Sociales 1,407 1.33% Sitio Web 852 0.81% Otros 110 0.10%" in text
    assert "Total 105,546 100.00%" in text
    assert "0 opiniones sobre el servicio recibido y 105,546 consultas" in text


def test_numbers_have_thousands_with_a_comma():
    assert number(103177) == "103,177"
    assert number(2365) == "2,365"
    assert number(7) == "7"


def test_long_labels_are_shortened_to_fit_their_room():
    name = "Oficina de Información y Respuesta de la Unidad de Comunicaciones y Atención"
    short = fit(name, 120)
    assert short.endswith("…")
    assert fit(short, 120) == short  # it fits now
    assert len(short) < len(name)
    assert name.startswith(short[:-1])
    assert fit("Facebook", 120) == "Facebook"


@pytest.mark.django_db
def test_a_liaison_gets_only_their_centres_figures(semester, liaison, client_for):
    response = client_for(liaison).get(PAGE, {**PERIOD, "format": "pdf"})
    assert response.status_code == 200
    text = text_of(response.content)
    assert "se recibieron 2 opiniones sobre el servicio recibido y 0 consultas" in text
    assert "Hospital General 1 1 2" in text
    assert "Zacamil" not in text
    assert "Clínica Comunal" not in text
    assert "Felicitación" not in text


@pytest.mark.django_db
def test_the_pdf_is_refused_to_roles_without_reports(semester, agent, client_for):
    response = client_for(agent).get(PAGE, {**PERIOD, "format": "pdf"})
    assert response.status_code == 403
    assert response["Content-Type"] != "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "period",
    [{"date_from": "2016-06-30", "date_to": "2016-01-01"}, {"date_from": "ayer"}],
)
def test_a_bad_period_is_a_400_not_a_pdf(analyst, client_for, period):
    response = client_for(analyst).get(PAGE, {**period, "format": "pdf"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_page_links_to_the_pdf(analyst, client_for):
    html = client_for(analyst).get(PAGE, PERIOD).content.decode()
    assert "date_from=2016-01-01&amp;date_to=2016-06-30&amp;format=pdf" in html


@pytest.mark.django_db
def test_the_command_writes_a_pdf(semester, tmp_path):
    output = tmp_path / "participacion.pdf"
    period = ["--from", "2016-01-01", "--to", "2016-06-30"]
    call_command("report", "participation", *period, "--format", "pdf", "--output", str(output))
    text = text_of(output.read_bytes())
    assert "Resumen Total Opiniones 4 Opiniones respondidas 0 Consultas 10" in text
    assert "Centro de Llamadas 7 70.00%" in text
    with pytest.raises(CommandError, match="needs --output"):
        call_command("report", "participation", *period, "--format", "pdf")
