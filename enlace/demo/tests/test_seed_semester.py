"""The demo's January-June 2016 is seed 003: the participation report for that semester shows
the seed's published figures in HTML, PDF, XLSX and JSON.

The semester (107,911 cases) is loaded once for the module, through the historical import, in
a transaction rolled back when the module ends; each test runs inside it in a savepoint.
"""

import io
import json
import random
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from enlace.demo.management.commands.seed_demo import INQUIRY_TOPICS, LIMITANTES
from enlace.demo.semester import INQUIRIES, OPINIONS, SOURCE_NAME, Semester
from enlace.imports.actions import do_import_cases
from enlace.imports.readers import RowsSource

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
        rows = Semester(random.Random(2016), limitantes=LIMITANTES, topics=INQUIRY_TOPICS)
        result = do_import_cases(RowsSource(rows.rows(), SOURCE_NAME), actor=None)
        assert result.committed, result.first_problems[:5]
        assert result.imported == OPINIONS + INQUIRIES
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
        (g["group"], g["total"], g["percent"]) for g in report["inquiries"]["by_channel_group"]
    ]
    assert groups == INQUIRY_TABLE
    levels = report["opinions"]["by_level_of_care"]
    assert levels["hospital"] == 1_323
    assert levels["unidad_medica"] == 828
    # The call centre is the most used channel for opinions, then the box, then social networks.
    assert list(report["opinions"]["by_channel_group"])[:3] == [
        "Centro de Llamadas",
        "Buzón de Sugerencias",
        "Redes Sociales",
    ]
    # Claims first, then suggestions; claims and complaints are 78.5 % of the opinions.
    assert list(report["opinions"]["by_type"])[:2] == ["reclamo", "sugerencia"]
    complaints = report["opinions"]["by_type"]["reclamo"] + report["opinions"]["by_type"]["queja"]
    assert round(100 * complaints / 2_365, 1) == 78.5


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
    summary = cells[book.sheetnames[0]]
    assert ["Opiniones", 2_365] in summary
    assert ["Consultas", 105_546] in summary
    inquiries = next(rows for rows in cells.values() if rows[1][0] == "Centro de Llamadas")
    for (group, total, percent), row in zip(INQUIRY_TABLE, inquiries[1:], strict=False):
        assert row[:2] == [group, total]  # numbers, not text
        assert row[2] == pytest.approx(float(percent) / 100, abs=5e-5)
    levels = next(
        rows
        for rows in cells.values()
        if rows[1][0] == "Hospitales y consultorios de especialidades"
    )
    assert levels[1][1] == 1_323
    assert levels[2][1] == 828
