"""Deadline compliance per centre, computed in SQL, and who may see it; the table sorted by a
column and exported as XLSX and CSV with the page's figures."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from enlace.cases import actions
from enlace.directory.models import Dependency
from enlace.reports.compliance import deadline_compliance

SV = ZoneInfo("America/El_Salvador")
URL = reverse("reports:compliance")


def at(month, day, hour=10):
    return time_machine.travel(datetime(2026, month, day, hour, tzinfo=SV), tick=False)


@pytest.fixture
def march(make_case, resolution):
    """Hospital General answers three cases in March (2, 14 and 4 business days; the claim of
    14 days was due in 10); Unidad Médica Zacamil has one claim still open and overdue."""
    with at(3, 2):
        quick = make_case(type="queja", centre="HG")
        late = make_case(type="reclamo", centre="HG")
        fair = make_case(type="queja", centre="HG")
        make_case(type="reclamo", centre="UM-ZAC")
    with at(3, 4):
        actions.do_answer_case(quick, "Respuesta", acting_user=resolution)
    with at(3, 6):
        actions.do_answer_case(fair, "Respuesta", acting_user=resolution)
    with at(3, 20):
        actions.do_answer_case(late, "Respuesta", acting_user=resolution)


@pytest.mark.django_db
def test_figures_per_centre(march):
    with at(4, 1):
        rows = {row.code: row for row in deadline_compliance(date(2026, 3, 1), date(2026, 3, 31))}
    hg, zac = rows["HG"], rows["UM-ZAC"]
    assert (hg.answered, hg.in_time, hg.open_overdue) == (3, 2, 0)
    assert hg.percent_in_time == Decimal("66.67")
    assert hg.median_business_days == Decimal(4)
    assert (zac.answered, zac.in_time, zac.open_overdue) == (0, 0, 1)
    assert zac.percent_in_time is None


@pytest.mark.django_db
def test_an_even_count_takes_the_mean_of_the_middle_two(march, make_case, resolution):
    with at(3, 9):
        case = make_case(type="queja", centre="HG")
    with at(3, 12):
        actions.do_answer_case(case, "Respuesta", acting_user=resolution)  # 3 business days
    with at(4, 1):
        (hg,) = deadline_compliance(
            date(2026, 3, 1), date(2026, 3, 31), dependency_ids=[case.dependency_id]
        )
    assert hg.answered == 4
    assert hg.median_business_days == Decimal("3.5")  # days 2, 3, 4, 14


@pytest.mark.django_db
def test_answers_outside_the_period_are_not_counted(march):
    with at(4, 1):
        rows = deadline_compliance(date(2026, 3, 5), date(2026, 3, 19))
    (hg,) = [row for row in rows if row.code == "HG"]
    assert hg.answered == 1  # only the one answered on 6 March


@pytest.mark.django_db
def test_a_liaison_sees_only_their_centre(march, liaison, outsider, client_for):
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    with at(4, 1):
        rows = client_for(liaison).get(URL, query).context["rows"]
        assert [row.code for row in rows] == ["HG"]
        rows = client_for(outsider).get(URL, query).context["rows"]
        assert [row.code for row in rows] == ["UM-ZAC"]


@pytest.mark.django_db
def test_the_page_shows_every_centre_to_analysts(march, analyst, client_for):
    with at(4, 1):
        response = client_for(analyst).get(
            URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"}
        )
    assert response.status_code == 200
    assert {row.code for row in response.context["rows"]} == {"HG", "UM-ZAC"}
    assert "66.67" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "oir"])
def test_roles_without_reports_are_refused(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


@pytest.mark.django_db
def test_a_reversed_period_is_a_form_error(analyst, client_for):
    response = client_for(analyst).get(URL, {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert response.context["rows"] == []


# --- Sorting and exporting ---------------------------------------------------------------------
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture
def three_centres(march, make_case, resolution):
    """March, and Hospital Médico Quirúrgico y Oncológico with one answer in time (1 of 1,
    100 %, 1 business day)."""
    with at(3, 9):
        case = make_case(type="queja", centre="HMQO")
    with at(3, 10):
        actions.do_answer_case(case, "Respuesta", acting_user=resolution)


def codes(response):
    return [row.code for row in response.context["rows"]]


@pytest.mark.django_db
def test_the_table_sorts_by_each_column_both_ways(three_centres, analyst, client_for):
    client = client_for(analyst)
    with at(4, 1):
        by_name = client.get(URL, MARCH)
        by_share = client.get(URL, {**MARCH, "orden": "porcentaje"})
        by_share_desc = client.get(URL, {**MARCH, "orden": "-porcentaje"})
        by_overdue_desc = client.get(URL, {**MARCH, "orden": "-vencidos"})
        by_answers = client.get(URL, {**MARCH, "orden": "respondidas"})
        unknown = client.get(URL, {**MARCH, "orden": "dependency__name; DROP"})
    assert codes(by_name) == ["HG", "HMQO", "UM-ZAC"]  # the default: by centre name
    # The share in time: 66.67 % then 100 %; Zacamil answered nothing and has no share: last
    # either way.
    assert codes(by_share) == ["HG", "HMQO", "UM-ZAC"]
    assert codes(by_share_desc) == ["HMQO", "HG", "UM-ZAC"]
    assert codes(by_overdue_desc) == ["UM-ZAC", "HG", "HMQO"]  # ties by name
    assert codes(by_answers) == ["UM-ZAC", "HMQO", "HG"]  # 0, 1, 3
    assert unknown.status_code == 200
    assert codes(unknown) == codes(by_name)  # an order not in the list is the default


@pytest.mark.django_db
def test_the_headings_link_to_their_order_and_say_it(three_centres, analyst, client_for):
    client = client_for(analyst)
    with at(4, 1):
        html = client.get(URL, {**MARCH, "orden": "-porcentaje"}).content.decode()
        default = client.get(URL, MARCH).content.decode()
    # The sorted column says so to a screen reader; its link turns the order round; the
    # others sort by themselves, ascending first; all are plain links (no script needed).
    period = "date_from=2026-03-01&amp;date_to=2026-03-31"
    assert html.count("aria-sort=") == 1
    assert (
        f'<th scope="col" aria-sort="descending" class="num"><a href="?{period}&amp;'
        'orden=porcentaje">%'
    ) in html
    assert f'href="?{period}&amp;orden=mediana"' in html
    assert f'aria-sort="ascending"><a href="?{period}&amp;orden=-centro"' in default
    # The downloads keep the period and the order.
    assert f'href="?{period}&amp;orden=-porcentaje&amp;format=csv"' in html
    assert f'href="?{period}&amp;orden=-porcentaje&amp;format=xlsx"' in html


@pytest.mark.django_db
def test_an_order_alone_takes_this_years_period(analyst, client_for):
    response = client_for(analyst).get(URL, {"orden": "-vencidos"})
    assert response.status_code == 200
    assert response.context["order"].key == "vencidos"


def page_headings(response):
    html = response.content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    cells = re.findall(r"(?s)<th[^>]*>(.*?)</th>", head)
    return [re.sub(r"<[^>]+>|[↑↓]", "", cell).strip() for cell in cells]


def page_figures(response):
    """The table's cells as the page prints them."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"(?s)<tr>(.*?)</tr>", body)
    ]


@pytest.mark.django_db
def test_the_exports_hold_the_pages_figures_in_its_order(three_centres, analyst, client_for):
    client = client_for(analyst)
    query = {**MARCH, "orden": "-respondidas"}
    with at(4, 1):
        page = client.get(URL, query)
        csv_response = client.get(URL, {**query, "format": "csv"})
        xlsx_response = client.get(URL, {**query, "format": "xlsx"})
    shown = page_figures(page)
    assert [row[0] for row in shown] == [
        "Hospital General",
        "Hospital Médico Quirúrgico y Oncológico",
        "Unidad Médica Zacamil",
    ]
    assert shown[0] == ["Hospital General", "3", "2", "66.67", "4", "0"]

    assert csv_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="cumplimiento_2026-03-01_2026-03-31.csv"'
    )
    header, *rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert header == ["Código del centro", *page_headings(page)]
    assert [row[0] for row in rows] == ["HG", "HMQO", "UM-ZAC"]
    # Every figure as the page prints it; a dash on the page is an empty cell.
    assert [[cell or "—" for cell in row[1:]] for row in rows] == shown

    assert xlsx_response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx_response.content))
    sheet = book.worksheets[0]
    assert sheet.title == "Cumplimiento de plazos"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:2] == ["Periodo", "2026-03-01 - 2026-03-31"]
    assert values[2] == header
    table = values[3:]
    assert [row[0] for row in table] == ["HG", "HMQO", "UM-ZAC"]
    assert table[0] == ["HG", "Hospital General", 3, 2, pytest.approx(0.6667), 4, 0]
    for row, printed in zip(table, shown, strict=True):
        answered, in_time, share, median, overdue = row[2:]
        assert [str(answered), str(in_time), str(overdue)] == [printed[1], printed[2], printed[5]]
        assert (f"{share * 100:.2f}" if share is not None else "—") == printed[3]
        assert (f"{median:g}" if median is not None else "—") == printed[4]


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "oir"])
def test_roles_without_reports_are_refused_the_export(persona, file_format, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL, {**MARCH, "format": file_format}).status_code == 403


@pytest.mark.django_db
def test_a_centre_liaison_exports_only_their_centre(three_centres, outsider, client_for):
    with at(4, 1):
        page = client_for(outsider).get(URL, MARCH)
        exported = client_for(outsider).get(URL, {**MARCH, "format": "csv"})
        book = client_for(outsider).get(URL, {**MARCH, "format": "xlsx"})
    assert codes(page) == ["UM-ZAC"]
    _header, *rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["UM-ZAC"]
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["UM-ZAC"]


@pytest.mark.django_db
def test_a_formula_in_a_centres_name_is_not_run(three_centres, analyst, client_for):
    Dependency.objects.filter(code="HMQO").update(name='=HYPERLINK("http://x")')
    with at(4, 1):
        exported = client_for(analyst).get(URL, {**MARCH, "format": "csv"})
    names = [row[1] for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))]
    assert '\'=HYPERLINK("http://x")' in names
