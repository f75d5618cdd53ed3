"""Imports started from the web: queue one (the upload is stored first, then a background task
reads it), and run one, recording its progress and outcome on the job row."""

from __future__ import annotations

import csv
import io
import tempfile
import time
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.lifecycle import CaseKind
from enlace.core.tabular import Problem
from enlace.imports.actions import Phase, do_import_cases
from enlace.imports.models import ImportJob, JobStatus
from enlace.imports.readers import ImportFileError, open_source
from enlace.imports.rejected import RejectedCsv

SUMMARY_PROBLEMS = 200  # shown on the page; the rejected-rows file has them all


def do_queue_import(*, actor: User, upload: File[Any], skip_invalid: bool) -> ImportJob:
    from enlace.imports.tasks import run_import  # the task module imports this one

    job = ImportJob(
        created_by=actor, original_name=str(upload.name)[:255], skip_invalid=skip_invalid
    )
    job.file.save(str(upload.name), upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


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
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.status  # a second delivery of the same task does nothing
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    with tempfile.TemporaryFile("w+b") as spool:  # rejected rows: on disk, however many
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
