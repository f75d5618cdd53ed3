"""The request id: echoed, sane or replaced, in every log line, and carried into the tasks a
request enqueues, on the database queue and on RQ."""

import io
import json
import logging
import socket

import pytest
from django.core.management import call_command
from django.test import override_settings

from enlace.core import requestid
from enlace.core.logformat import JsonFormatter

logger = logging.getLogger("enlace.ops.tests")


@requestid.task()
def tell_request_id(label: str) -> str:
    logger.info("task %s ran", label)
    return requestid.current() or ""


def test_a_sane_incoming_id_is_kept_and_echoed(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f2a.9_x")
    assert response["X-Request-ID"] == "lb-4f2a.9_x"


@pytest.mark.parametrize(
    "incoming", ["", "a b", "x" * 65, "abc\r\nSet-Cookie: x=1", "ñandú", "<script>", "1;DROP"]
)
def test_an_insane_incoming_id_is_replaced(client, db, incoming):
    response = client.get("/", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    echoed = response["X-Request-ID"]
    assert echoed != incoming
    assert len(echoed) == 32
    assert int(echoed, 16) >= 0


def test_every_request_without_one_gets_its_own(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second


def json_lines(run):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(requestid.RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        run()
    finally:
        root.removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logs_are_one_object_a_line_with_the_request_id():
    def run():
        with requestid.bound("req-1"):
            logger.warning("line one\nstill line one")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")

    first, second = json_lines(run)
    assert first["message"] == "line one\nstill line one"
    assert first["request_id"] == "req-1"
    assert first["level"] == "WARNING"
    assert first["logger"] == "enlace.ops.tests"
    assert second["request_id"] == "-"
    assert "ValueError: boom" in second["exc"]


def test_a_request_logs_its_id(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    lines = json_lines(lambda: client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404b"))
    assert any(line["request_id"] == "trace-404b" for line in lines)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_carries_the_request_id_into_the_task():
    from django_tasks_db.models import DBTaskResult

    with requestid.bound("req-db-7"):
        tell_request_id.enqueue("db")
    row = DBTaskResult.objects.get(task_path__endswith="tell_request_id")
    assert row.args_kwargs["kwargs"] == {"request_id": "req-db-7"}
    lines = json_lines(
        lambda: call_command(
            "db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0
        )
    )
    row.refresh_from_db()
    assert row.return_value == "req-db-7"
    assert {"message": "task db ran", "request_id": "req-db-7"}.items() <= next(
        line for line in lines if line["message"] == "task db ran"
    ).items()


def test_a_task_enqueued_outside_a_request_carries_nothing(db):
    from django_tasks_db.models import DBTaskResult

    tell_request_id.enqueue("none")
    row = DBTaskResult.objects.get(task_path__endswith="tell_request_id")
    assert row.args_kwargs["kwargs"] == {}
    assert row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]) == ""


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rq_carries_the_request_id_into_the_task(settings):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": "redis://127.0.0.1:6379/5", "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASKS=rq_tasks, RQ_QUEUES=rq_queues):
        queue = django_rq.get_queue("default", job_class=Job)
        queue.empty()
        with requestid.bound("req-rq-9"):
            result = tell_request_id.enqueue("rq")
        assert queue.count == 1
        lines = json_lines(
            lambda: SimpleWorker([queue], connection=queue.connection, job_class=Job).work(
                burst=True
            )
        )
        job = Job.fetch(result.id, connection=queue.connection)
        assert job.return_value() == "req-rq-9"
        queue.empty()
    ran = next(line for line in lines if line["message"] == "task rq ran")
    assert ran["request_id"] == "req-rq-9"


def test_each_request_is_one_json_line_without_its_path_or_query(client, db, settings):
    settings.LOG_REQUESTS = True
    lines = json_lines(
        lambda: client.get("/seguimiento/?codigo=04567890-1&nombre=Ana", HTTP_X_REQUEST_ID="acc-1")
    )
    [line] = [line for line in lines if line["logger"] == "enlace.access"]
    assert line["request_id"] == "acc-1"
    assert line["route"] == "portal:track"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert "04567890" not in json.dumps(lines)
    assert "Ana" not in json.dumps(lines)
