"""Reminders as data plus a sweeper, on a frozen clock and El Salvador's 2026 calendar: a unit's
liaisons are reminded when an item's internal due date approaches (one business day before,
skipping the 15 September holiday) and when it has passed; the officer is told when a request
becomes due soon and when it becomes overdue. Each reminder is an outbox row and an event; a
row is woken only when its level rises, never twice in a day; a sweeper stopped for days sends
one message for where things stand. Dates worked out by hand."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from enlace.directory.calendar import BusinessCalendar, national_holidays
from enlace.directory.models import Dependency
from enlace.notifications.models import Notification
from enlace.oir import actions
from enlace.oir.deadlines import AlertLevel, alert_level, next_alert_day
from enlace.oir.models import InformationRequest, RequestEvent, RequestItem
from enlace.oir.sweeper import sweep_oir_deadlines
from enlace.oir.tests.conftest import at, frozen

CALENDAR = BusinessCalendar(frozenset(national_holidays([2026, 2027])))
SEP = 9


# --- The pure rules -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "level"),
    [
        (date(2026, 9, 11), AlertLevel.NONE),  # Friday: Monday 14 and Wednesday 16 are left
        (date(2026, 9, 13), AlertLevel.NONE),  # Sunday: the same two
        (date(2026, 9, 14), AlertLevel.DUE_SOON),  # Monday: only Wednesday (15 is a holiday)
        (date(2026, 9, 15), AlertLevel.DUE_SOON),
        (date(2026, 9, 16), AlertLevel.DUE_SOON),  # the whole last day is in time
        (date(2026, 9, 17), AlertLevel.OVERDUE),
    ],
)
def test_the_level_of_an_internal_due_date_skips_the_holiday(today, level):
    assert alert_level(CALENDAR, date(2026, 9, 16), today, 1) == level


def test_the_next_day_to_remind_is_when_the_level_rises():
    due = date(2026, 9, 16)
    assert next_alert_day(CALENDAR, due, date(2026, 9, 10), AlertLevel.NONE, 1) == date(2026, 9, 14)
    assert next_alert_day(CALENDAR, due, date(2026, 9, 14), AlertLevel.DUE_SOON, 1) == date(
        2026, 9, 17
    )
    # Told it is due soon and already late: the next rise is tomorrow, never today.
    assert next_alert_day(CALENDAR, due, date(2026, 9, 20), AlertLevel.DUE_SOON, 1) == date(
        2026, 9, 21
    )
    assert next_alert_day(CALENDAR, due, date(2026, 9, 20), AlertLevel.OVERDUE, 1) is None
    # The legal deadline's "due soon" is three business days, as on the list.
    assert next_alert_day(CALENDAR, date(2026, 9, 25), date(2026, 9, 10), 0, 3) == date(2026, 9, 22)


# --- The sweeper ------------------------------------------------------------------------------
@pytest.fixture
def staff(oir, liaison, outsider):
    """The officer and the Hospital General's liaison with addresses; another centre's liaison
    too, who must hear nothing."""
    for user, email in ((oir, "olga@oir.example"), (liaison, "bruno@hg.example")):
        user.email = email
        user.save(update_fields=["email"])
    outsider.email = "carlos@zacamil.example"
    outsider.save(update_fields=["email"])
    return oir, liaison


@pytest.fixture
def sent(db, register, staff):
    """Received Thursday 10 September (due Friday 25); its item sent that day to Hospital
    General for Wednesday 16, the day after the Independence Day holiday."""
    oir, _liaison = staff
    with frozen(date(2026, SEP, 10)):
        request = register(received_at=at(date(2026, SEP, 10), 9))
        item = actions.do_send_item(
            request.items.get(),
            Dependency.objects.get(code="HG"),
            date(2026, SEP, 16),
            acting_user=oir,
        )
    return InformationRequest.objects.get(pk=request.pk), RequestItem.objects.get(pk=item.pk)


def sweep(day: date, hour: int = 7, minute: int = 30):
    with frozen(day, hour=hour):
        return sweep_oir_deadlines(now=at(day, hour, minute))


def mails(kind: str) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(kind=kind).order_by("id").values_list("recipient", "subject")
    )


def events(kind: str) -> list[RequestEvent]:
    return list(RequestEvent.objects.filter(kind=kind).order_by("id"))


@pytest.mark.django_db
def test_sending_an_item_and_registering_plan_the_first_reminders(sent):
    request, item = sent
    assert item.next_check_at == at(date(2026, SEP, 14), 7)  # Monday, before the holiday
    assert item.alert_level == AlertLevel.NONE
    assert request.due_on == date(2026, SEP, 25)
    assert request.next_check_at == at(date(2026, SEP, 22), 7)  # three business days left


@pytest.mark.django_db
def test_the_units_liaison_is_reminded_before_and_after_the_internal_due_date(sent):
    request, item = sent
    assert sweep(date(2026, SEP, 13), hour=23) == {}  # Sunday night: not yet
    assert not mails("oir_item_reminder")

    assert sweep(date(2026, SEP, 14)) == {"item_reminded": 1}
    [(to, subject)] = mails("oir_item_reminder")
    assert to == "bruno@hg.example"  # not the other centre's liaison
    assert request.number in subject
    assert "16/09/2026" in Notification.objects.get(kind="oir_item_reminder").body
    item.refresh_from_db()
    assert (item.alert_level, item.alerted_on) == (AlertLevel.DUE_SOON, date(2026, SEP, 14))
    assert item.next_check_at == at(date(2026, SEP, 17), 7)
    [event] = events("item_reminder")
    assert (event.item_id, event.actor_id, event.request_id) == (item.pk, None, request.pk)

    # Later that day, on the holiday and on the due date itself: nothing more to say.
    for day in (date(2026, SEP, 14), date(2026, SEP, 15), date(2026, SEP, 16)):
        assert sweep(day, hour=18) == {}
    assert sweep(date(2026, SEP, 17)) == {"item_reminded": 1}
    assert len(mails("oir_item_reminder")) == 2
    assert request.number in mails("oir_item_reminder")[1][1]
    item.refresh_from_db()
    assert item.alert_level == AlertLevel.OVERDUE
    assert item.next_check_at is None  # told everything there is to tell
    assert "item_reminded" not in sweep(date(2026, SEP, 30))
    assert len(events("item_reminder")) == 2


@pytest.mark.django_db
def test_an_answered_item_is_not_reminded(sent, staff):
    _request, item = sent
    _oir, liaison = staff
    with frozen(date(2026, SEP, 11)):
        actions.do_answer_item(item, finding="found", answer="Adjunto.", acting_user=liaison)
    item.refresh_from_db()
    assert item.next_check_at is None
    assert sweep(date(2026, SEP, 14)).get("item_reminded") is None
    assert not mails("oir_item_reminder")


@pytest.mark.django_db
def test_never_twice_in_one_day(sent):
    _request, item = sent
    assert sweep(date(2026, SEP, 14)) == {"item_reminded": 1}
    # The same day the date moves into the past (and the row is due again): the overdue
    # reminder waits until tomorrow.
    RequestItem.objects.filter(pk=item.pk).update(
        internal_due_on=date(2026, SEP, 11), next_check_at=at(date(2026, SEP, 14), 8)
    )
    assert sweep(date(2026, SEP, 14), hour=9) == {}
    item.refresh_from_db()
    assert item.next_check_at == at(date(2026, SEP, 15), 7)
    assert sweep(date(2026, SEP, 15)) == {"item_reminded": 1}
    assert len(mails("oir_item_reminder")) == 2


@pytest.mark.django_db
def test_the_officer_is_told_when_due_soon_and_when_overdue(sent):
    request, _item = sent
    RequestItem.objects.update(next_check_at=None)  # only the request here
    assert sweep(date(2026, SEP, 21), hour=23) == {}
    assert sweep(date(2026, SEP, 22)) == {"request_alerted": 1}
    [(to, subject)] = mails("oir_due_alert")
    assert to == "olga@oir.example"
    assert request.number in subject
    assert "25/09/2026" in subject
    request.refresh_from_db()
    assert request.next_check_at == at(date(2026, SEP, 26), 7)
    assert sweep(date(2026, SEP, 25), hour=23) == {}  # the last day is still in time
    assert sweep(date(2026, SEP, 26)) == {"request_alerted": 1}
    request.refresh_from_db()
    assert (request.alert_level, request.next_check_at) == (AlertLevel.OVERDUE, None)
    assert [e.actor_id for e in events("deadline_alert")] == [None, None]
    assert len(mails("oir_due_alert")) == 2


@pytest.mark.django_db
def test_a_sweeper_stopped_for_days_sends_one_message_for_where_things_stand(sent):
    request, item = sent
    counts = sweep(date(2026, SEP, 29))  # nothing ran since the 10th
    assert counts == {"request_alerted": 1, "item_reminded": 1}
    assert len(mails("oir_due_alert")) == 1
    assert "25/09/2026" in mails("oir_due_alert")[0][1]
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.alert_level == item.alert_level == AlertLevel.OVERDUE
    assert request.next_check_at is None
    assert item.next_check_at is None


@pytest.mark.django_db
def test_an_extension_plans_the_reminders_again_for_the_new_date(sent, staff):
    request, _item = sent
    oir, _liaison = staff
    assert sweep(date(2026, SEP, 22)).get("request_alerted") == 1
    with frozen(date(2026, SEP, 22), hour=11):
        actions.do_extend_request(request, "Archivo histórico.", acting_user=oir)
    request.refresh_from_db()
    assert request.due_on == date(2026, 10, 2)
    assert request.alert_level == AlertLevel.NONE
    assert request.next_check_at == at(date(2026, SEP, 29), 7)
    assert sweep(date(2026, SEP, 29)).get("request_alerted") == 1
    assert "02/10/2026" in mails("oir_due_alert")[-1][1]


@pytest.mark.django_db
def test_a_stopped_clock_and_a_resolution_end_the_reminders(sent, staff):
    request, item = sent
    oir, _liaison = staff
    with frozen(date(2026, SEP, 11)):
        actions.do_ask_clarification(request, "¿De qué año?", acting_user=oir)
    request.refresh_from_db()
    assert request.due_on is None
    assert request.next_check_at is None
    with frozen(date(2026, SEP, 14)):
        actions.do_record_clarification(request, "De 2025.", date(2026, SEP, 14), acting_user=oir)
    request.refresh_from_db()
    assert request.due_on == date(2026, SEP, 28)  # one business day waited
    assert request.next_check_at == at(date(2026, SEP, 23), 7)
    with frozen(date(2026, SEP, 15)):
        actions.do_decide_item(
            item, actions.Decision(outcome="delivered", answer="Listado."), acting_user=oir
        )
        actions.do_resolve_request(request, acting_user=oir)
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.next_check_at is None
    assert item.next_check_at is None
    assert sweep(date(2026, 10, 30)) == {}
    assert not mails("oir_due_alert")
    assert not mails("oir_item_reminder")


@pytest.mark.django_db
def test_a_row_woken_after_it_was_resolved_is_put_to_sleep(sent, staff):
    """A moment left on a row (by a bulk load, say) is cleared rather than acted on."""
    request, item = sent
    InformationRequest.objects.filter(pk=request.pk).update(status="notified")
    assert sweep(date(2026, SEP, 29)) == {}
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.next_check_at is None
    assert item.next_check_at is None


@pytest.mark.django_db
def test_manage_py_sweep_runs_the_oir_reminders(sent):
    with frozen(date(2026, SEP, 14), hour=8):
        call_command("sweep", verbosity=0)
    assert len(mails("oir_item_reminder")) == 1


@pytest.mark.django_db
def test_a_unit_without_addresses_still_gets_its_reminder_recorded(sent, staff):
    _oir, liaison = staff
    liaison.email = ""
    liaison.save(update_fields=["email"])
    assert sweep(date(2026, SEP, 14)) == {"item_reminded": 1}
    assert not mails("oir_item_reminder")
    [event] = events("item_reminder")
    assert event.note


def test_the_moment_is_the_start_of_the_working_day():
    from enlace.oir.sweeper import moment

    local = timezone.localtime(moment(date(2026, SEP, 14)))
    assert (local.date(), local.hour, local.minute) == (date(2026, SEP, 14), 7, 0)
    assert moment(date(2026, SEP, 14)) - moment(date(2026, SEP, 13)) == timedelta(days=1)
