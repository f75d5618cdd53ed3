"""Background tasks of imports: they take ids and call one core function."""

from __future__ import annotations

from enlace.core.requestid import task
from enlace.imports.jobs import run_import_job


@task()
def run_import(job_id: int) -> str:
    return run_import_job(job_id)
