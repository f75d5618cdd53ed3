"""Deadline compliance per centre, computed in SQL, and who may see it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from enlace.cases import actions
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
