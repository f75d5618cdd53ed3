"""What every outbox (e-mail notifications, platform replies) shares: finding the rows a
sender left behind."""

from __future__ import annotations

from datetime import datetime, timedelta

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
