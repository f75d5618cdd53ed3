"""Reminders of the OIR's deadlines, as data plus a sweeper (`manage.py sweep` calls
`sweep_oir_deadlines`).

Two kinds of row carry the moment the sweeper must look at them again (`next_check_at`, read
through a partial index, so only rows that are due are ever read):

- an item sent to a unit: its liaisons are reminded when its internal due date approaches
  (`LegalRules.item_due_soon_days`) and once more when it has passed;
- a request: the OIR officers are told when its legal deadline is near (the list's "due soon")
  and once more when it has passed.

Each row records the level of urgency it was last told of (`alert_level`, a
`deadlines.AlertLevel`) and the day (`alerted_on`); the pure `deadlines.next_alert_day` says on
which day the level next rises, so a row is woken only then, at most once a day, and a sweeper
that was stopped for a week sends one message for where things stand, not one per day missed.
Several sweepers may run at once: on PostgreSQL each claims its rows with FOR UPDATE SKIP
LOCKED (an item together with its request, the order in which every writer locks them), and
what it did is recorded on the row, with an event (whose subscriber, the e-mail outbox,
writes the messages) in the same transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enlace.accounts.models import Role, User
from enlace.directory.calendar import BusinessCalendar, business_calendar
from enlace.oir import history
from enlace.oir.deadlines import AlertLevel, LegalRules, alert_level, next_alert_day
from enlace.oir.models import (
    OPEN_REQUEST_STATUSES,
    EventKind,
    InformationRequest,
    ItemStatus,
    RequestItem,
)
from enlace.oir.rules import legal_rules

BATCH_SIZE = 500
# Reminders go out at the start of the working day of the date they are due on.
ALERT_TIME = time(7, 0)


def moment(day: date) -> datetime:
    return datetime.combine(day, ALERT_TIME, timezone.get_current_timezone())


# --- Planning (called by the actions whenever a date changes) -------------------------------
def plan_request_alerts(
    request: InformationRequest, calendar: BusinessCalendar, today: date, rules: LegalRules
) -> None:
    """Start the request's reminders afresh for its current due date: the level it has today
    counts as told (whoever changed the date has just seen it), and the sweeper wakes it on the
    day the level next rises. Nothing to remind for a resolved request or a stopped clock."""
    if request.status not in OPEN_REQUEST_STATUSES or request.due_on is None:
        request.next_check_at = None
        return
    level = alert_level(calendar, request.due_on, today, rules.due_soon_days)
    request.alert_level = level
    day = next_alert_day(calendar, request.due_on, today, level, rules.due_soon_days)
    request.next_check_at = moment(day) if day else None


def plan_item_alerts(
    item: RequestItem, calendar: BusinessCalendar, today: date, rules: LegalRules
) -> None:
    """The same for an item sent to a unit, by its internal due date."""
    if item.status != ItemStatus.SENT or item.internal_due_on is None:
        item.next_check_at = None
        return
    level = alert_level(calendar, item.internal_due_on, today, rules.item_due_soon_days)
    item.alert_level = level
    day = next_alert_day(calendar, item.internal_due_on, today, level, rules.item_due_soon_days)
    item.next_check_at = moment(day) if day else None


# --- The sweeper ------------------------------------------------------------------------------
def sweep_oir_deadlines(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> Counter[str]:
    """Handle every request and item whose moment has come by `now`. Returns how many
    reminders to units (`item_reminded`) and alerts to the officers (`request_alerted`) it
    recorded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = business_calendar(today)
    rules = legal_rules()
    counts: Counter[str] = Counter()
    while True:
        with transaction.atomic():
            requests = list(
                InformationRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_check_at__lte=now)
                .order_by("next_check_at", "id")[:batch_size]
            )
            officers = _officers() if requests else []
            for request in requests:
                _handle_request(request, now, today, calendar, rules, officers, counts)
        if len(requests) < batch_size:
            break
    while True:
        with transaction.atomic():
            items = list(
                RequestItem.objects.select_for_update(skip_locked=True, of=("self", "request"))
                .filter(next_check_at__lte=now)
                .select_related("request")
                .order_by("next_check_at", "id")[:batch_size]
            )
            liaisons = _liaisons({i.dependency_id for i in items if i.dependency_id})
            for item in items:
                _handle_item(item, now, today, calendar, rules, liaisons, counts)
        if len(items) < batch_size:
            break
    return counts


def _officers() -> list[str]:
    return list(
        User.objects.filter(is_active=True, role=Role.OIR_OFFICER)
        .exclude(email="")
        .order_by("id")
        .values_list("email", flat=True)
    )


def _liaisons(units: set[int]) -> dict[int, list[str]]:
    """The liaisons' addresses of the units of a batch, in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if not units:
        return found
    rows = (
        User.objects.filter(is_active=True, role=Role.LIAISON, dependency_id__in=units)
        .exclude(email="")
        .order_by("id")
        .values_list("dependency_id", "email")
    )
    for unit, email in rows:
        if unit is not None:
            found[unit].append(email)
    return found


def _handle_request(
    request: InformationRequest,
    now: datetime,
    today: date,
    calendar: BusinessCalendar,
    rules: LegalRules,
    officers: list[str],
    counts: Counter[str],
) -> None:
    if request.status not in OPEN_REQUEST_STATUSES or request.due_on is None:
        request.next_check_at = None
    else:
        level = alert_level(calendar, request.due_on, today, rules.due_soon_days)
        if level > request.alert_level and request.alerted_on != today:
            overdue = level == AlertLevel.OVERDUE
            # The subscribers of the history (the e-mail outbox) tell the officers.
            history.record(
                request,
                EventKind.DEADLINE_ALERT,
                at=now,
                changes={"due_on": {"from": "", "to": f"{request.due_on:%d/%m/%Y}"}},
                note=_told(overdue, len(addresses(officers))),
                overdue=overdue,
                recipients=addresses(officers),
            )
            request.alert_level = level
            request.alerted_on = today
            counts["request_alerted"] += 1
        day = next_alert_day(
            calendar, request.due_on, today, request.alert_level, rules.due_soon_days
        )
        request.next_check_at = moment(day) if day else None
    request.save(update_fields=["alert_level", "alerted_on", "next_check_at"])


def _handle_item(
    item: RequestItem,
    now: datetime,
    today: date,
    calendar: BusinessCalendar,
    rules: LegalRules,
    liaisons: dict[int, list[str]],
    counts: Counter[str],
) -> None:
    request = item.request
    due = item.internal_due_on
    if item.status != ItemStatus.SENT or due is None or request.status not in OPEN_REQUEST_STATUSES:
        item.next_check_at = None
    else:
        level = alert_level(calendar, due, today, rules.item_due_soon_days)
        if level > item.alert_level and item.alerted_on != today:
            overdue = level == AlertLevel.OVERDUE
            to = addresses(liaisons.get(item.dependency_id or 0, []))
            history.record(
                request,
                EventKind.ITEM_REMINDER,
                item=item,
                at=now,
                changes={"internal_due_on": {"from": "", "to": f"{due:%d/%m/%Y}"}},
                note=_told(overdue, len(to)),
                overdue=overdue,
                recipients=to,
            )
            item.alert_level = level
            item.alerted_on = today
            counts["item_reminded"] += 1
        day = next_alert_day(calendar, due, today, item.alert_level, rules.item_due_soon_days)
        item.next_check_at = moment(day) if day else None
    item.save(update_fields=["alert_level", "alerted_on", "next_check_at"])


def addresses(recipients: list[str]) -> list[str]:
    """Each address once, the empty ones left out: whom a message goes to."""
    return list(dict.fromkeys(address for address in recipients if address))


def _told(overdue: bool, recipients: int) -> str:
    """The event's note, in the staff's language like every message (the history shows what
    was told and to how many; an empty count means nobody had an address)."""
    with translation.override(settings.LANGUAGE_CODE):
        what = _("Overdue") if overdue else _("Due soon")
        if not recipients:
            return f"{what}. " + _("Nobody to tell by e-mail.")
        return f"{what}. " + ngettext("%(n)s e-mail.", "%(n)s e-mails.", recipients) % {
            "n": recipients
        }
