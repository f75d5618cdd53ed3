"""The participation report's figures (seed 003's sections), in the API and the command."""

import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from enlace.cases.actions import do_merge_case, do_void_case
from enlace.cases.lifecycle import CaseKind
from enlace.catalogues.models import InquiryTopic
from enlace.core.shares import percentages

SV = ZoneInfo("America/El_Salvador")
URL = "/api/v1/reports/participation"
PERIOD = {"from": "2016-01-01", "to": "2016-06-30"}


def test_percentages_are_rounded_as_the_seed_prints_them():
    # Seed 003: inquiries by channel group, January-June 2016.
    shares = percentages([103177, 1407, 852, 110])
    assert shares == [Decimal("97.76"), Decimal("1.33"), Decimal("0.81"), Decimal("0.10")]
    assert sum(percentages([1, 1, 1])) == Decimal("100.00")
    assert percentages([0, 0]) == [Decimal("0.00"), Decimal("0.00")]


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


def figures(rows):
    """A section's rows as (code, count, percent)."""
    return [(row["code"], row["count"], row["percent"]) for row in rows]


@pytest.mark.django_db
def test_the_report_for_a_semester(semester, analyst, client_for):
    response = client_for(analyst).get(URL, PERIOD)
    assert response.status_code == 200
    report = response.json()
    assert report["period"] == {"from": "2016-01-01", "to": "2016-06-30"}
    opinions = report["opinions"]
    assert opinions["total"] == 4
    assert figures(opinions["by_type"]) == [
        ("queja", 2, "50.00"),
        ("felicitacion", 1, "25.00"),
        ("reclamo", 1, "25.00"),
    ]
    assert opinions["by_type"][0]["name"] == "Queja"
    assert figures(opinions["by_channel"]) == [
        ("llamada_127", 2, "50.00"),
        ("buzon", 1, "25.00"),
        ("facebook", 1, "25.00"),
    ]
    groups = opinions["by_channel_group"]
    assert [(g["code"], g["name"], g["count"], g["percent"]) for g in groups] == [
        ("centro_llamadas", "Centro de Llamadas", 2, "50.00"),
        ("buzon", "Buzón de Sugerencias", 1, "25.00"),
        ("redes_sociales", "Redes Sociales", 1, "25.00"),
    ]
    assert figures(groups[2]["channels"]) == [("facebook", 1, "25.00")]
    assert figures(opinions["by_level_of_care"]) == [
        ("hospital", 2, "50.00"),
        ("clinica_comunal", 1, "25.00"),
        ("unidad_medica", 1, "25.00"),
    ]
    assert opinions["by_dependency"][0] == {
        "code": "HG",
        "name": "Hospital General",
        "level_of_care": "hospital",
        "total": 2,
        "by_type": {"reclamo": 1, "queja": 1},
    }
    complaints = opinions["complaints"]
    assert (complaints["count"], complaints["percent"]) == (3, "75.00")
    assert figures(complaints["by_limitante"]) == [
        ("tiempo_espera", 2, "66.67"),
        ("falta_medicamento", 1, "33.33"),
    ]
    assert opinions["by_level_of_care"][0]["complaints"] == [
        {"code": "falta_medicamento", "name": "Falta de medicamento", "count": 1},
        {"code": "tiempo_espera", "name": "Tiempo de espera prolongado", "count": 1},
    ]
    assert opinions["answered"] == {"count": 0, "percent": "0.00"}
    inquiries = report["inquiries"]
    assert inquiries["total"] == 10
    assert figures(inquiries["by_channel_group"]) == [
        ("centro_llamadas", 7, "70.00"),
        ("otros", 1, "10.00"),
        ("redes_sociales", 1, "10.00"),
        ("sitio_web", 1, "10.00"),
    ]
    assert inquiries["topics"][0] == {
        "code": "citas",
        "name": "Citas médicas (programación y confirmación)",
        "count": 9,
        "percent": "90.00",
    }


@pytest.mark.django_db
def test_void_and_merged_cases_are_not_counted(semester, analyst, client_for, make_case):
    with time_machine.travel(datetime(2016, 3, 2, 10, tzinfo=SV), tick=False):
        mistake = make_case(type="queja", centre="HG")
        duplicate = make_case(type="reclamo", centre="HG")
        kept = make_case(type="reclamo", centre="HG")
        do_void_case(mistake, "Llamada de prueba", acting_user=analyst)
        do_merge_case(duplicate, kept, acting_user=analyst)
    report = client_for(analyst).get(URL, PERIOD).json()
    assert report["opinions"]["total"] == 5  # the four, and the case the duplicate joined
    assert {row["code"]: row["count"] for row in report["opinions"]["by_type"]} == {
        "reclamo": 2,
        "queja": 2,
        "felicitacion": 1,
    }


@pytest.mark.django_db
def test_opinions_to_classify_and_topics_beyond_the_ten_have_their_own_line(
    analyst, client_for, make_case
):
    with time_machine.travel(datetime(2016, 3, 1, 10, tzinfo=SV), tick=False):
        make_case(type="reclamo")
        make_case(opinion_type=None, to_classify=True, dependency=None, limitante=None)
        topics = list(InquiryTopic.objects.order_by("code").values_list("code", flat=True))
        assert len(topics) > 10
        for code in topics[:11]:
            make_case(CaseKind.INQUIRY, topic=code)
    report = client_for(analyst).get(URL, PERIOD).json()
    assert figures(report["opinions"]["by_type"]) == [
        ("reclamo", 1, "50.00"),
        ("to_classify", 1, "50.00"),
    ]
    assert report["opinions"]["by_type"][1]["name"] == "Por clasificar"
    assert figures(report["opinions"]["by_level_of_care"])[-1] == ("none", 1, "50.00")
    topics_rows = report["inquiries"]["topics"]
    assert len(topics_rows) == 11
    assert (topics_rows[-1]["code"], topics_rows[-1]["name"], topics_rows[-1]["count"]) == (
        "others",
        "Otros",
        1,
    )
    assert sum(row["count"] for row in topics_rows) == report["inquiries"]["total"] == 11
    assert sum(Decimal(row["percent"]) for row in topics_rows) == Decimal("100.00")


@pytest.mark.django_db
def test_the_json_keys_and_codes_do_not_depend_on_the_language(semester, analyst, client_for):
    client = client_for(analyst)
    spanish = client.get(URL, PERIOD, headers={"accept-language": "es"}).json()
    english = client.get(URL, PERIOD, headers={"accept-language": "en"}).json()

    def codes(value):
        if isinstance(value, dict):
            return {k: codes(v) for k, v in value.items() if k != "name"}
        if isinstance(value, list):
            return [codes(item) for item in value]
        return value

    assert codes(spanish) == codes(english)
    assert spanish["inquiries"]["by_channel_group"][1]["name"] == "Otros"
    assert english["inquiries"]["by_channel_group"][1]["name"] == "Others"


@pytest.mark.django_db
def test_a_liaison_gets_their_centres_report(semester, liaison, client_for):
    report = client_for(liaison).get(URL, PERIOD).json()
    assert report["opinions"]["total"] == 2
    assert [row["code"] for row in report["opinions"]["by_dependency"]] == ["HG"]
    assert report["inquiries"]["total"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "oir"])
def test_roles_without_reports_are_refused(persona, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(URL, PERIOD)
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.django_db
def test_an_anonymous_caller_is_refused(client):
    assert client.get(URL, PERIOD).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"from": "2016-06-30", "to": "2016-01-01"}, {"from": "ayer", "to": "2016-01-01"}, {}]
)
def test_a_bad_period_is_a_clear_4xx(analyst, client_for, query):
    response = client_for(analyst).get(URL, query)
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.django_db
def test_the_command_writes_the_same_json(semester, tmp_path):
    output = tmp_path / "report.json"
    call_command(
        "report",
        "participation",
        "--from",
        "2016-01-01",
        "--to",
        "2016-06-30",
        "--output",
        str(output),
    )
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["opinions"]["total"] == 4
    assert report["inquiries"]["by_channel_group"][0]["percent"] == "70.00"
    with pytest.raises(CommandError, match="not a date"):
        call_command("report", "participation", "--from", "enero", "--to", "2016-06-30")


PAGE = "/informes/participacion/"


@pytest.mark.django_db
def test_the_page_shows_each_section_with_its_table_and_chart(semester, analyst, client_for):
    response = client_for(analyst).get(PAGE, {"date_from": "2016-01-01", "date_to": "2016-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Queja" in html
    assert "Tiempo de espera prolongado" in html
    assert [
        (bar.label, bar.count, str(bar.percent)) for bar in response.context["inquiry_groups"]
    ] == [
        ("Centro de Llamadas", 7, "70.00"),
        ("Otros", 1, "10.00"),
        ("Redes Sociales", 1, "10.00"),
        ("Sitio Web", 1, "10.00"),
    ]
    assert "75.00% de las opiniones (3)" in html
    assert [(bar.label, bar.count) for bar in response.context["by_channel_group"][2].channels] == [
        ("Facebook", 1)
    ]
    hospital = response.context["levels"][0]
    assert (hospital["count"], hospital["percent"]) == (2, "50.00")
    assert hospital["centres"][0]["code"] == "HG"
    assert html.count('class="bar"') >= 10


@pytest.mark.django_db
def test_the_page_is_refused_to_roles_without_reports(agent, client_for):
    assert client_for(agent).get(PAGE).status_code == 403


@pytest.mark.django_db
def test_the_page_of_a_liaison_shows_their_centre(semester, outsider, client_for):
    response = client_for(outsider).get(PAGE, {"date_from": "2016-01-01", "date_to": "2016-06-30"})
    assert response.context["report"]["opinions"]["total"] == 1
    assert [d["code"] for d in response.context["report"]["opinions"]["by_dependency"]] == [
        "UM-ZAC"
    ]


@pytest.mark.django_db
def test_a_reversed_period_on_the_page_is_a_form_error(analyst, client_for):
    response = client_for(analyst).get(PAGE, {"date_from": "2016-06-30", "date_to": "2016-01-01"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_xlsx_has_one_sheet_per_section_with_real_numbers(semester, analyst, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(analyst).get(
        PAGE, {"date_from": "2016-01-01", "date_to": "2016-06-30", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2016-06-30.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == [
        "Resumen",
        "Clasificación de opiniones",
        "Medios de participación",
    ]
    inquiries = book["Consultas o gestiones"]
    rows = list(inquiries.iter_rows(values_only=True))
    assert rows[0] == ("Canal de recepción", "Total", "%")
    assert rows[1] == ("Centro de Llamadas", 7, 0.7)
    assert inquiries["C2"].number_format == "0.00%"
    assert sum(row[2] for row in rows[1:]) == pytest.approx(1.0)


@pytest.mark.django_db
def test_the_command_writes_an_xlsx(semester, tmp_path):
    from openpyxl import load_workbook

    output = tmp_path / "report.xlsx"
    call_command(
        "report",
        "participation",
        "--from",
        "2016-01-01",
        "--to",
        "2016-06-30",
        "--format",
        "xlsx",
        "--output",
        str(output),
    )
    summary = load_workbook(output)["Resumen"]
    assert list(summary.iter_rows(values_only=True))[1:] == [
        ("Opiniones", 4, None),
        ("Opiniones respondidas", 0, 0),
        ("Quejas y reclamos", 3, 0.75),
        ("Consultas", 10, None),
    ]
