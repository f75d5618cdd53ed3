"""The demo's January-June 2016 is seed 003: the participation report for that semester shows
the seed's published figures in HTML, PDF, XLSX and JSON, and the four renderings agree.

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
        # Whatever tests ran before in this process, the reference data is the repository's.
        call_command("load_directory", verbosity=0)
        call_command("load_catalogues", verbosity=0)
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
