"""Deadlines: which policy applies, the dates it gives, and when the sweeper must look again.

The date arithmetic (`plan`, `next_check`) is pure and takes a BusinessCalendar; the rest reads
and writes CaseDeadline rows and is called only from actions and the sweeper, inside their
transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from enlace.cases.models import (
    Case,
    CaseDeadline,
    DayUnit,
    DeadlinePolicy,
    DeadlineStatus,
    DeadlineStep,
)
from enlace.core import reference
from enlace.directory.calendar import BusinessCalendar, business_calendar


@dataclass(frozen=True)
class Plan:
    due_on: date
    remind_on: date | None
    escalate_on: date


def plan(
    calendar: BusinessCalendar,
    start: date,
    *,
    days: int,
    unit: str,
    remind_before: int,
    escalate_after: int,
    paused_days: int = 0,
) -> Plan:
    """The dates of a deadline counted from `start` (the day of receipt: counting begins the
    next business day), lengthened by the business days the case spent paused."""
    if unit == DayUnit.BUSINESS:
        due_on = calendar.add_business_days(start, days + paused_days)
    else:
        due_on = start + timedelta(days=days)
        if paused_days:
            due_on = calendar.add_business_days(due_on, paused_days)
    remind_on = calendar.subtract_business_days(due_on, remind_before) if remind_before else None
    if remind_on is not None and remind_on <= start:
        remind_on = None
    escalate_on = calendar.add_business_days(due_on, max(escalate_after, 1))
    return Plan(due_on=due_on, remind_on=remind_on, escalate_on=escalate_on)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def next_check(deadline: CaseDeadline, *, paused: bool | None = None) -> datetime | None:
    """When the sweeper must next look at this deadline, or None when nothing is left to do
    (met, cancelled, paused, or reminded, missed and escalated already). `paused` saves reading
    the case when the caller knows."""
    if paused is None:
        paused = deadline.case.paused_on is not None
    if deadline.status != DeadlineStatus.OPEN or paused:
        return None
    moments = []
    if deadline.remind_on and deadline.reminded_at is None:
        moments.append(deadline.remind_on)
    if deadline.missed_at is None:
        moments.append(deadline.due_on + timedelta(days=1))
    if deadline.escalate_on and deadline.escalated_at is None:
        moments.append(deadline.escalate_on)
    return local_midnight(min(moments)) if moments else None


def policy_for(case: Case, step: str) -> DeadlinePolicy | None:
    """The most specific active policy: one for the case's opinion type, else one for its kind."""
    return policies_for(case, (step,)).get(step)


PolicyKey = tuple[str, str, int | None]  # (kind, step, opinion type id or None)


def _load_policies() -> dict[PolicyKey, DeadlinePolicy]:
    return {
        (p.kind, p.step, p.opinion_type_id): p
        for p in DeadlinePolicy.objects.filter(is_active=True).order_by("pk")
    }


# The active policies are reference data (enlace/core/reference.py): read once per change.
reference.register("deadline_policies", _load_policies, models=[DeadlinePolicy])


def active_policies() -> dict[PolicyKey, DeadlinePolicy]:
    return cast(dict[PolicyKey, DeadlinePolicy], reference.get("deadline_policies"))


def policies_for(case: Case, steps: tuple[str, ...]) -> dict[str, DeadlinePolicy]:
    """`policy_for` for several steps: step -> the policy that applies (steps without one are
    left out)."""
    policies = active_policies()
    found: dict[str, DeadlinePolicy] = {}
    for step in steps:
        policy = policies.get((case.kind, step, case.opinion_type_id)) or policies.get(
            (case.kind, step, None)
        )
        if policy is not None:
            found[step] = policy
    return found


def _planned(case: Case, policy: DeadlinePolicy, calendar: BusinessCalendar, start: date) -> Plan:
    return plan(
        calendar,
        start,
        days=policy.days,
        unit=policy.unit,
        remind_before=policy.remind_before,
        escalate_after=policy.escalate_after,
        paused_days=case.paused_days,
    )


def plan_new_case(case: Case) -> list[CaseDeadline]:
    """The deadlines of a case not saved yet (registration), unsaved, and its `next_due_on`
    set on the object, so the case's INSERT carries it: one query for the policies and one
    for the calendar's closures; `create_planned` writes the rows once the case has its id."""
    steps = tuple(DeadlineStep.values)
    start = timezone.localdate(case.received_at)
    policies = policies_for(case, steps)
    if not policies:
        case.next_due_on = None
        return []
    calendar = calendar_for(case, start)
    planned: list[CaseDeadline] = []
    for step in steps:
        policy = policies.get(step)
        if policy is None:
            continue
        dates = _planned(case, policy, calendar, start)
        deadline = CaseDeadline(
            step=step,
            policy=policy,
            unit=policy.unit,
            started_on=start,
            due_on=dates.due_on,
            remind_on=dates.remind_on,
            escalate_on=dates.escalate_on,
        )
        deadline.next_check_at = next_check(deadline, paused=case.paused_on is not None)
        planned.append(deadline)
    case.next_due_on = min((d.due_on for d in planned), default=None)
    return planned


def create_planned(case: Case, planned: list[CaseDeadline]) -> None:
    """Write the deadlines `plan_new_case` planned for `case`, now saved, in one INSERT."""
    for deadline in planned:
        deadline.case = case
    CaseDeadline.objects.bulk_create(planned)


def open_deadlines(case: Case, *, steps: tuple[str, ...] | None = None) -> None:
    """Create (or re-plan, after a reclassification) the open deadlines of a case from the
    policies that apply; steps already met keep their history. (A case being registered uses
    `plan_new_case` and `create_planned`, which skip what a new case cannot have.)"""
    steps = steps or tuple(DeadlineStep.values)
    start = timezone.localdate(case.received_at)
    calendar = calendar_for(case, start)
    existing = {d.step: d for d in case.deadlines.all()}
    policies = policies_for(case, steps)
    for step in steps:
        deadline = existing.get(step)
        if deadline is not None and deadline.status != DeadlineStatus.OPEN:
            continue
        policy = policies.get(step)
        if policy is None:
            if deadline is not None:
                deadline.status = DeadlineStatus.CANCELLED
                deadline.next_check_at = None
                deadline.save(update_fields=["status", "next_check_at"])
            continue
        dates = _planned(case, policy, calendar, start)
        deadline = deadline or CaseDeadline(case=case, step=step)
        deadline.case = case
        deadline.policy = policy
        deadline.unit = policy.unit
        deadline.started_on = start
        deadline.due_on = dates.due_on
        deadline.remind_on = dates.remind_on
        deadline.escalate_on = dates.escalate_on
        deadline.next_check_at = next_check(deadline)
        deadline.save()
    refresh_next_due(case)


@dataclass(frozen=True)
class OpenCase:
    """What planning a new case's deadlines needs to know about it."""

    case_id: int
    kind: str
    opinion_type_id: int | None
    received_at: datetime
    department: str
    steps: tuple[str, ...]


def open_deadlines_in_bulk(cases: list[OpenCase]) -> int:
    """`open_deadlines` for many new, unpaused cases at once (historical imports): the
    policies are read once, one calendar is built per department and year, the deadlines are
    written in bulk and each case's next due date set in SQL. Returns the deadlines created."""
    policies = active_policies()
    calendars: dict[tuple[str, int], BusinessCalendar] = {}
    rows: list[CaseDeadline] = []
    for case in cases:
        start = timezone.localdate(case.received_at)
        key = (case.department, start.year)
        if key not in calendars:
            calendars[key] = business_calendar(start, subdivision=case.department or None)
        for step in case.steps:
            policy = policies.get((case.kind, step, case.opinion_type_id)) or policies.get(
                (case.kind, step, None)
            )
            if policy is None:
                continue
            dates = plan(
                calendars[key],
                start,
                days=policy.days,
                unit=policy.unit,
                remind_before=policy.remind_before,
                escalate_after=policy.escalate_after,
            )
            deadline = CaseDeadline(
                case_id=case.case_id,
                step=step,
                policy=policy,
                unit=policy.unit,
                started_on=start,
                due_on=dates.due_on,
                remind_on=dates.remind_on,
                escalate_on=dates.escalate_on,
            )
            deadline.next_check_at = next_check(deadline, paused=False)
            rows.append(deadline)
    CaseDeadline.objects.bulk_create(rows, batch_size=2000)
    earliest = (
        CaseDeadline.objects.filter(case_id=OuterRef("pk"), status=DeadlineStatus.OPEN)
        .values("case_id")
        .annotate(due=Min("due_on"))
        .values("due")
    )
    ids = [case.case_id for case in cases]
    for start_index in range(0, len(ids), 2000):
        Case.objects.filter(pk__in=ids[start_index : start_index + 2000]).update(
            next_due_on=Subquery(earliest)
        )
    return len(rows)


def meet(case: Case, step: str, *, at: datetime | None = None) -> None:
    """The step happened (now, or `at` for history being loaded): close its deadline,
    recording whether it was in time and how many business days it took."""
    deadline = case.deadlines.filter(step=step, status=DeadlineStatus.OPEN).first()
    if deadline is None:
        return
    now = at or timezone.now()
    today = timezone.localdate(now)
    calendar = calendar_for(case, deadline.started_on)
    deadline.status = DeadlineStatus.MET if today <= deadline.due_on else DeadlineStatus.MET_LATE
    deadline.met_at = now
    deadline.business_days_taken = max(
        calendar.business_days_between(deadline.started_on, today) - case.paused_days, 0
    )
    deadline.next_check_at = None
    deadline.save(update_fields=["status", "met_at", "business_days_taken", "next_check_at"])
    refresh_next_due(case)


def answer_due_on(case: Case) -> date | None:
    """By when the citizen is due an answer: the open answer deadline's date, or None (answered,
    closed, or the clock stopped while waiting for the citizen, when the date will move)."""
    if case.paused_on is not None:
        return None
    return (
        case.deadlines.filter(step=DeadlineStep.ANSWER, status=DeadlineStatus.OPEN)
        .values_list("due_on", flat=True)
        .first()
    )


def cancel_all(case: Case) -> None:
    case.deadlines.filter(status=DeadlineStatus.OPEN).update(
        status=DeadlineStatus.CANCELLED, next_check_at=None
    )
    refresh_next_due(case)


def pause(case: Case) -> None:
    """Stop the clock (waiting for the citizen): the sweeper leaves the deadlines alone."""
    case.paused_on = timezone.localdate()
    case.deadlines.filter(status=DeadlineStatus.OPEN).update(next_check_at=None)


def resume(case: Case) -> int:
    """Restart the clock: every open deadline moves by the business days spent paused.
    Returns those days."""
    if case.paused_on is None:
        return 0
    calendar = calendar_for(case, case.paused_on)
    paused = calendar.business_days_between(case.paused_on, timezone.localdate())
    case.paused_on = None
    case.paused_days += paused
    for deadline in case.deadlines.filter(status=DeadlineStatus.OPEN):
        deadline.case = case
        deadline.due_on = calendar.add_business_days(deadline.due_on, paused)
        if deadline.remind_on:
            deadline.remind_on = calendar.add_business_days(deadline.remind_on, paused)
        if deadline.escalate_on:
            deadline.escalate_on = calendar.add_business_days(deadline.escalate_on, paused)
        deadline.next_check_at = next_check(deadline)
        deadline.save(update_fields=["due_on", "remind_on", "escalate_on", "next_check_at"])
    refresh_next_due(case)
    return paused


def calendar_for(case: Case, around: date) -> BusinessCalendar:
    """The business days of the case's centre: national holidays, that department's own
    (San Salvador's August festivities), and the institutional closures."""
    department = case.dependency.department if case.dependency else ""
    return business_calendar(around, subdivision=department or None)


def refresh_next_due(case: Case) -> None:
    case.next_due_on = case.deadlines.filter(status=DeadlineStatus.OPEN).aggregate(
        due=Min("due_on")
    )["due"]
