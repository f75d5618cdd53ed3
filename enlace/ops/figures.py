"""The figures an operator watches, each read with one cheap query (an index, or a small
table): the task queue, the outboxes' backlogs, the deadlines and the sweeper, failed logins.

The metrics' collector (computed when Prometheus scrapes) and `manage.py status` both read
them from here. No figure carries personal data: only counts and ages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from enlace.core import outbox
from enlace.core.outbox import PENDING, SENDING


@dataclass(frozen=True)
class Queue:
    backend: str
    ready: int  # due now, waiting for a worker
    scheduled: int  # waiting for their time (retries)
    oldest_age_seconds: float  # how long the oldest due task has waited (0 when none)
    failed: int | None = None  # RQ's failed-job registry (the database keeps them as rows)


@dataclass(frozen=True)
class Backlog:
    name: str
    pending: int
    sending: int
    oldest_age_seconds: float


@dataclass(frozen=True)
class Deadlines:
    open: int
    overdue: int
    sweeper_lag_seconds: float  # how late the oldest row due to be looked at is (0 when none)
    last_sweep: datetime | None


@dataclass(frozen=True)
class Rollups:
    deltas_pending: int  # changes not yet folded into the rollups (the sweeper folds them)
    last_check_at: datetime | None  # the nightly comparison with the cases
    last_check_differences: int  # keys that differed then (and were repaired)


@dataclass(frozen=True)
class Logins:
    failed_last_hour: int
    locked_last_hour: int


@dataclass
class Figures:
    queue: Queue | None = None
    backlogs: list[Backlog] = field(default_factory=list)
    deadlines: Deadlines | None = None
    logins: Logins | None = None
    rollups: Rollups | None = None
    errors: dict[str, str] = field(default_factory=dict)  # figure -> exception class


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


def queue_figures(now: datetime) -> Queue:
    if settings.TASKS_BACKEND == "rq":
        return _rq_queue(now)
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    # Every READY row is in the partial index tasks_db_new_ordering_idx; a task enqueued
    # without a time to run has run_after = the largest date.
    never = get_date_max()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by()
    row = ready.aggregate(
        now=Count("pk", filter=Q(run_after=never)),
        due=Count("pk", filter=Q(run_after__lte=now)),
        later=Count("pk", filter=Q(run_after__gt=now) & ~Q(run_after=never)),
        oldest_now=Min("enqueued_at", filter=Q(run_after=never)),
        oldest_due=Min("run_after", filter=Q(run_after__lte=now)),
    )
    oldest = min((t for t in (row["oldest_now"], row["oldest_due"]) if t), default=None)
    return Queue("database", row["now"] + row["due"], row["later"], _age(now, oldest))


def _rq_queue(now: datetime) -> Queue:
    import redis
    from rq import Queue as RQQueue
    from rq.job import Job
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    from enlace.ops.checks import redis_connection

    connection = redis_connection()  # short timeouts: a scrape must not hang on Redis
    assert isinstance(connection, redis.Redis)
    try:
        queue = RQQueue("default", connection=connection)
        oldest = None
        for job_id in queue.get_job_ids(0, 0):
            job = Job.fetch(job_id, connection=connection)
            if job.enqueued_at:
                oldest = job.enqueued_at.replace(tzinfo=job.enqueued_at.tzinfo or UTC)
        return Queue(
            "rq",
            queue.count,
            ScheduledJobRegistry(queue=queue).count,  # type: ignore[no-untyped-call]
            _age(now, oldest),
            FailedJobRegistry(queue=queue).count,
        )
    finally:
        connection.close()


def backlog_figures(now: datetime) -> list[Backlog]:
    """Rows still to send in each registered outbox (their partial index holds only those)."""
    backlogs = []
    for box in outbox.outboxes():
        row = (
            box.model._default_manager.filter(status__in=[PENDING, SENDING])
            .order_by()
            .aggregate(
                pending=Count("pk", filter=Q(status=PENDING)),
                sending=Count("pk", filter=Q(status=SENDING)),
                oldest=Min("created_at"),
            )
        )
        backlogs.append(Backlog(box.name, row["pending"], row["sending"], _age(now, row["oldest"])))
    return backlogs


def deadline_figures(now: datetime) -> Deadlines:
    from enlace.cases.models import CaseDeadline, DeadlineStatus
    from enlace.ops.models import Heartbeat

    today = timezone.localdate(now)
    # Two index-only scans of the partial index of open deadlines by due date
    # (deadline_open_due_idx): all of it, and the range before today. One query with both
    # counts makes PostgreSQL read the table instead.
    open_deadlines = CaseDeadline.objects.filter(status=DeadlineStatus.OPEN).order_by()
    row = {
        "open": open_deadlines.count(),
        "overdue": open_deadlines.filter(due_on__lt=today).count(),
    }
    # The first row of the sweeper's own partial index (deadline_next_check_idx).
    oldest_due = (
        CaseDeadline.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("next_check_at", flat=True)
        .first()
    )
    return Deadlines(
        row["open"], row["overdue"], _age(now, oldest_due), Heartbeat.last(Heartbeat.SWEEP)
    )


def rollup_figures(now: datetime) -> Rollups:
    """The reports' rollups (enlace/cases/rollups.py): what is left to fold, and the last
    check against the cases."""
    from enlace.cases.models import RollupCheck, RollupDelta

    last = RollupCheck.objects.filter(kind=RollupCheck.Kind.VERIFIED).order_by("-at").first()
    return Rollups(
        RollupDelta.objects.count(),
        last.at if last else None,
        last.differences if last else 0,
    )


def login_figures(now: datetime) -> Logins:
    from axes.models import AccessAttempt

    from enlace.accounts.models import AccountEvent, AccountEventKind

    since = now - timedelta(hours=1)
    # django-axes keeps one row per account (AXES_LOCKOUT_PARAMETERS) with failures since its
    # last success: a small table.
    failed = AccessAttempt.objects.filter(attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    locked = AccountEvent.objects.filter(kind=AccountEventKind.LOCKED, at__gte=since).count()
    return Logins(failed or 0, locked)


def read_all(now: datetime | None = None) -> Figures:
    """Every figure; one that cannot be read is named in `errors` (the others still are)."""
    now = now or timezone.now()
    figures = Figures()
    readers: dict[str, Callable[[], None]] = {
        "queue": lambda: setattr(figures, "queue", queue_figures(now)),
        "backlogs": lambda: setattr(figures, "backlogs", backlog_figures(now)),
        "deadlines": lambda: setattr(figures, "deadlines", deadline_figures(now)),
        "logins": lambda: setattr(figures, "logins", login_figures(now)),
        "rollups": lambda: setattr(figures, "rollups", rollup_figures(now)),
    }
    for name, read in readers.items():
        try:
            read()
        except Exception as error:  # one part down must not hide the others
            figures.errors[name] = type(error).__name__
    return figures
