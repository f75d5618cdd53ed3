"""The same delivery task on both real queues: the database queue of the embedded default
(worked by `manage.py db_worker`), and RQ on the Redis at 127.0.0.1:6379."""

import socket

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from enlace.cases import actions
from enlace.notifications.models import Notification, NotificationStatus

# The enqueue happens on commit, so these tests commit; restoring the serialized database
# afterwards keeps the reference data for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def acknowledge_a_case(make_case, resolution) -> Notification:
    case = make_case(citizen={"name": "Ana", "email": "ana@example.com"})
    actions.do_acknowledge_case(case, acting_user=resolution)
    return Notification.objects.get(kind="acknowledgement")


def test_the_database_queue_delivers_after_commit(make_case, resolution, smtp_server):
    notification = acknowledge_a_case(make_case, resolution)
    assert notification.status == NotificationStatus.PENDING
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert [m["To"] for m in smtp_server.messages] == ["ana@example.com"]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_queue_runs_the_same_task(make_case, resolution, smtp_server):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq_tasks):
        notification = acknowledge_a_case(make_case, resolution)
        assert queue.count == 1
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert [m["To"] for m in smtp_server.messages] == ["ana@example.com"]
    assert settings.RQ_QUEUES["default"]["URL"].startswith("redis://")
