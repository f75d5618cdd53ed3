"""What every outbox (e-mail notifications, platform replies, webhook deliveries) shares: the
task enqueued after the row's transaction commits, the growing delay between attempts, and
finding and re-queueing the rows a sender left behind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model, Q

BATCH = 1000


def left_behind(
    model: type[Model], *, sending: str, pending: str, now: datetime, grace: timedelta
) -> list[int]:
    """The ids to hand back to the queue: rows whose sender's lease ran out (the worker died
    mid-send), put back to pending, and pending rows overdue by `grace` (their task was lost, or
    the queue was down). Sending twice is harmless: a sender claims the row before it sends."""
    rows = model._default_manager
    stalled = list(
        rows.filter(status=sending, locked_until__lt=now).values_list("pk", flat=True)[:BATCH]
    )
    rows.filter(pk__in=stalled, status=sending).update(
        status=pending, next_attempt_at=now, locked_until=None
    )
    cutoff = now - grace
    forgotten = list(
        rows.filter(status=pending)
        .filter(
            Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff)
        )
        .exclude(pk__in=stalled)
        .values_list("pk", flat=True)[:BATCH]
    )
    return [*stalled, *forgotten]


def enqueue_after_commit(task: Any, row_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue `task(row_id)` once the current transaction commits (at once outside one), so a
    rolled-back change sends nothing; `run_after` delays it (a retry)."""

    def enqueue() -> None:
        (task.using(run_after=run_after) if run_after else task).enqueue(row_id)

    transaction.on_commit(enqueue)


def backoff(attempts: int, minutes: Sequence[int]) -> timedelta:
    """The wait before the next attempt after `attempts` failed ones: the schedule's minutes,
    its last value once exhausted."""
    return timedelta(minutes=minutes[min(attempts, len(minutes)) - 1])


def requeue_left_behind(
    model: type[Model],
    *,
    sending: str,
    pending: str,
    now: datetime,
    grace: timedelta,
    schedule: Callable[[int], None],
) -> int:
    """Hand `left_behind` rows back to the queue through `schedule`; returns how many."""
    due = left_behind(model, sending=sending, pending=pending, now=now, grace=grace)
    with transaction.atomic():
        for row_id in due:
            schedule(row_id)
    return len(due)
