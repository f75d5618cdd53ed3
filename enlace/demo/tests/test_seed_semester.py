"""The demo's 2016 is seeds 003 and 002: the participation report for January-June shows seed
003's published figures (its social networks' at June included) in HTML, PDF, XLSX and JSON,
and the four renderings agree; the mechanisms report for the year shows seed 002's table.

The semester (107,911 cases) is loaded once for the module by `seed_demo` itself (its own path:
the historical import), in a transaction rolled back when the module ends; each test runs inside
it in a savepoint.
"""

import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from enlace.cases.models import Case
from enlace.demo.semester import INQUIRIES, OPINIONS

PERIOD = {"date_from": "2016-01-01", "date_to": "2016-06-30"}
INQUIRY_TABLE = [  # seed 003, "CONSULTAS O GESTIONES"
    ("Centro de Llamadas", 103_177, "97.76"),
    ("Redes Sociales", 1_407, "1.33"),
    ("Sitio Web", 852, "0.81"),
    ("Otros", 110, "0.10"),
]


@pytest.fixture(scope="module")
def semester(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # Whatever tests ran before in this process (a transactional test leaves its tables
        # flushed), the reference data is the repository's: every app's post-migrate loading
        # (deadline policies, media topics, ...) and the data files brought back.
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        call_command("load_directory", verbosity=0)
        call_command("load_catalogues", verbosity=0)
        call_command("load_mechanisms", verbosity=0)
        assert not Case.objects.exists()  # seed_demo adds cases only to an empty table
        out = io.StringIO()
        call_command(
            "seed_demo",
            "--opinions",
            "0",
            "--inquiries",
            "0",
            "--no-seed-studies",
            "--force",
            stdout=out,
        )
        assert f"seed 003: {OPINIONS + INQUIRIES} cases created" in out.getvalue()
        yield
        transaction.set_rollback(True)


def test_the_json_report_is_the_seed(semester, analyst, client_for):
    response = client_for(analyst).get(
        "/api/v1/reports/participation", {"from": "2016-01-01", "to": "2016-06-30"}
    )
    report = response.json()
    assert report["opinions"]["total"] == 2_365
    assert report["inquiries"]["total"] == 105_546
    groups = [
        (g["name"], g["count"], g["percent"]) for g in report["inquiries"]["by_channel_group"]
    ]
    assert groups == INQUIRY_TABLE
    levels = {row["code"]: row["count"] for row in report["opinions"]["by_level_of_care"]}
    assert levels["hospital"] == 1_323
    assert levels["unidad_medica"] == 828
    # The call centre is the most used channel for opinions, then the box, then social networks.
    assert [g["name"] for g in report["opinions"]["by_channel_group"]][:3] == [
        "Centro de Llamadas",
        "Buzón de Sugerencias",
        "Redes Sociales",
    ]
    # Claims first, then suggestions; claims and complaints are 78.5 % of the opinions.
    assert [row["code"] for row in report["opinions"]["by_type"]][:2] == ["reclamo", "sugerencia"]
    complaints = report["opinions"]["complaints"]
    assert round(100 * complaints["count"] / 2_365, 1) == 78.5
    assert complaints["percent"] == f"{100 * complaints['count'] / 2_365:.2f}"


def test_the_command_writes_the_same_json(semester, tmp_path):
    path = tmp_path / "informe.json"
    call_command(
        "report", "participation", "--from", "2016-01-01", "--to", "2016-06-30", "--output", path
    )
    report = json.loads(path.read_text(encoding="utf-8"))
    assert (report["opinions"]["total"], report["inquiries"]["total"]) == (2_365, 105_546)


def test_the_page_shows_the_seed(semester, analyst, client_for):
    page = client_for(analyst).get("/informes/participacion/", PERIOD).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    for figure in ("2,365", "105,546", "1,323", "828", "103,177", "1,407", "852", "110"):
        assert figure in text
    for group, total, percent in INQUIRY_TABLE:
        assert f"{group} {total:,} {percent}" in text, group


def test_the_pdf_shows_the_seed(semester, analyst, client_for):
    response = client_for(analyst).get("/informes/participacion/", {**PERIOD, "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    for figure in ("2,365", "105,546", "1,323", "828"):
        assert figure in text
    for group, total, percent in INQUIRY_TABLE:
        assert f"{group} {total:,} {percent}%" in text, group
    assert "Total 105,546 100.00%" in text


def test_the_xlsx_shows_the_seed(semester, analyst, client_for):
    response = client_for(analyst).get("/informes/participacion/", {**PERIOD, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = {
        name: [list(row) for row in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
    }
    summary = [row[:2] for row in cells["Resumen"]]
    assert ["Opiniones", 2_365] in summary
    assert ["Consultas", 105_546] in summary
    inquiries = cells["Consultas o gestiones"]
    for (group, total, percent), row in zip(INQUIRY_TABLE, inquiries[1:], strict=True):
        assert row[:2] == [group, total]  # numbers, not text
        assert row[2] == pytest.approx(float(percent) / 100, abs=5e-7)
    levels = {row[0]: row[1] for row in cells["Opiniones por nivel de atención"][1:]}
    assert levels["Hospitales y consultorios de especialidades"] == 1_323
    # The most frequent complaints of each level, as the seed lists them.
    frequent = cells["Reclamos por nivel"]
    assert frequent[0] == ["Nivel de atención", "Limitante", "Total"]
    assert len({row[0] for row in frequent[1:]}) >= 3


# Each section of the report: where its rows are in the JSON, and its sheet in the XLSX.
SECTIONS = [
    (("opinions", "by_type"), "Clasificación de opiniones"),
    (("opinions", "by_channel_group"), "Medios de participación"),
    (("opinions", "complaints", "by_limitante"), "Limitantes"),
    (("opinions", "by_level_of_care"), "Opiniones por nivel de atención"),
    (("inquiries", "by_channel_group"), "Consultas o gestiones"),
    (("inquiries", "topics"), "Consultas más frecuentes"),
]


def test_the_page_the_pdf_the_xlsx_and_the_json_give_the_same_figures(
    semester, analyst, client_for
):
    client = client_for(analyst)
    report = client.get(
        "/api/v1/reports/participation", {"from": "2016-01-01", "to": "2016-06-30"}
    ).json()
    page = client.get("/informes/participacion/", PERIOD).content.decode()
    page_text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    pdf = client.get("/informes/participacion/", {**PERIOD, "format": "pdf"}).content
    pdf_text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    xlsx = client.get("/informes/participacion/", {**PERIOD, "format": "xlsx"}).content
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    checked = 0
    for path, sheet in SECTIONS:
        rows = report
        for key in path:
            rows = rows[key]
        assert rows, path
        total = sum(row["count"] for row in rows)
        assert sum(Decimal(row["percent"]) for row in rows) == Decimal("100.00"), path
        # Every section's rows add up to its total: nothing is left out of a column.
        whole = report[path[0]]["total"] if path[-1] != "by_limitante" else None
        assert total == (whole if whole is not None else report["opinions"]["complaints"]["count"])
        sheet_rows = {
            (row[0], (row[1] or "") if len(row) == 4 else ""): row[-2:]
            for row in book[sheet].iter_rows(min_row=2, values_only=True)
        }
        for row in rows:
            lines = [row, *row.get("channels", [])]
            for line in lines:
                figure = f"{line['name']} {line['count']:,} {line['percent']}"
                assert figure in page_text, (path, figure)
                assert f"{figure}%" in pdf_text, (path, figure)
                key = (row["name"], "" if line is row else line["name"])
                count, fraction = sheet_rows[key]
                assert count == line["count"], (path, key)
                assert fraction == pytest.approx(float(line["percent"]) / 100, abs=5e-7)
                checked += 1
    assert checked > 40


# --- Seed 003's social networks and information media at June 2016 ---------------------------
SOCIAL_JUNE = ["19,416", "61.00%", "39.00%", "25-34", "43,700", "18,200", "1,925", "2,744"]
SOCIAL_JUNE += ["68,194", "446", "178"]


def test_the_participation_report_gains_the_social_networks_at_the_period_end(
    semester, analyst, client_for
):
    client = client_for(analyst)
    report = client.get(
        "/api/v1/reports/participation", {"from": "2016-01-01", "to": "2016-06-30"}
    ).json()
    accounts = {row["handle"]: row for row in report["social_networks"]}
    facebook = accounts["Instituto Salvadoreño del Seguro Social"]
    assert (facebook["on"], facebook["followers"]) == ("2016-06-30", 19_416)
    assert {a["band"]: a["percent"] for a in facebook["audience"] if a["dimension"] == "sex"} == {
        "women": "61.00",
        "men": "39.00",
    }
    assert (accounts["@isss_gob_sv"]["followers"], accounts["@isss_gob_sv"]["posts"]) == (
        43_700,
        18_200,
    )
    assert (accounts["@ISSS_Atento"]["followers"], accounts["@ISSS_Atento"]["posts"]) == (
        1_925,
        2_744,
    )
    youtube = accounts["InformacionesISSS"]
    assert (youtube["views"], youtube["posts"], youtube["followers"]) == (68_194, 446, 178)
    media = {row["code"]: row for row in report["information_media"]}
    assert (media["bulletin_board"]["in_offices"], media["bulletin_board"]["in_centres"]) == (
        14,
        82,
    )
    assert media["tv_screen"]["centres"] == 29

    page = html.unescape(client.get("/informes/participacion/", PERIOD).content.decode())
    pdf = client.get("/informes/participacion/", {**PERIOD, "format": "pdf"}).content
    pdf_text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )
    book = load_workbook(
        io.BytesIO(client.get("/informes/participacion/", {**PERIOD, "format": "xlsx"}).content),
        read_only=True,
    )
    cells = {
        str(cell) for row in book["Redes Sociales"].iter_rows(values_only=True) for cell in row
    }
    for figure in SOCIAL_JUNE:
        assert figure in page, figure
        assert figure in pdf_text, figure
    for number in (19_416, 43_700, 18_200, 1_925, 2_744, 68_194, 446, 178):
        assert str(number) in cells
    for text in ("Redes Sociales", "Cartelera informativa", "Pantalla de ISSS TV"):
        assert text in page
        assert text in pdf_text


# --- Seed 002: the mechanisms report for 2016 ---------------------------------------------------
# Every figure of seed 002's table that the data reproduces, as the report prints it.
SEED_002 = [
    "3,658",  # campañas de salud
    "38 centros de atención apoyaron (38 Clínicas comunales)",
    "18 eventos",  # festivales
    "34 centros de atención apoyaron",
    "18 lugares visitados",
    "682 opiniones",  # centro de llamadas
    "146 opiniones",  # redes sociales
    "87 opiniones",  # buzón
    "54 opiniones",  # departamento de atención al usuario
    "46 opiniones",  # sitio web
    "15 opiniones",  # OIR
    "Facebook 1,648",
    "X (Twitter) 1,682",
    "YouTube 12,661",
    "Facebook de 15,188 a 21,097",
    "@isss_gob_sv de 39,400 a 45,337 (+5,937)",
    "@ISSS_Atento de 1,785 a 2,030 (+245)",
    "jueves 26 de mayo de 2016",
    "Parque Central Rafael Campo",
    "martes 13 de diciembre de 2016",
    "Plaza Cívica Capitán Gerardo Barrios",
]
PLACES = ["Ahuachapán", "Chalchuapa", "Ciudad Arce", "El Paisnal", "Huizúcar", "Ilobasco"]
PLACES += ["La Unión", "Olocuilta", "San Martín", "San Miguel", "San Pedro Perulapán"]
PLACES += ["San Rafael Cedros", "San Vicente", "Santiago Nonualco", "Usulután", "Zacatecoluca"]
PLACES += ["Zaragoza"]


def test_the_mechanisms_json_is_seed_002(semester, analyst, client_for):
    report = client_for(analyst).get("/api/v1/reports/mechanisms", {"year": 2016}).json()
    by_code = {m["code"]: m for m in report["mechanisms"]}
    campaigns, festivals = by_code["campanas_salud"]["events"], by_code["ferias_salud"]["events"]
    assert (campaigns["count"], campaigns["centres"]) == (3_658, 38)
    assert campaigns["centres_by_level"] == [
        {"code": "clinica_comunal", "name": "Clínicas comunales", "count": 38}
    ]
    assert (festivals["count"], festivals["centres"], festivals["places"]) == (18, 34, 18)
    # The data's shares of the 18 places (the seed prints those of 17: docs/seed-figures.md).
    assert [(r["code"], r["count"], r["percent"]) for r in festivals["by_region"]] == [
        ("san_salvador", 5, "27.78"),
        ("central", 8, "44.44"),
        ("occidente", 2, "11.11"),
        ("oriente", 3, "16.67"),
    ]
    opinions = {code: m["opinions"]["count"] for code, m in by_code.items() if m["opinions"]}
    assert opinions == {
        "centro_llamadas": 682,
        "redes_sociales": 146,
        "buzon_sugerencias": 87,
        "depto_atencion": 54,
        "sitio_web": 46,
        "oir": 15,
    }
    assert report["opinions_period"] == {"from": "2016-08-01", "to": "2016-12-31"}
    social = by_code["redes_sociales"]
    assert {r["network"]: r["count"] for r in social["interactions_by_network"]} == {
        "Facebook": 1_648,
        "X (Twitter)": 1_682,
        "YouTube": 12_661,
    }
    growth = {
        a["handle"]: (a["followers_from"], a["followers_to"], a["growth"])
        for a in social["accounts"]
    }
    assert growth["Instituto Salvadoreño del Seguro Social"] == (15_188, 21_097, 5_909)
    assert growth["@isss_gob_sv"] == (39_400, 45_337, 5_937)
    assert growth["@ISSS_Atento"] == (1_785, 2_030, 245)
    fairs = by_code["ferias_transparencia"]["events"]["listed"]
    assert [(f["starts_on"], f["venue"], f["municipality"]) for f in fairs] == [
        ("2016-05-26", "Parque Central Rafael Campo", "Sonsonate"),
        ("2016-12-13", "Plaza Cívica Capitán Gerardo Barrios", "San Salvador"),
    ]
    assert "rendicion_cuentas" not in by_code  # no accountability event in 2016


def test_the_mechanisms_page_pdf_xlsx_and_command_show_seed_002(
    semester, analyst, client_for, tmp_path
):
    client = client_for(analyst)
    page = html.unescape(client.get("/informes/mecanismos/", {"year": 2016}).content.decode())
    page = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    pdf = client.get("/informes/mecanismos/", {"year": 2016, "format": "pdf"}).content
    pdf_text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )
    xlsx = client.get("/informes/mecanismos/", {"year": 2016, "format": "xlsx"}).content
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    sheet_text = " ".join(
        " ".join(str(cell).split())
        for row in book["Mecanismos"].iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    figures = {
        (row[0], row[1]): row[2] for row in book["Cifras"].iter_rows(min_row=2, values_only=True)
    }
    call_command("report", "mechanisms", "--year", "2016", "--output", str(tmp_path / "m.json"))
    command = json.loads((tmp_path / "m.json").read_text())
    for text in [*SEED_002, *PLACES, "CAMPAÑAS DE SALUD", "Sistema Estadístico de Salud (SES)"]:
        if text.isupper():
            assert text in pdf_text, text
            continue
        assert text in page, text
        assert text in pdf_text, text
        assert text in sheet_text, text
    assert figures[("Campañas de salud", "Eventos")] == 3_658
    assert figures[("Centro de llamadas", "Opiniones")] == 682
    assert (
        figures[("Redes sociales (Twitter, Facebook y canal de YouTube)", "Interacciones: YouTube")]
        == 12_661
    )
    api = client.get("/api/v1/reports/mechanisms", {"year": 2016}).json()
    assert command["mechanisms"] == api["mechanisms"]


def test_the_mechanisms_report_is_refused_to_a_liaison_and_an_agent(
    semester, liaison, agent, client_for
):
    for user in (liaison, agent):
        client = client_for(user)
        assert client.get("/informes/mecanismos/", {"year": 2016}).status_code == 403
        assert client.get("/api/v1/reports/mechanisms", {"year": 2016}).status_code == 403


def test_a_bad_year_is_a_clear_error(semester, analyst, client_for):
    client = client_for(analyst)
    response = client.get("/informes/mecanismos/", {"year": "9999"})
    assert response.status_code == 400
    assert "menor o igual" in response.content.decode()
    assert client.get("/api/v1/reports/mechanisms", {"year": "abc"}).status_code == 422


def test_the_demo_keeps_its_rollups_exact_and_the_reports_read_the_same_from_them(semester):
    """`seed_demo`'s own writes (the import, the bulk inserts, the actions) left the rollups
    equal to the cases, and the report and the trend read the same figures from either."""
    from datetime import date, timedelta

    from django.utils import timezone

    from enlace.cases import rollups
    from enlace.cases.models import RollupCheck
    from enlace.reports.dashboard import monthly_trend
    from enlace.reports.participation import Period, participation_report

    rollups.fold()
    today = timezone.localdate()
    assert rollups.verify(date(2016, 1, 1), today + timedelta(days=1), repair=False) == 0
    RollupCheck.objects.create(kind=RollupCheck.Kind.REBUILT, at=timezone.now())
    semester_period, year = (
        Period(date(2016, 1, 1), date(2016, 6, 30)),
        Period(date(2016, 1, 10), date(2016, 12, 20)),
    )
    from_rollups = [participation_report(semester_period), monthly_trend(year)]
    assert from_rollups[0]["opinions"]["total"] == OPINIONS
    RollupCheck.objects.all().delete()
    assert not rollups.ready()
    assert [participation_report(semester_period), monthly_trend(year)] == from_rollups
