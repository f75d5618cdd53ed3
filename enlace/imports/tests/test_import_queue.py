"""An import whose task was lost (the queue down at the upload, a worker that dropped it) is
kept and handed back by the sweeper; a job delivered twice is run once."""

from datetime import timedelta

import pytest
from django.db.models.signals import post_init, post_save
from django_tasks_db.models import DBTaskResult

from enlace.cases.models import CaseEvent, EventKind
from enlace.core import sweeping
from enlace.imports.jobs import GRACE, LEASE_SPACE, run_import_job
from enlace.imports.models import ImportJob, JobStatus
from enlace.imports.tests.test_import_cases import GOOD
from enlace.imports.tests.test_import_views import upload, work_the_queue

# The task is enqueued on commit, so these tests commit; the serialized database is restored.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _media(media):
    """Every test here stores files: under a temporary media root (conftest.py)."""


def sweep_imports(now, name="imports.queued"):
    """One of the imports' jobs among the sweeper's, as `manage.py sweep` runs it."""
    (job,) = [job for job in sweeping.jobs() if job.name == name]
    return dict(job.run(now))


def queued_tasks():
    return DBTaskResult.objects.filter(task_path__endswith="run_import").count()


def test_an_upload_while_the_queue_is_down_is_kept_and_run_after_the_sweep(
    client_for, importer, settings
):
    """Redis down (the chaos test's fault): the page answers as usual with the job queued and
    its file stored; once the grace has passed the sweeper hands it to the queue, and it runs."""
    embedded = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there
    client = client_for(importer)
    response = upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/importaciones/{job.pk}/"
    assert job.status == JobStatus.QUEUED
    assert job.file.read().startswith(b"external_id,")
    page = client.get(response["Location"]).content.decode()
    assert "En cola" in page
    settings.TASKS = embedded  # the queue is back
    assert queued_tasks() == 0
    assert sweep_imports(job.created_at + GRACE) == {"import jobs requeued": 1}
    assert queued_tasks() == 1
    work_the_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.rows, job.imported, job.rejected) == (3, 3, 0)
    assert sweep_imports(job.created_at + 10 * GRACE) == {"import jobs requeued": 0}


def test_a_job_queued_recently_is_not_handed_back(client_for, importer):
    """Its task is most likely still in the queue; after the grace it is handed back once per
    grace (however many sweeps), and the extra delivery runs nothing."""
    upload(client_for(importer), GOOD)
    job = ImportJob.objects.get()
    assert queued_tasks() == 1
    assert sweep_imports(job.created_at) == {"import jobs requeued": 0}
    assert sweep_imports(job.created_at + GRACE - timedelta(seconds=1)) == {
        "import jobs requeued": 0
    }
    assert queued_tasks() == 1
    later = job.created_at + GRACE
    assert sweep_imports(later) == {"import jobs requeued": 1}
    assert sweep_imports(later + timedelta(minutes=1)) == {"import jobs requeued": 0}
    assert queued_tasks() == 2
    work_the_queue()
    job.refresh_from_db()
    assert (job.status, job.imported, job.already_imported) == (JobStatus.DONE, 3, 0)
    assert CaseEvent.objects.filter(kind=EventKind.IMPORTED).count() == 3


def test_two_deliveries_of_the_same_job_at_once_import_its_rows_once(client_for, importer):
    """A second delivery arrives at the very moment the first loads the job (post_init), as
    when two workers are handed the same job: one runs it, the other leaves it."""
    upload(client_for(importer), GOOD)
    job = ImportJob.objects.get()
    outcomes = []

    def second_delivery(sender, instance, **kwargs):
        if instance.pk == job.pk and not outcomes:
            outcomes.append("second")
            outcomes.append(run_import_job(job.pk))

    post_init.connect(second_delivery, sender=ImportJob)
    try:
        first = run_import_job(job.pk)
    finally:
        post_init.disconnect(second_delivery, sender=ImportJob)
    job.refresh_from_db()
    assert (job.status, job.rows, job.imported, job.already_imported) == (
        JobStatus.DONE,
        3,
        3,
        0,
    )
    assert CaseEvent.objects.filter(kind=EventKind.IMPORTED).count() == 3
    assert first == JobStatus.DONE
    assert outcomes == ["second", JobStatus.RUNNING]  # it found the job taken, and left it
    work_the_queue()  # the task enqueued at the upload: the job is done, it does nothing
    job.refresh_from_db()
    assert (job.imported, job.already_imported) == (3, 0)


def leases_held(job_id):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND granted",
            [LEASE_SPACE, job_id],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the running job's lease is a PostgreSQL advisory lock")


def test_a_job_left_running_by_a_killed_process_is_marked_failed(postgresql, client_for, importer):
    """Its process died with the lease (kill -9 of a worker mid-import): a minute after it
    started, the sweeper marks it failed, and its page says what to check."""
    from django.utils import timezone

    upload(client_for(importer), GOOD)
    job = ImportJob.objects.get()
    started = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=started)
    abandoned = "imports.abandoned"
    assert sweep_imports(started + timedelta(seconds=30), abandoned) == {"import jobs abandoned": 0}
    assert sweep_imports(started + timedelta(minutes=2), abandoned) == {"import jobs abandoned": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    page = client_for(importer).get(f"/importaciones/{job.pk}/").content.decode()
    assert "antes de terminar" in page
    assert sweep_imports(started + timedelta(minutes=3), abandoned) == {"import jobs abandoned": 0}


def test_a_job_whose_process_holds_its_lease_is_left_running(postgresql, client_for, importer):
    """A long import (a million rows takes minutes) is running as long as its process holds
    the lease, however long ago it started; its lease is let go when it ends."""
    import threading

    from django.db import connection, connections
    from django.utils import timezone

    upload(client_for(importer), GOOD)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )
    holding, release = threading.Event(), threading.Event()

    def worker():  # another process's connection, holding the lease as run_import_job does
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_SPACE, job.pk])
                holding.set()
                release.wait(10)
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_SPACE, job.pk])
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert holding.wait(10)
        assert sweep_imports(timezone.now(), "imports.abandoned") == {"import jobs abandoned": 0}
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING
    finally:
        release.set()
        thread.join(10)
    # A real run holds the lease until its outcome is saved, then lets it go.
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, started_at=None)
    assert leases_held(job.pk) == 0
    held_at_save = []

    def saved(sender, instance, **kwargs):
        held_at_save.append(leases_held(instance.pk))

    post_save.connect(saved, sender=ImportJob)
    try:
        assert run_import_job(job.pk) == JobStatus.DONE
    finally:
        post_save.disconnect(saved, sender=ImportJob)
    assert held_at_save[-1:] == [1]
    assert leases_held(job.pk) == 0
