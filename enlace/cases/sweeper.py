"""The deadline sweeper: wakes the CaseDeadline rows whose `next_check_at` has come, records the
reminder, marks the deadline missed, escalates to the supervisor, and sets when to look next.
What each of those tells whom is up to the history's subscribers (the notifications' outbox
e-mails the centre and the supervisors, the webhooks' posts case.overdue).

It reads only rows that are due, through the partial index on `next_check_at`, never the open
cases as a whole. Several sweepers may run at once: on PostgreSQL each claims its rows with
FOR UPDATE SKIP LOCKED; SQLite serialises writers. A row is never handled twice for the same
milestone because handling it records the milestone (reminded_at, missed_at, escalated_at) and
moves `next_check_at` in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from enlace.cases import history
from enlace.cases.deadlines import next_check
from enlace.cases.models import Case, CaseDeadline, CaseEvent, DeadlineStep, EventKind

BATCH_SIZE = 500


def sweep_deadlines(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Counter[str]:
    """Handle every deadline due by `now`. Returns how many reminders, misses and escalations
    it recorded."""
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    while True:
        with transaction.atomic():
            claimed = list(
                CaseDeadline.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_check_at__lte=now)
                .select_related("case", "case__dependency", "case__opinion_type", "case__topic")
                .order_by("next_check_at")[:batch_size]
            )
            cache: dict[str, Any] = {}  # shared by the history's subscribers for the batch
            for deadline in claimed:
                _handle(deadline, now, counts, cache)
        if len(claimed) < batch_size:
            return counts


def _handle(
    deadline: CaseDeadline, now: datetime, counts: Counter[str], cache: dict[str, Any]
) -> None:
    today = timezone.localdate(now)
    case = deadline.case
    with translation.override(settings.LANGUAGE_CODE):
        step = str(DeadlineStep(deadline.step).label)
    events: list[CaseEvent] = []
    if deadline.remind_on and deadline.reminded_at is None and today >= deadline.remind_on:
        deadline.reminded_at = now
        if today <= deadline.due_on:  # a reminder after the due date is pointless
            events.append(_event(case, EventKind.DEADLINE_REMINDER, step, deadline, now))
            counts["reminded"] += 1
    if deadline.missed_at is None and today > deadline.due_on:
        deadline.missed_at = now
        events.append(_event(case, EventKind.DEADLINE_MISSED, step, deadline, now))
        counts["missed"] += 1
    if deadline.escalate_on and deadline.escalated_at is None and today >= deadline.escalate_on:
        deadline.escalated_at = now
        events.append(_event(case, EventKind.DEADLINE_ESCALATED, step, deadline, now))
        counts["escalated"] += 1
    deadline.next_check_at = next_check(deadline)
    deadline.save(update_fields=["reminded_at", "missed_at", "escalated_at", "next_check_at"])
    # The subscribers remind the centre, escalate to the supervisors, announce case.overdue.
    history.record_many(events, deadline=deadline, cache=cache)


def _event(case: Case, kind: str, step: str, deadline: CaseDeadline, now: datetime) -> CaseEvent:
    return CaseEvent(
        case=case,
        kind=kind,
        at=now,
        changes={"deadline": {"from": step, "to": f"{deadline.due_on:%d/%m/%Y}"}},
    )
