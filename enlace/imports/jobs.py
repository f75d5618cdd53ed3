"""Imports started from the web: queue one (the upload is stored first, then a background task
reads it), and run one, recording its progress and outcome on the job row. A job whose task was
lost (the queue down at the upload, a worker that dropped it) stays queued, stored, and the
sweeper hands it back (`requeue_queued`); a job delivered twice runs once (`run_import_job`
claims it first); a job whose process died while running it is marked failed (`fail_abandoned`,
by its lease)."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.lifecycle import CaseKind
from enlace.core.tabular import Problem
from enlace.imports.actions import Phase, do_import_cases
from enlace.imports.models import ImportJob, JobStatus
from enlace.imports.readers import ImportFileError, open_source
from enlace.imports.rejected import RejectedCsv

logger = logging.getLogger(__name__)

SUMMARY_PROBLEMS = 200  # shown on the page; the rejected-rows file has them all
# A job still queued this long after it was queued (or last handed back) most likely lost its
# task: the sweeper enqueues it again. Longer than the outboxes' two minutes: a large import
# ahead of it in the queue takes minutes, and a needless second delivery only costs a query.
GRACE = timedelta(minutes=5)
REQUEUE_BATCH = 100
# While a job runs, its process holds a PostgreSQL advisory lock on (LEASE_SPACE, job id) on its
# own connection: the lock goes with the process when it dies, so the sweeper can tell a job
# still running from one whose process was killed (`fail_abandoned`).
LEASE_SPACE = 0x494D50  # "IMP"


def do_queue_import(*, actor: User, upload: File[Any], skip_invalid: bool) -> ImportJob:
    job = ImportJob(
        created_by=actor, original_name=str(upload.name)[:255], skip_invalid=skip_invalid
    )
    job.file.save(str(upload.name), upload, save=False)
    job.save()
    schedule(job.pk)
    return job


def schedule(job_id: int) -> None:
    """Enqueue the job's task once the current transaction commits. With the queue down the
    failure is logged and the job stays queued, its file stored, for the sweeper to hand back
    (`requeue_queued`): the upload still answers."""
    from enlace.imports.tasks import run_import  # the task module imports this one

    transaction.on_commit(lambda: run_import.enqueue(job_id), robust=True)


def requeue_queued(now: datetime) -> int:
    """Hand back to the queue the jobs still queued `GRACE` after they were queued, or after
    the sweeper last handed them back; returns how many. Each is claimed (another sweeper skips
    it) and stamped, so it is handed back at most once per `GRACE` however slow the queue.
    A second delivery is harmless: `run_import_job` claims the job before running it."""
    cutoff = now - GRACE
    jobs = ImportJob.objects
    with transaction.atomic():
        due = list(
            jobs.select_for_update(skip_locked=True)
            .filter(status=JobStatus.QUEUED)
            .filter(
                Q(requeued_at__lte=cutoff) | Q(requeued_at__isnull=True, created_at__lte=cutoff)
            )
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:REQUEUE_BATCH]
        )
        jobs.filter(pk__in=due, status=JobStatus.QUEUED).update(requeued_at=now)
        for job_id in due:
            schedule(job_id)
    return len(due)


class _JobProgress:
    """Writes the job's progress at most once a second."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.saved = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.job.phase and now - self.saved < 1.0:
            return
        self.saved = now
        self.job.phase, self.job.done, self.job.total = phase, done, total
        ImportJob.objects.filter(pk=self.job.pk).update(phase=phase, done=done, total=total)


def run_import_job(job_id: int) -> str:
    """Run the job if it is still queued; returns its status. The job is claimed first with a
    conditional UPDATE (queued -> running), so of two deliveries of the same job (the sweeper's
    hand-back and the original task, say), even at the same moment, only one runs it. It holds
    the job's lease (`_lease`) until its outcome is saved."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # another delivery has it, or had it: nothing to do
        status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        return status or "missing"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with _lease(job_id), tempfile.TemporaryFile("w+b") as spool:  # rejected rows: on disk
        text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
        _run(job, RejectedCsv(text))
        text.flush()
        text.detach()
        if job.rejected:
            spool.seek(0)
            name = job.original_name.rsplit(".", 1)[0] + "_rechazadas.csv"
            job.rejected_file.save(name, File(spool), save=False)
        job.save()
    return job.status


@contextmanager
def _lease(job_id: int) -> Iterator[None]:
    """The running job's lease: a session advisory lock held by this process's connection
    until the job's outcome is saved (PostgreSQL; SQLite's single worker needs none)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_SPACE, job_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_SPACE, job_id])


def fail_abandoned(now: datetime) -> int:
    """Mark failed the jobs left running by a process that died (its lease is free), with a
    message saying what to check; returns how many. PostgreSQL only: with SQLite the one
    embedded worker runs the jobs in turn and a stopped `make run` stops it too. A job
    claimed in the last minute is left alone: its process may not have taken its lease yet."""
    if connection.vendor != "postgresql":
        return 0
    running = ImportJob.objects.filter(
        status=JobStatus.RUNNING, started_at__lt=now - timedelta(minutes=1)
    ).values_list("pk", flat=True)
    failed = 0
    for job_id in running:
        with transaction.atomic(), connection.cursor() as cursor:
            # Free means nobody holds it: the process running the job is gone. Taken for this
            # transaction only, so two sweepers never both fail the same job.
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LEASE_SPACE, job_id])
            (free,) = cursor.fetchone()
            if not free:
                continue
            failed += ImportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED,
                finished_at=now,
                message=_(
                    "The process running this import stopped before it finished. Its cases "
                    "were saved only if it had reached its end: look for them in the case "
                    "list before uploading the file again."
                ),
            )
    if failed:
        logger.warning("import jobs abandoned by a stopped process marked failed: %s", failed)
    return failed


def _run(job: ImportJob, rejected: RejectedCsv) -> None:
    problems: list[Problem] = []

    def on_problem(line: int, values: dict[str, Any], found: list[Problem]) -> None:
        rejected(line, values, found)
        problems.extend(found[: max(SUMMARY_PROBLEMS - len(problems), 0)])

    try:
        with job.file.open("rb") as stream:
            result = do_import_cases(
                open_source(stream, job.original_name),
                actor=job.created_by,
                skip_invalid=job.skip_invalid,
                on_problem=on_problem,
                on_progress=_JobProgress(job),
            )
    except ImportFileError as error:
        problems, job.status = error.problems, JobStatus.REJECTED
        job.message = _("The file cannot be read; nothing was imported.")
    except Exception as error:
        job.status, job.message = JobStatus.FAILED, f"{type(error).__name__}: {error}"
        _finish(job, problems)
        job.save()
        raise
    else:
        job.rows, job.imported = result.rows, result.imported
        job.already_imported, job.rejected = result.already_imported, result.rejected
        job.status = JobStatus.DONE if result.committed else JobStatus.REJECTED
        if not result.committed:
            job.message = _("Some rows have errors; nothing was imported.")
    job.rejected = max(job.rejected, rejected.count)
    _finish(job, problems)


def _finish(job: ImportJob, problems: list[Problem]) -> None:
    job.problems = [[p.line, p.column, p.reason] for p in problems[:SUMMARY_PROBLEMS]]
    job.finished_at = timezone.now()
    if job.status == JobStatus.DONE:
        job.phase, job.done = Phase.SAVING, job.total


def template_csv() -> str:
    """The header and one example row, an opinion made of the columns' examples: what an
    analyst fills in."""
    from enlace.imports.rows import COLUMNS, SPEC

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([column.example if CaseKind.OPINION in column.kinds else "" for column in SPEC])
    return out.getvalue()
