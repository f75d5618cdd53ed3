"""The one outbox: a row per message to send, written in the transaction of the change that
causes it, sent by a background task, retried with a growing delay, and re-queued by the
sweeper when a worker or the queue lost it.

Each outbox (the e-mail notifications, the channels' replies to citizens, the webhooks'
deliveries) is a model with the columns of `OutboxRow` and an `Outbox` that knows only its
transport (`transmit`): claiming a row, recording a failure, scheduling the retry and re-queuing
what was left behind are written here, once.

    class NotificationOutbox(Outbox[Notification]):
        model = Notification
        ...
        def transmit(self, row): ...    # send it, or raise OutboxError

`register(outbox)` (in the app's `ready()`) adds its re-queue to the sweeper's jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from enlace.core import sweeping

logger = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
FAILED = "failed"
BATCH = 1000


class OutboxRow(models.Model):
    """The columns every outbox row has, and the partial index its sweeper reads. A concrete
    outbox declares `status` again with its own choices (pending, sending, its own kinds of
    done, failed)."""

    status = models.CharField(_("status"), max_length=10, default=PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # While a worker sends, the row is leased to it until this time; a worker that dies
    # leaves a lease that runs out, and the sweeper hands the row to another worker.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        indexes = [
            # What the sweeper reads: rows still to send, by when.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="%(app_label)s_%(class)s_due",
                condition=Q(status__in=[PENDING, SENDING]),
            )
        ]


class OutboxError(Exception):
    """The transport could not send: retried later, unless `permanent` (then failed at once);
    `fields` are columns to record with the failure (an HTTP status, say)."""

    def __init__(
        self, message: str, *, permanent: bool = False, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.fields = fields or {}


Row = TypeVar("Row", bound=OutboxRow)


class Outbox(Generic[Row]):
    model: type[Row]
    name: ClassVar[str]  # the sweeper prints "<name> requeued=N"
    # The background task that calls `deliver(row_id)` (a django-tasks Task), by its path.
    task_path: ClassVar[str]
    done: ClassVar[str]  # the status of a row sent ("sent", "delivered")
    done_at: ClassVar[str]  # the column that records when ("sent_at", "delivered_at")
    attempts: ClassVar[int] = 6  # then the row is failed, and stays for a person
    # Minutes to wait after attempt 1, 2, 3...; the last value once exhausted.
    backoff_minutes: ClassVar[Sequence[int]] = (1, 5, 15, 60, 180, 360, 720)
    lease: ClassVar[timedelta] = timedelta(minutes=5)
    # A pending row younger than this most likely has its task still in the queue.
    grace: ClassVar[timedelta] = timedelta(minutes=2)

    # --- What each outbox says --------------------------------------------------------------
    def max_attempts(self) -> int:
        return self.attempts

    def task(self) -> Any:
        return import_string(self.task_path)

    def transmit(self, row: Row) -> dict[str, Any]:
        """Send the row; the columns to record with its success (besides its status and
        `done_at`), or raise OutboxError."""
        raise NotImplementedError

    def after_sent(self, row: Row, sent_at: datetime) -> None:
        """What follows a row's success, in the transaction that records it."""

    # --- The mechanics, written once -------------------------------------------------------
    def backoff(self, attempts: int) -> timedelta:
        minutes = self.backoff_minutes
        return timedelta(minutes=minutes[min(attempts, len(minutes)) - 1])

    def deliver(self, row_id: int, *, now: datetime | None = None) -> str:
        """Send one row if it is due and nobody else is sending it. Returns what happened:
        the done status ("sent", "delivered"), "retry", "failed" or "skipped".

        The row is claimed with a conditional UPDATE (pending -> sending, with a lease), so
        two workers handed the same id never both send it."""
        now = now or timezone.now()
        rows = self.model._default_manager
        claimed = rows.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=row_id,
            status=PENDING,
        ).update(status=SENDING, attempts=F("attempts") + 1, locked_until=now + self.lease)
        if not claimed:
            return "skipped"
        row = rows.get(pk=row_id)
        try:
            sent = self.transmit(row)
        except OutboxError as error:
            final = error.permanent or row.attempts >= self.max_attempts()
            retry_at = None if final else now + self.backoff(row.attempts)
            rows.filter(pk=row_id).update(
                status=FAILED if final else PENDING,
                next_attempt_at=retry_at,
                last_error=str(error)[:1000],
                locked_until=None,
                **error.fields,
            )
            logger.warning("%s %s attempt %s failed: %s", self.name, row_id, row.attempts, error)
            if retry_at is not None:
                self.schedule(row_id, run_after=retry_at)
            return FAILED if final else "retry"
        sent_at = timezone.now()
        with transaction.atomic():
            # Something may already have moved it on (a platform's status callback can arrive
            # before the platform's answer to the send).
            rows.filter(pk=row_id, status=SENDING).update(status=self.done)
            rows.filter(pk=row_id).update(
                locked_until=None,
                last_error="",
                next_attempt_at=None,
                **{self.done_at: sent_at},
                **sent,
            )
            self.after_sent(row, sent_at)
        return self.done

    def schedule(self, row_id: int, *, run_after: datetime | None = None) -> None:
        """Enqueue the sending task once the current transaction commits (at once outside
        one), so a rolled-back change sends nothing; `run_after` delays it (a retry). With
        the queue down, the failure is logged and the row stays pending for the sweeper to
        hand back (`left_behind`): what was committed stands and the request still succeeds."""
        task = self.task()

        def enqueue() -> None:
            (task.using(run_after=run_after) if run_after else task).enqueue(row_id)

        transaction.on_commit(enqueue, robust=True)

    def left_behind(self, now: datetime) -> list[int]:
        """The ids to hand back to the queue: rows whose sender's lease ran out (the worker died
        mid-send), put back to pending, and pending rows overdue by `grace` (their task was
        lost, or the queue was down). Sending twice is harmless: a sender claims first."""
        rows = self.model._default_manager
        stalled = list(
            rows.filter(status=SENDING, locked_until__lt=now).values_list("pk", flat=True)[:BATCH]
        )
        rows.filter(pk__in=stalled, status=SENDING).update(
            status=PENDING, next_attempt_at=now, locked_until=None
        )
        cutoff = now - self.grace
        with transaction.atomic():
            # Claimed (another sweeper skips them) and stamped: a row handed back waits another
            # `grace` before it is handed back again, however long the queue is. Without the
            # stamp, a queue slower than `grace` got every pending row again at every sweep,
            # by every sweeper (the load test saw 31,000 jobs for 5,000 rows).
            forgotten = list(
                rows.select_for_update(skip_locked=True)
                .filter(status=PENDING)
                .filter(
                    Q(next_attempt_at__lte=cutoff)
                    | Q(next_attempt_at__isnull=True, created_at__lte=cutoff)
                )
                .exclude(pk__in=stalled)
                .values_list("pk", flat=True)[:BATCH]
            )
            rows.filter(pk__in=forgotten, status=PENDING).update(next_attempt_at=now)
        return [*stalled, *forgotten]

    def requeue_due(self, *, now: datetime | None = None) -> int:
        """Hand back to the queue what was left behind; returns how many rows."""
        due = self.left_behind(now or timezone.now())
        with transaction.atomic():
            for row_id in due:
                self.schedule(row_id)
        return len(due)


_OUTBOXES: dict[str, Outbox[Any]] = {}


def register(outbox: Outbox[Any], *, order: int) -> None:
    """Add the outbox's re-queue to the sweeper's jobs (from the owning app's `ready()`), and
    the outbox to those the operator's backlogs list (`outboxes()`)."""
    _OUTBOXES[outbox.name] = outbox

    def requeue(now: datetime) -> dict[str, int]:
        return {f"{outbox.name} requeued": outbox.requeue_due(now=now)}

    sweeping.register(f"outbox.{outbox.name}", requeue, order=order)


def outboxes() -> list[Outbox[Any]]:
    """Every registered outbox, by name (metrics and `manage.py status` show their backlogs)."""
    return [_OUTBOXES[name] for name in sorted(_OUTBOXES)]
