"""The readiness checks: can this process serve a request that writes a case and queues its
mail? Each check is a function that raises when its part is not ready; `run_checks` times them
and never lets one check's failure hide another's.

What a failure says is the exception's class only: a probe's answer may be public (a load
balancer, a proxy), and an exception's text can name a host, a user or a password.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# A probe must answer within its orchestrator's timeout even when Redis does not.
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    ms: float
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {"ok": self.ok, "ms": round(self.ms, 1)}
        if self.error:
            result["error"] = self.error
        return result


class NotReady(Exception):
    """A part answers, but is not ready (migrations left to apply)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = "enlace:readyz"
    value = str(time.monotonic_ns())
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise NotReady("the cache did not return what was stored")


def redis_connection() -> object:
    """The RQ queue's Redis, with short timeouts (a probe must not hang)."""
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


def check_queue() -> None:
    """The task queue: Redis answers (TASKS_BACKEND=rq), or the database queue's table is
    readable (the embedded default)."""
    if settings.TASKS_BACKEND == "rq":
        import redis

        client = redis_connection()
        assert isinstance(client, redis.Redis)
        try:
            client.ping()
        finally:
            client.close()
        return
    from django_tasks_db.models import DBTaskResult

    list(DBTaskResult.objects.order_by().values_list("pk", flat=True)[:1])


@lru_cache(maxsize=1)
def _known_migrations() -> tuple[
    frozenset[tuple[str, str]], dict[tuple[str, str], list[tuple[str, str]]]
]:
    """The migrations this code has (read from disk once per process: the code does not change
    under a running process), and what each squashed one replaces."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes), {
        key: list(migration.replaces)
        for key, migration in loader.disk_migrations.items()
        if migration.replaces
    }


def pending_migrations() -> list[str]:
    """The migrations of this code that the database has not applied (one query)."""
    known, replaces = _known_migrations()
    applied = set(MigrationRecorder(connection).applied_migrations())
    pending = []
    for key in sorted(known - applied):
        if key in replaces and all(old in applied for old in replaces[key]):
            continue
        pending.append(f"{key[0]}.{key[1]}")
    return pending


def check_migrations() -> None:
    pending = pending_migrations()
    if pending:
        raise NotReady(f"{len(pending)} migrations not applied")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_queue,
    "migrations": check_migrations,
}


def run_checks() -> list[CheckResult]:
    results = []
    for name, check in CHECKS.items():
        start = time.perf_counter()
        try:
            check()
        except NotReady as error:
            results.append(CheckResult(name, False, _ms(start), str(error)))
        except Exception as error:  # any failure is "not ready", named by its class
            results.append(CheckResult(name, False, _ms(start), type(error).__name__))
        else:
            results.append(CheckResult(name, True, _ms(start)))
    return results


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
