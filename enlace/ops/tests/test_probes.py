"""/healthz and /readyz through the real middleware stack and the real database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enlace.ops import checks


def test_healthz_answers_without_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz", HTTP_HOST="10.1.2.3")  # any Host: a probe's
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0
    assert response["Cache-Control"] == "no-store"


def test_readyz_names_each_check(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_when_migrations_are_missing(client, db):
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.filter(app="ops").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["migrations"] == {
        "ok": False,
        "ms": body["checks"]["migrations"]["ms"],
        "error": "1 migrations not applied",
    }
    assert body["checks"]["database"]["ok"]


def test_readyz_is_503_when_redis_does_not_answer(client, db, settings):
    settings.TASKS_BACKEND = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:1/5"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["queue"]
    assert check["ok"] is False
    assert check["error"] == "ConnectionError"  # the class only: no host, no password


def test_readyz_checks_redis_when_the_queue_is_rq(client, db, settings):
    settings.TASKS_BACKEND = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:6379/5"
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_take_only_get(client, db, path):
    response = client.post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_pending_migrations_is_empty_on_a_migrated_database(db):
    assert checks.pending_migrations() == []
