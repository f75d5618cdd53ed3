"""`manage.py status` on the real database."""

from io import StringIO

import pytest
from django.core.management import call_command

from enlace.core import sweeping


def status() -> str:
    out = StringIO()
    call_command("status", stdout=out, no_color=True)
    return out.getvalue()


def test_status_tells_the_operator_everything(make_case):
    make_case()
    text = status()
    assert "Readiness: ready" in text
    for name in ("database", "cache", "queue", "migrations"):
        assert f"ok   {name}" in text
    assert "Task queue (database): 0 ready, 0 scheduled" in text
    for outbox in ("notifications", "webhooks", "replies"):
        assert outbox in text
    assert "Deadlines: " in text
    assert "0 overdue" in text
    assert "Last sweep: never recorded" in text
    assert "Failed logins in the last hour: 0" in text


def test_status_shows_the_last_sweep(db):
    sweeping.sweep()
    assert "s ago)" in status()


def test_status_fails_when_not_ready(db, settings):
    settings.TASKS_BACKEND = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:1/5"
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("status", stdout=out, no_color=True)
    assert exit_.value.code == 1
    assert "NOT READY" in out.getvalue()
    assert "FAIL queue" in out.getvalue()
