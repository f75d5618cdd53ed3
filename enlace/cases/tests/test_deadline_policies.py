"""Deadline policies: which one applies, and what cannot be saved."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from enlace.cases.deadlines import plan, policy_for
from enlace.cases.models import DayUnit, DeadlinePolicy, DeadlineStep
from enlace.catalogues.models import OpinionType
from enlace.directory.calendar import BusinessCalendar, national_holidays

CALENDAR = BusinessCalendar(frozenset(national_holidays([2026])))


def test_business_days_skip_weekends_and_holy_week():
    # Tuesday 31 March 2026 + 3 business days: Wed 1, (Thu 2, Fri 3 Semana Santa) Mon 6, Tue 7.
    dates = plan(
        CALENDAR,
        date(2026, 3, 31),
        days=3,
        unit=DayUnit.BUSINESS,
        remind_before=1,
        escalate_after=1,
    )
    assert (dates.due_on, dates.remind_on, dates.escalate_on) == (
        date(2026, 4, 7),
        date(2026, 4, 6),
        date(2026, 4, 8),
    )


def test_calendar_days_count_every_day_but_a_pause_counts_business_days():
    dates = plan(
        CALENDAR,
        date(2026, 3, 31),
        days=5,
        unit=DayUnit.CALENDAR,
        remind_before=0,
        escalate_after=1,
    )
    assert dates.due_on == date(2026, 4, 5)
    assert dates.remind_on is None
    paused = plan(
        CALENDAR,
        date(2026, 3, 31),
        days=5,
        unit=DayUnit.CALENDAR,
        remind_before=0,
        escalate_after=1,
        paused_days=2,
    )
    assert paused.due_on == date(2026, 4, 7)


def test_a_friday_case_with_one_day_is_due_on_monday():
    assert CALENDAR.add_business_days(date(2026, 3, 27), 1) == date(2026, 3, 30)
    assert CALENDAR.business_days_between(date(2026, 3, 27), date(2026, 3, 30)) == 1
    assert CALENDAR.add_business_days(date(2026, 3, 28), 0) == date(2026, 3, 30)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_business_days(date(2026, 3, 27), -1)


@pytest.mark.django_db
def test_the_most_specific_policy_applies(make_case):
    claim = make_case(type="reclamo")
    suggestion = make_case(type="sugerencia")
    assert policy_for(claim, DeadlineStep.ANSWER).days == 10  # the claim's own policy
    assert policy_for(suggestion, DeadlineStep.ANSWER).days == 15  # every opinion's


@pytest.mark.django_db
def test_a_policy_cannot_have_negative_or_absurd_days():
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlinePolicy.objects.create(
            kind="opinion",
            step="answer",
            days=-1,
            opinion_type=OpinionType.objects.get(code="queja"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlinePolicy.objects.create(kind="consulta", step="acknowledge", days=400)


@pytest.mark.django_db
def test_the_admin_form_explains_a_bad_policy(admin_user, client_for):
    response = client_for(admin_user).post(
        "/admin/cases/deadlinepolicy/add/",
        {
            "kind": "consulta",
            "step": "acknowledge",
            "days": "-3",
            "unit": "business",
            "remind_before": "1",
            "escalate_after": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "mayor o igual a 0" in response.content.decode()
    assert not DeadlinePolicy.objects.filter(kind="consulta", step="acknowledge").exists()


@pytest.mark.django_db
def test_a_second_policy_for_the_same_target_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlinePolicy.objects.create(kind="opinion", step="answer", days=3)


@pytest.mark.django_db
def test_a_centre_in_san_salvador_also_skips_the_august_festivities(make_case):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from enlace.cases.models import CaseDeadline

    with time_machine.travel(datetime(2026, 7, 31, 10, tzinfo=ZoneInfo("America/El_Salvador"))):
        capital = make_case(centre="HG")  # San Salvador: 3 and 5 August are holidays there
        east = make_case(centre="UM-SMI")  # San Miguel: they are working days
    ack = DeadlineStep.ACKNOWLEDGE
    # Fri 31 July + 3 business days; 6 August (Divino Salvador) is a national holiday.
    assert CaseDeadline.objects.get(case=capital, step=ack).due_on == date(2026, 8, 10)
    assert CaseDeadline.objects.get(case=east, step=ack).due_on == date(2026, 8, 5)
