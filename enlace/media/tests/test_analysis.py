"""The analysis of a period against a fixture counted by hand: the page, the PDF (its text, by
pypdf) and the workbook (its cells, by openpyxl) show the same figures."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import make_user
from enlace.media.analysis import media_analysis
from enlace.media.pdf import media_report_pdf
from enlace.media.tests.factories import item, on, outlet, topic

PAGE = reverse("media:analysis")
PDF = reverse("media:analysis_pdf")
XLSX = reverse("media:analysis_xlsx")
FIRST_SEMESTER = {"date_from": "2016-01-01", "date_to": "2016-06-30"}


@pytest.fixture
def carmen(db):
    return make_user("carmen", "communications", first_name="Carmen")


@pytest.fixture
def fixture(carmen):
    lpg = outlet("lpg", "La Prensa Gráfica", "press")
    edh = outlet("edh", "El Diario de Hoy", "press")
    canal12 = outlet("canal-12", "Canal 12", "tv")
    yskl = outlet("yskl", "YSKL", "radio")
    medicines, works, pensions = topic("medicamentos"), topic("infraestructura"), topic("pensiones")
    rows = [
        # day, outlet, topic, tone, centre, medium
        ("2016-01-10", lpg, medicines, "negative", "HG", ""),
        ("2016-01-20", lpg, medicines, "negative", "HG", ""),
        ("2016-02-05", edh, works, "positive", "HG", ""),
        ("2016-02-15", canal12, medicines, "negative", "UM-ZAC", ""),
        ("2016-03-01", canal12, pensions, "neutral", None, ""),
        ("2016-03-02", yskl, works, "positive", None, ""),
        ("2016-04-30", lpg, works, "negative", "HG", "digital"),
        # Outside the semester: not counted.
        ("2015-12-31", lpg, medicines, "negative", "HG", ""),
        ("2016-07-01", edh, pensions, "positive", None, ""),
    ]
    for n, (day, where, about, tone, centre, medium) in enumerate(rows):
        item(
            carmen,
            outlet=where,
            topic=about,
            tone=tone,
            centre=centre,
            medium=medium,
            published_on=on(day),
            headline=f"Nota {n}",
        )


def pdf_text(content):
    """The PDF's text with its cells one space apart (pypdf gives a table's cells a line each)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split()) + " "


def figures(rows):
    return {row.label: (row.count, row.percent, row.tones) for row in rows}


def test_the_figures_are_those_counted_by_hand(fixture):
    found = media_analysis(date(2016, 1, 1), date(2016, 6, 30))
    assert found.total == 7
    assert [(row.key, row.count, row.percent) for row in found.by_tone] == [
        ("positive", 2, "28.57"),
        ("neutral", 1, "14.29"),  # the hundredth left over goes to the largest remainder
        ("negative", 4, "57.14"),
    ]
    media = {row.key: (row.count, row.percent) for row in found.by_medium}
    assert media["press"] == (3, "42.86")
    assert media["tv"] == (2, "28.57")
    assert sorted([media["radio"], media["digital"]]) == [(1, "14.28"), (1, "14.29")]
    assert figures(found.by_outlet) == {
        "La Prensa Gráfica": (3, "42.86", (0, 0, 3)),
        "Canal 12": (2, "28.57", (0, 1, 1)),
        "El Diario de Hoy": (1, "14.29", (1, 0, 0)),
        "YSKL": (1, "14.28", (1, 0, 0)),
    }
    assert [row.label for row in found.by_outlet][:2] == ["La Prensa Gráfica", "Canal 12"]
    topics = {row.key: row for row in found.by_topic}
    assert {
        topic("medicamentos").pk: 3,
        topic("infraestructura").pk: 3,
        topic("pensiones").pk: 1,
    } == {int(key): row.count for key, row in topics.items()}
    assert topics[str(topic("pensiones").pk)].tones == (0, 1, 0)
    centres = {row.key: (row.count, row.tones) for row in found.by_centre}
    assert sorted(centres.values()) == [(1, (0, 0, 1)), (2, (1, 1, 0)), (4, (1, 0, 3))]
    assert centres["none"] == (2, (1, 1, 0))
    for section in found.sections:
        assert sum(row.count for row in section.rows) == 7
        assert sum(Decimal(row.percent) for row in section.rows) == Decimal("100.00")
    assert found.trend_unit == "month"
    assert [(row.start, row.count) for row in found.trend] == [
        (date(2016, 1, 1), 2),
        (date(2016, 2, 1), 2),
        (date(2016, 3, 1), 2),
        (date(2016, 4, 1), 1),
        (date(2016, 5, 1), 0),
        (date(2016, 6, 1), 0),
    ]
    assert [(r.positive, r.neutral, r.negative) for r in found.trend[:4]] == [
        (0, 0, 2),
        (1, 0, 1),
        (1, 1, 0),
        (0, 0, 1),
    ]


def test_the_page_shows_them(client_for, carmen, fixture):
    response = client_for(carmen).get(PAGE, FIRST_SEMESTER)
    assert response.status_code == 200
    assert response.context["analysis"].total == 7
    html = response.content.decode()
    for text in ("La Prensa Gráfica", "42.86", "28.57", "14.29", "57.14", "14.28", "YSKL"):
        assert text in html, text
    assert 'class="bar"' in html  # the charts
    assert f"{PDF}?date_from=2016-01-01&amp;date_to=2016-06-30" in html


def test_the_pdf_shows_the_same_figures(client_for, carmen, fixture):
    response = client_for(carmen).get(PDF, FIRST_SEMESTER)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "analisis_medios_2016-01-01_2016-06-30.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    # Each table's row: name, items, share, positive, neutral, negative.
    for row in (
        "La Prensa Gráfica 3 42.86 0 0 3",
        "Canal 12 2 28.57 0 1 1",
        "El Diario de Hoy 1 14.29 1 0 0",
        "YSKL 1 14.28 1 0 0",
        "Hospital General 4 57.14 1 0 3",
        "Unidad Médica Zacamil 1 14.29 0 0 1",
        "Abastecimiento de medicamentos 3 42.86 0 0 3",
        " 2 28.57 2 0 0 ",  # positive
        " 1 14.29 0 1 0 ",  # neutral
        " 4 57.14 0 0 4 ",  # negative
    ):
        assert row in text, row
    assert text.count(" 7 100.00 2 1 4") == 5  # every section's total adds up
    # The function a scheduled report calls prints the same.
    scheduled = pdf_text(media_report_pdf(date(2016, 1, 1), date(2016, 6, 30)))
    assert "La Prensa Gráfica 3 42.86 0 0 3" in scheduled
    assert scheduled.count(" 7 100.00 2 1 4") == 5


def test_the_workbook_holds_the_same_figures(client_for, carmen, fixture):
    response = client_for(carmen).get(XLSX, FIRST_SEMESTER)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[3][1] == 7
    tones, media, outlets, topics, centres, trend = book.worksheets[1:]
    rows = {row[0]: row[1:] for row in outlets.iter_rows(min_row=2, values_only=True)}
    assert rows["La Prensa Gráfica"][0] == 3
    assert round(rows["La Prensa Gráfica"][1] * 100, 2) == 42.86
    assert rows["La Prensa Gráfica"][2:] == (0, 0, 3)
    assert rows["YSKL"][0] == 1
    assert round(rows["YSKL"][1] * 100, 2) == 14.28
    tone_rows = list(tones.iter_rows(min_row=2, values_only=True))
    assert [(r[1], round(r[2] * 100, 2)) for r in tone_rows[:3]] == [
        (2, 28.57),
        (1, 14.29),
        (4, 57.14),
    ]
    for sheet in (tones, media, outlets, topics, centres):
        total = list(sheet.iter_rows(values_only=True))[-1]
        assert total[1] == 7
        assert total[3:] == (2, 1, 4)
    months = list(trend.iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in months] == [2, 2, 2, 1, 0, 0]
    assert months[0][0].date() == date(2016, 1, 1)


def test_a_short_period_is_shown_by_week(fixture):
    found = media_analysis(date(2016, 2, 1), date(2016, 3, 6))
    assert found.trend_unit == "week"
    assert found.total == 4
    assert [(row.start, row.count) for row in found.trend] == [
        (date(2016, 2, 1), 1),  # Monday 1 February: the 5th
        (date(2016, 2, 8), 0),
        (date(2016, 2, 15), 1),
        (date(2016, 2, 22), 0),
        (date(2016, 2, 29), 2),  # 1 and 2 March
    ]


def test_an_empty_period_prints_without_figures(client_for, carmen, db):
    client = client_for(carmen)
    query = {"date_from": "2001-01-01", "date_to": "2001-01-31"}
    assert client.get(PAGE, query).context["analysis"].total == 0
    assert PdfReader(io.BytesIO(client.get(PDF, query).content)).pages
    assert client.get(XLSX, query).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2016-06-30", "date_to": "2016-01-01"},
        {"date_from": "", "date_to": "2016-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "2016-02-30", "date_to": "2016-03-01"},
        {"date_from": "garbage", "date_to": "\x00"},
        {"date_from": "2016-01-01"},
    ],
)
def test_a_bad_period_is_a_400_with_the_fields_errors(client_for, carmen, db, query):
    client = client_for(carmen)
    for url in (PAGE, PDF, XLSX):
        response = client.get(url, query)
        assert response.status_code == 400, (url, query)
        assert response.context["form"].errors


def test_without_a_period_it_shows_this_year(client_for, carmen, db):
    response = client_for(carmen).get(PAGE)
    assert response.status_code == 200
    assert response.context["analysis"].start.month == 1


def test_the_analysis_makes_a_fixed_number_of_queries(fixture, django_assert_num_queries):
    with django_assert_num_queries(5):
        media_analysis(date(2016, 1, 1), date(2016, 12, 31))
