"""/metrics: who may read it, what it counts (by route name, never the path), and the
database's figures read when scraped."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from enlace.cases.models import CaseDeadline

ROOT = Path(__file__).resolve().parents[3]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in the metrics")


def test_an_allowed_address_reads_the_metrics(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    text = scrape(client, REMOTE_ADDR="10.20.30.40")
    assert "enlace_deadlines_open" in text


def test_an_address_not_allowed_is_refused_even_logged_in(client, admin_user, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = "s3cret-token"
    client.force_login(admin_user)
    response = client.get("/metrics", REMOTE_ADDR="192.168.1.9")
    assert response.status_code == 404
    assert b"enlace_" not in response.content


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer wrong", "Bearer s3cret-token ", "bearer s3cret-token", "Basic x", "Bearer ñ"],
)
def test_a_wrong_token_is_refused(client, db, settings, authorization):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 404


def test_the_token_opens_the_metrics_from_anywhere(client, db, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "s3cret-token"
    text = scrape(client, REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert "enlace_tasks_ready" in text


def test_no_token_and_no_address_turns_the_metrics_off(client, db, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics").status_code == 404


def test_an_unparsable_address_is_refused(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["0.0.0.0/0"]
    assert client.get("/metrics", REMOTE_ADDR="not-an-address").status_code == 404


def test_requests_are_counted_by_route_name_never_by_path(client, db):
    client.get("/")
    client.get("/seguimiento/")
    client.get("/casos/12345/")  # not logged in: redirected to the login
    client.get("/no-such-page/ana.perez@example.com/04567890-1")
    text = scrape(client)
    assert 'route="home"' in text
    assert 'route="unmatched",status="4xx"' in text
    # What a path could leak would be in the labels; the values are numbers (a timestamp may
    # hold any digits).
    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    assert "example.com" not in labels
    assert "04567890" not in labels
    assert "12345" not in labels
    assert 'route="cases:detail",status="3xx"' in text


def test_failed_logins_are_counted(client, db):
    before = value(scrape(client), "enlace_login_failures_total")
    client.post("/cuenta/entrar/", {"username": "nadie", "password": "mal"})
    assert value(scrape(client), "enlace_login_failures_total") == before + 1
    assert value(scrape(client), "enlace_login_failures_last_hour") >= 1


def test_the_database_figures_are_read_when_scraped(client, make_case):
    case = make_case()
    open_now = CaseDeadline.objects.filter(status="open").count()
    assert open_now >= 1
    text = scrape(client)
    assert value(text, "enlace_deadlines_open") == open_now
    assert value(text, "enlace_deadlines_overdue") == 0
    CaseDeadline.objects.filter(case=case).update(
        due_on="2020-01-01", next_check_at="2020-01-02T00:00Z"
    )
    text = scrape(client)
    assert value(text, "enlace_deadlines_overdue") == open_now
    assert value(text, "enlace_sweeper_lag_seconds") > 365 * 24 * 3600
    for outbox in ("notifications", "webhooks", "replies"):
        assert f'enlace_outbox_backlog{{outbox="{outbox}",status="pending"}}' in text
    assert value(text, 'enlace_figures_error{figure="deadlines"}') == 0


def test_the_rollups_backlog_and_last_check_are_scraped(client, make_case):
    from enlace.cases import rollups
    from enlace.cases.models import ChannelRollup

    make_case()
    assert value(scrape(client), "enlace_rollup_deltas_pending") == 1
    rollups.fold()
    ChannelRollup.objects.update(n=5)  # the rollups no longer agree with the cases
    day = timezone.localdate()
    rollups.verify(day, day, repair=False)
    text = scrape(client)
    assert value(text, "enlace_rollup_deltas_pending") == 0
    assert value(text, "enlace_rollup_differences") == 2
    assert value(text, "enlace_rollup_last_check_timestamp_seconds") > 0
    assert value(text, 'enlace_figures_error{figure="rollups"}') == 0


def test_the_figures_are_read_once_per_scrape(client, db, django_assert_max_num_queries):
    # queue, 3 outboxes, deadlines (2) and the last sweep, logins (2), rollups (2): a fixed count
    with django_assert_max_num_queries(12):
        scrape(client)


SCRIPT = """
import django, os, sys
os.environ["ENLACE_ENV"] = "development"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from enlace.ops import metrics
if sys.argv[1] == "observe":
    metrics.REQUEST_LATENCY.labels("home", "2xx").observe(0.01)
else:
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    sys.stdout.write(generate_latest(registry).decode())
"""


def test_worker_processes_add_up_in_multiprocess_mode(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(3):  # three worker processes, one request each
        subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", SCRIPT, "observe"], env=env, cwd=ROOT, check=True
        )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT, "collect"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert value(out, 'enlace_http_request_duration_seconds_count{route="home",status="2xx"}') == 3


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rq_queue_is_measured_on_redis(client, settings):
    import django_rq
    from django.test import override_settings
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry

    from enlace.ops.tests.test_request_id import tell_request_id

    url = "redis://127.0.0.1:6379/5"
    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASKS=rq_tasks, RQ_QUEUES=rq_queues, TASKS_BACKEND="rq", REDIS_URL=url):
        queue = django_rq.get_queue("default", job_class=Job)
        queue.empty()
        tell_request_id.enqueue("one")
        tell_request_id.enqueue("two")
        text = scrape(client)
        failed = FailedJobRegistry(queue=queue).count
        queue.empty()
    assert value(text, "enlace_tasks_ready") == 2
    assert value(text, "enlace_tasks_oldest_age_seconds") >= 0
    assert value(text, "enlace_tasks_failed") == failed
    assert value(text, 'enlace_figures_error{figure="queue"}') == 0


def test_a_queue_that_does_not_answer_is_an_error_not_a_500(client, db, settings):
    settings.TASKS_BACKEND = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:1/5"
    text = scrape(client)
    assert value(text, 'enlace_figures_error{figure="queue"}') == 1
    assert "enlace_tasks_ready" not in text
    assert "enlace_deadlines_open" in text
