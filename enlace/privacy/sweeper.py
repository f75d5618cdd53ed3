"""Data protection's time-based work, as data plus the sweeper (registered in `ready()`):

- a user who viewed more personal data in the current hour than PERSONAL_DATA_ALERT_PER_HOUR
  becomes an `UnusualAccess` row (once per user and hour) for the data-protection officer;
- a request over one's data carries `next_check_at`: the officers are told when it is due soon
  (5 business days left) and when it is overdue;
- a breach carries `next_check_at`: told at 24 hours left of its 72, and when they are over;
- the retention policies anonymise what has been kept long enough.

Several sweepers may run at once: rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL,
and each records what it did in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from enlace.directory.calendar import business_calendar
from enlace.privacy import access, registry, rules
from enlace.privacy.models import (
    OPEN_SUBJECT_STATUSES,
    BreachEventKind,
    BreachStatus,
    RetentionPolicy,
    SubjectEventKind,
    UnusualAccess,
)

if TYPE_CHECKING:
    from enlace.privacy.models import Breach, SubjectRequest

logger = logging.getLogger("enlace.privacy")
BATCH = 500
ALERT_TIME = time(7, 0)  # requests' alerts go out at the start of the working day

# Alert levels of a request and of a breach.
DUE_SOON, OVERDUE = 1, 2


def _moment(day: date) -> datetime:
    return datetime.combine(day, ALERT_TIME, timezone.get_current_timezone())


def plan_request_alerts(request: SubjectRequest, today: date) -> None:
    """When the sweeper next looks at the request: the morning it is due soon, else the
    morning after its due date; never for an answered one."""
    if request.status not in OPEN_SUBJECT_STATUSES:
        request.next_check_at = None
        return
    calendar = business_calendar(request.received_on)
    soon = calendar.subtract_business_days(request.due_on, rules.DUE_SOON_BUSINESS_DAYS)
    request.alert_level = DUE_SOON if today >= soon else 0
    if today > request.due_on:
        request.alert_level = OVERDUE
    if request.alert_level == 0:
        request.next_check_at = _moment(soon)
    elif request.alert_level == DUE_SOON:
        request.next_check_at = _moment(request.due_on + timedelta(days=1))
    else:
        request.next_check_at = None


def plan_breach_alerts(breach: Breach, now: datetime) -> None:
    if breach.notified or breach.status == BreachStatus.CLOSED:
        breach.next_check_at = None
        return
    warn_at = breach.due_at - timedelta(hours=24)
    if now < warn_at:
        breach.next_check_at = warn_at
    elif now < breach.due_at:
        breach.next_check_at = breach.due_at
    else:
        breach.next_check_at = None


def _officers() -> list[str]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(is_active=True, role="dpo")
        .exclude(email="")
        .order_by("id")
        .values_list("email", flat=True)
    )


# --- The jobs -----------------------------------------------------------------------------
def find_unusual_access(now: datetime) -> int:
    """Users over the hour's threshold of records viewed: one row each, once per hour."""
    threshold = int(settings.PERSONAL_DATA_ALERT_PER_HOUR)
    hour = now.replace(minute=0, second=0, microsecond=0)
    heavy = (
        access.log()
        .filter(at__gte=hour, at__lte=now, user__isnull=False)
        .values("user_id")
        .annotate(seen=Count("id"))
        .filter(seen__gt=threshold)
    )
    found = 0
    for row in heavy:
        try:
            with transaction.atomic():
                UnusualAccess.objects.create(
                    user_id=row["user_id"], hour=hour, accesses=row["seen"], threshold=threshold
                )
        except IntegrityError:
            continue  # already found this hour
        found += 1
        logger.warning(
            "unusual access to personal data: user %s viewed %s records in the hour from %s "
            "(threshold %s)",
            row["user_id"],
            row["seen"],
            hour.isoformat(),
            threshold,
        )
    return found


def sweep_requests(now: datetime) -> int:
    from enlace.privacy import history
    from enlace.privacy.models import SubjectRequest

    today = timezone.localdate(now)
    told = 0
    while True:
        with transaction.atomic():
            due = list(
                SubjectRequest.objects.select_for_update(skip_locked=True)
                .filter(next_check_at__lte=now)
                .order_by("next_check_at", "id")[:BATCH]
            )
            officers = _officers() if due else []
            for request in due:
                before = request.alert_level
                plan_request_alerts(request, today)
                request.save(update_fields=["alert_level", "next_check_at"])
                if request.alert_level > before:
                    history.record(
                        request,
                        SubjectEventKind.DEADLINE_ALERT,
                        at=now,
                        note=f"{request.due_on:%d/%m/%Y}",
                        overdue=request.alert_level == OVERDUE,
                        recipients=officers,
                    )
                    told += 1
        if len(due) < BATCH:
            return told


def sweep_breaches(now: datetime) -> int:
    from enlace.privacy import history
    from enlace.privacy.models import Breach

    told = 0
    with transaction.atomic():
        due = list(
            Breach.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now)
            .order_by("next_check_at", "id")[:BATCH]
        )
        officers = _officers() if due else []
        for breach in due:
            overdue = now >= breach.due_at
            breach.alert_level = OVERDUE if overdue else DUE_SOON
            plan_breach_alerts(breach, now)
            breach.save(update_fields=["alert_level", "next_check_at"])
            history.record_breach(
                breach,
                BreachEventKind.DEADLINE_ALERT,
                note=f"{timezone.localtime(breach.due_at):%d/%m/%Y %H:%M}",
                overdue=overdue,
                recipients=officers,
            )
            told += 1
    return told


def retention_due(now: datetime) -> dict[str, tuple[RetentionPolicy, Any]]:
    """For each active policy of a registered kind: the policy and its records whose time is
    up (a queryset of ids)."""
    due = {}
    for policy in RetentionPolicy.objects.filter(is_active=True):
        kind = registry.RETENTION.get(policy.kind)
        if kind is not None:
            cutoff = now - timedelta(days=round(policy.months * 30.44))
            due[policy.kind] = (policy, kind.due(cutoff))
    return due


def apply_retention(now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Anonymise what each policy says has been kept long enough, a batch at a time; with
    `dry_run`, only count it. Returns the records per kind."""
    done: dict[str, int] = {}
    for code, (_policy, records) in retention_due(now).items():
        kind = registry.RETENTION[code]
        if dry_run:
            done[code] = records.count()
            continue
        total = 0
        while True:
            ids = list(records.values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            with transaction.atomic():
                total += kind.anonymise(ids)
            if len(ids) < BATCH:
                break
        done[code] = total
        if total:
            logger.info("retention: %s records of %s anonymised", total, code)
    return done
