"""Prometheus metrics (prometheus-client), at `/metrics`.

Two kinds:

- **Counted by the process** as requests and logins happen: request latency per route (the
  resolved URL name, never the path) and status class; failed logins. With several worker
  processes (gunicorn), `PROMETHEUS_MULTIPROC_DIR` names an empty folder every process writes
  its samples to, and a scrape adds them up (prometheus-client's multiprocess mode).
- **Read from the database when scraped** (`FiguresCollector`): the task queue, the outboxes'
  backlogs, the deadlines, the sweeper's lag, failed logins in the last hour. They are read
  once per scrape, by the process that answers it, with the queries of `enlace/ops/figures.py`.

`/metrics` answers only an address of `METRICS_ALLOWED_IPS` or a request carrying
`Authorization: Bearer <METRICS_TOKEN>`; anyone else gets 404, as if it were not there.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from enlace.ops import figures

REQUEST_LATENCY = Histogram(
    "enlace_http_request_duration_seconds",
    "Time to answer a request, by route (URL name) and status class.",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
LOGIN_FAILURES = Counter("enlace_login_failures", "Failed staff logins (counted as they happen).")

access_log = logging.getLogger("enlace.access")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # a path no URL pattern knows (404): one label for all of them


def timed(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    start = time.perf_counter()
    response = get_response(request)
    seconds = time.perf_counter() - start
    match = request.resolver_match
    route = match.view_name if match is not None and match.view_name else UNMATCHED
    REQUEST_LATENCY.labels(route, f"{response.status_code // 100}xx").observe(seconds)
    if settings.LOG_REQUESTS:
        # The route's name, never the path or the query (they can hold a name or a DUI).
        method = request.method if request.method in METHODS else "OTHER"
        access_log.info(
            "%s %s %s %.1f ms",
            method,
            route,
            response.status_code,
            seconds * 1000,
            extra={
                "method": method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
    return response


def _login_failed(sender: Any, **kwargs: Any) -> None:
    LOGIN_FAILURES.inc()


def connect_signals() -> None:
    user_login_failed.connect(_login_failed, dispatch_uid="enlace.ops.metrics.login_failed")


class FiguresCollector(Collector):
    """The gauges read from the database when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        start = time.perf_counter()
        read = figures.read_all()
        if read.queue is not None:
            queue = read.queue
            yield _gauge("enlace_tasks_ready", "Tasks due, waiting for a worker.", queue.ready)
            yield _gauge(
                "enlace_tasks_scheduled", "Tasks waiting for their time (retries).", queue.scheduled
            )
            yield _gauge(
                "enlace_tasks_oldest_age_seconds",
                "How long the oldest due task has waited.",
                queue.oldest_age_seconds,
            )
            if queue.failed is not None:
                yield _gauge("enlace_tasks_failed", "RQ's failed jobs.", queue.failed)
        if read.backlogs:
            rows = GaugeMetricFamily(
                "enlace_outbox_backlog", "Outbox rows still to send.", labels=["outbox", "status"]
            )
            age = GaugeMetricFamily(
                "enlace_outbox_oldest_age_seconds",
                "Age of the oldest row still to send.",
                labels=["outbox"],
            )
            for backlog in read.backlogs:
                rows.add_metric([backlog.name, "pending"], backlog.pending)
                rows.add_metric([backlog.name, "sending"], backlog.sending)
                age.add_metric([backlog.name], backlog.oldest_age_seconds)
            yield rows
            yield age
        if read.deadlines is not None:
            deadlines = read.deadlines
            yield _gauge("enlace_deadlines_open", "Case deadlines open.", deadlines.open)
            yield _gauge(
                "enlace_deadlines_overdue",
                "Open case deadlines past their date.",
                deadlines.overdue,
            )
            yield _gauge(
                "enlace_sweeper_lag_seconds",
                "How late the oldest deadline due to be looked at is.",
                deadlines.sweeper_lag_seconds,
            )
            if deadlines.last_sweep is not None:
                yield _gauge(
                    "enlace_sweeper_last_run_timestamp_seconds",
                    "When the sweeper last finished a round (Unix time).",
                    deadlines.last_sweep.timestamp(),
                )
        if read.logins is not None:
            yield _gauge(
                "enlace_login_failures_last_hour",
                "Failed logins in the last hour (django-axes).",
                read.logins.failed_last_hour,
            )
            yield _gauge(
                "enlace_accounts_locked_last_hour",
                "Accounts locked in the last hour.",
                read.logins.locked_last_hour,
            )
        if read.rollups is not None:
            yield _gauge(
                "enlace_rollup_deltas_pending",
                "Changes to the reports' rollups not yet folded by the sweeper.",
                read.rollups.deltas_pending,
            )
            yield _gauge(
                "enlace_rollup_differences",
                "Keys where the rollups differed from the cases at the last check (alert if > 0).",
                read.rollups.last_check_differences,
            )
            if read.rollups.last_check_at is not None:
                yield _gauge(
                    "enlace_rollup_last_check_timestamp_seconds",
                    "When the rollups were last compared with the cases (Unix time).",
                    read.rollups.last_check_at.timestamp(),
                )
        errors = GaugeMetricFamily(
            "enlace_figures_error", "1 when a figure could not be read.", labels=["figure"]
        )
        for name in ("queue", "backlogs", "deadlines", "logins", "rollups"):
            errors.add_metric([name], 1 if name in read.errors else 0)
        yield errors
        yield _gauge(
            "enlace_figures_seconds",
            "Time to read the database figures of this scrape.",
            time.perf_counter() - start,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def registry() -> CollectorRegistry:
    """What one scrape reads: every process's samples (multiprocess mode) or this process's,
    and the database's figures once."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scraped = CollectorRegistry()
        multiprocess.MultiProcessCollector(scraped)  # type: ignore[no-untyped-call]
    else:
        scraped = CollectorRegistry()
        scraped.register(_ProcessSamples())
    scraped.register(FiguresCollector())
    return scraped


class _ProcessSamples(Collector):
    """This process's own metrics (the default registry), outside multiprocess mode."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


@lru_cache(maxsize=8)
def _networks(
    allowed: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


def view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Not Found\n", status=404, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
