"""`make run`'s demo calls (enlace/demo/calls.py): a month of the line for the demo agents, fast,
with figures worth looking at, none left on an agent's console, and added once."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import make_user
from enlace.accounts.models import Role
from enlace.callcentre.figures import Period, call_figures
from enlace.callcentre.models import Call, IndicatorTarget
from enlace.callcentre.queries import current_call
from enlace.demo.calls import DAYS, seed_calls

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 5, 6, 11, 0, tzinfo=ZoneInfo("America/El_Salvador"))


@pytest.fixture
def demo_agents(db):
    return [
        make_user("agente", Role.AGENT),
        make_user("agente2", Role.AGENT),
        make_user("agente3", Role.AGENT),
        make_user("supervisor", Role.CALL_SUPERVISOR),
    ]


def test_a_month_of_calls_is_seeded_fast_and_once(demo_agents):
    started = time.monotonic()
    seeded = seed_calls(now=NOW)
    assert time.monotonic() - started < 5
    assert seeded.calls == Call.objects.count() > 1500
    assert seeded.targets == IndicatorTarget.objects.count() == 6
    assert "Demo calls" in seeded.line()
    again = seed_calls(now=NOW)
    assert (again.calls, again.targets) == (0, 0)
    assert Call.objects.count() == seeded.calls


def test_the_demo_figures_are_not_trivial(demo_agents):
    seed_calls(now=NOW)
    figures = call_figures(Period(date(2025, 4, 7), date(2025, 5, 6)))
    totals = figures.totals
    assert totals.abandoned > totals.short_abandoned > 0
    assert 55 < float(totals.service_level) < 95
    assert 2 < float(totals.abandon_rate) < 15
    assert 5 < float(totals.asa) < 30
    assert 120 < float(totals.aht) < 400
    assert {row.name.split()[0] for row in figures.by_agent} >= {"agente", "supervisor"}
    assert len(figures.by_hour) >= 10
    assert len(figures.by_wrap_up) >= 5
    assert all(item.target is not None for item in figures.assessments)
    assert any(item.met is True for item in figures.assessments)
    # Sundays are closed; today has calls only up to now.
    days = {row.day: row.figures.offered for row in figures.by_day}
    assert days[date(2025, 5, 4)] == 0
    assert 0 < days[date(2025, 5, 6)] < days[date(2025, 5, 5)]


def test_no_demo_call_is_left_on_an_agents_console(demo_agents):
    seed_calls(now=NOW)
    for user in demo_agents:
        assert current_call(user, now=NOW) is None
    latest = Call.objects.order_by("-started_at").first()
    assert latest.started_at < NOW - timedelta(minutes=30)
    assert not Call.objects.filter(ended_at__isnull=True).exists()
    assert Call.objects.filter(started_at__lt=NOW - timedelta(days=DAYS)).count() == 0
