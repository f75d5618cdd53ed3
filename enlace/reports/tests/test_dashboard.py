"""The reports dashboard: the monthly trend by local calendar month, who sees which centre, the
htmx refresh, and a number of queries that does not grow with the cases."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enlace.cases.lifecycle import CaseKind
from enlace.reports.dashboard import monthly_trend, months_of
from enlace.reports.dashboard_views import quick_periods
from enlace.reports.participation import Period

SV = ZoneInfo("America/El_Salvador")
URL = reverse("reports:dashboard")
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-04-30"}
HTMX = {"HX-Request": "true", "HX-Target": "dashboard-figures"}


def at(year, month, day, hour=10, minute=0):
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=SV), tick=False)


@pytest.fixture
def four_months(make_case):
    """January to April 2026 by local time, with cases on both sides of each month's edge;
    nothing in March."""
    with at(2025, 12, 31, 23, 30):
        make_case(type="reclamo", centre="HG")  # before the period
    with at(2026, 1, 10):
        make_case(type="reclamo", centre="HG")
    with at(2026, 1, 31, 23, 30):  # 05:30 on 1 February in UTC: still January here
        make_case(type="queja", centre="HG", limitante="tiempo_espera")
    with at(2026, 2, 1, 0, 10):
        make_case(CaseKind.INQUIRY, topic="citas")
    with at(2026, 2, 14):
        make_case(type="felicitacion", centre="UM-ZAC", limitante=None)
    with at(2026, 4, 30, 23, 30):  # 1 May in UTC: the last minutes of April here
        make_case(CaseKind.INQUIRY, topic="horarios", centre="HG")
    with at(2026, 5, 1, 0, 5):
        make_case(type="queja", centre="HG")  # after the period


def figures(trend):
    return [
        (m.month, m.opinions, m.inquiries, m.complaints, m.opinions_by_type, m.complaints_percent)
        for m in trend
    ]


def test_months_of_a_period_cross_the_year():
    assert months_of(Period(date(2025, 11, 20), date(2026, 2, 3))) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert months_of(Period(date(2026, 3, 5), date(2026, 3, 5))) == [date(2026, 3, 1)]


def test_the_quick_periods():
    periods = {str(p.label): (p.start, p.end) for p in quick_periods(date(2026, 2, 10))}
    assert list(periods.values()) == [
        (date(2026, 2, 1), date(2026, 2, 10)),  # this month
        (date(2025, 12, 1), date(2026, 2, 10)),  # the last 3 months, this one included
        (date(2026, 1, 1), date(2026, 2, 10)),  # this year
        (date(2025, 7, 1), date(2025, 12, 31)),  # the last full semester
    ]
    assert quick_periods(date(2026, 9, 30))[3].start == date(2026, 1, 1)


@pytest.mark.django_db
def test_the_trend_counts_each_case_in_its_local_month(four_months):
    trend = monthly_trend(Period(date(2026, 1, 1), date(2026, 4, 30)))
    assert figures(trend) == [
        (date(2026, 1, 1), 2, 0, 2, {"reclamo": 1, "queja": 1}, Decimal("100.00")),
        (date(2026, 2, 1), 1, 1, 0, {"felicitacion": 1}, Decimal("0.00")),
        (date(2026, 3, 1), 0, 0, 0, {}, None),  # no cases: zeros, not a missing month
        (date(2026, 4, 1), 0, 1, 0, {}, None),
    ]


@pytest.mark.django_db
def test_the_trend_of_some_centres(four_months):
    from enlace.directory.models import Dependency

    zacamil = Dependency.objects.get(code="UM-ZAC").pk
    trend = monthly_trend(Period(date(2026, 1, 1), date(2026, 4, 30)), dependency_ids=[zacamil])
    assert [(m.month.month, m.opinions, m.inquiries) for m in trend] == [
        (1, 0, 0),
        (2, 1, 0),
        (3, 0, 0),
        (4, 0, 0),
    ]


@pytest.mark.django_db
def test_the_page_shows_every_centre_to_an_analyst(four_months, analyst, client_for):
    with at(2026, 5, 2):
        response = client_for(analyst).get(URL, PERIOD)
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.opinions, board.inquiries, board.complaints) == (3, 2, 2)
    assert board.complaints_percent == Decimal("66.67")
    assert board.open_cases == 7  # every case registered, whenever received, is still open
    assert [m.opinions for m in board.trend] == [2, 1, 0, 0]
    assert response.context["centre"] is None
    html = response.content.decode()
    assert html.count('class="trend-col"') == 8  # two charts of four months
    assert "marzo 2026" in html  # the empty month has its row in the table
    assert 'href="/informes/participacion/?date_from=2026-01-01&amp;date_to=2026-04-30"' in html
    assert 'href="/informes/cumplimiento/?date_from=2026-01-01&amp;date_to=2026-04-30"' in html
    # Refreshed by htmx every minute, from the same URL.
    assert 'hx-trigger="every 60s"' in html
    assert 'hx-get="/informes/tablero/?date_from=2026-01-01&amp;date_to=2026-04-30"' in html


@pytest.mark.django_db
def test_without_a_period_it_shows_this_year(four_months, analyst, client_for):
    with at(2026, 2, 20):
        response = client_for(analyst).get(URL)
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.period.start, board.period.end) == (date(2026, 1, 1), date(2026, 2, 20))
    assert [link["current"] for link in response.context["quick_periods"]] == [
        False,
        False,
        True,
        False,
    ]


@pytest.mark.django_db
def test_a_liaison_sees_only_their_centre(four_months, liaison, client_for):
    with at(2026, 5, 2):
        response = client_for(liaison).get(URL, PERIOD)
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.opinions, board.inquiries) == (2, 1)  # Hospital General's, not Zacamil's
    assert [m.opinions for m in board.trend] == [2, 0, 0, 0]
    assert board.open_cases == 5  # with the cases of December and May
    assert response.context["centre"].code == "HG"
    html = response.content.decode()
    h1 = html[html.index("<h1>") : html.index("</h1>")]
    assert "Hospital General" in h1
    assert 'name="centre"' not in html  # one centre: nothing to pick


@pytest.mark.django_db
def test_a_liaison_cannot_pick_another_centre(four_months, outsider, client_for):
    """Another centre in the URL is ignored: the liaison still sees only their own."""
    with at(2026, 5, 2):
        response = client_for(outsider).get(URL, {**PERIOD, "centre": "Hospital General [HG]"})
    assert response.status_code == 200
    assert response.context["centre"].code == "UM-ZAC"
    board = response.context["board"]
    assert (board.opinions, board.inquiries, board.complaints) == (1, 0, 0)
    assert "Hospital General" not in response.content.decode().split("</header>")[1]


@pytest.mark.django_db
def test_an_analyst_may_pick_one_centre(four_months, analyst, client_for):
    with at(2026, 5, 2):
        response = client_for(analyst).get(URL, {**PERIOD, "centre": "Hospital General [HG]"})
    assert response.status_code == 200
    assert response.context["centre"].code == "HG"
    board = response.context["board"]
    assert (board.opinions, board.inquiries) == (2, 1)
    html = response.content.decode()
    assert '<datalist id="dashboard-centres">' in html
    assert "centre=Hospital+General+%5BHG%5D" in html  # the quick periods keep the centre


@pytest.mark.django_db
def test_an_unknown_centre_is_a_form_error(analyst, client_for):
    response = client_for(analyst).get(URL, {**PERIOD, "centre": "Hospital Imaginario"})
    assert response.status_code == 400
    assert response.context["form"].errors["centre"]
    assert "board" not in response.context


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "oir"])
def test_roles_without_reports_are_refused(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-04-30", "date_to": "2026-01-01"},
        {"date_from": "ayer", "date_to": "2026-01-01"},
        {"date_from": "2026-01-01"},
        {"date_from": "1990-01-01", "date_to": "2026-01-01"},  # too long to draw month by month
    ],
)
def test_a_bad_period_is_a_400(analyst, client_for, query):
    response = client_for(analyst).get(URL, query)
    assert response.status_code == 400
    assert not response.context["form"].is_valid()
    assert 'id="dashboard-figures"' not in response.content.decode()


@pytest.mark.django_db
def test_the_htmx_refresh_returns_only_the_figures(four_months, analyst, client_for):
    with at(2026, 5, 2):
        response = client_for(analyst).get(URL, PERIOD, headers=HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "reports/_dashboard_figures.html"
    assert "base.html" not in {t.name for t in response.templates}
    html = response.content.decode()
    assert "<html" not in html
    assert "<form" not in html
    assert 'id="dashboard-figures"' not in html  # the container stays; its content is swapped
    assert 'class="dash-cards"' in html
    assert "HX-Request" in response["Vary"]  # a cached fragment is never shown as the page


@pytest.mark.django_db
def test_the_header_links_to_the_dashboard_for_report_readers(analyst, agent, client_for):
    page = reverse("cases:list")
    assert f'href="{URL}"' in client_for(analyst).get(page).content.decode()
    assert f'href="{URL}"' not in client_for(agent).get(page).content.decode()


def _more_cases(make_case, year, month):
    """Cases of every kind, several types, channels, centres and limitantes in one month."""
    with at(year, month, 15):
        for centre in ("HG", "UM-ZAC", "CC-SJA"):
            make_case(type="reclamo", centre=centre, limitante="falta_medicamento")
            make_case(type="queja", centre=centre, limitante="tiempo_espera", channel="buzon")
            make_case(type="sugerencia", centre=centre, limitante=None, channel="facebook")
            make_case(CaseKind.INQUIRY, topic="citas", centre=centre, channel="sitio_web")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["analyst", "liaison"])
def test_the_number_of_queries_does_not_grow_with_the_cases(
    persona, request, make_case, client_for, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    _more_cases(make_case, 2026, 1)

    def queries():
        with at(2026, 5, 2), CaptureQueriesContext(connection) as captured:
            assert client.get(URL, PERIOD).status_code == 200
        return len(captured)

    few = queries()
    for month in (2, 3, 4):
        _more_cases(make_case, 2026, month)
    assert queries() == few
    # 22, and up to 4 for the headline satisfaction (enlace/surveys/results.py): 1 without a study.
    with at(2026, 5, 2), django_assert_max_num_queries(26):
        client.get(URL, PERIOD)
    with at(2026, 5, 2), django_assert_max_num_queries(26):
        client.get(URL, PERIOD, headers=HTMX)
