"""What personal data by need costs, at a million cases on PostgreSQL: the access log (a row per
case shown) and the masking, beside the same pages without them, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench \
        .venv/bin/python bench/personal_data.py

It reuses bench/case_list.py for the database (1,000,000 cases) and measures, through Django's
test client in this process (the whole middleware stack, no network; the cache on Redis as in
production), with the runs of each
pair interleaved (A, B, A, B...) so that the machine's drift falls on both alike:

- the case page, GET /casos/<id>/, as a resolution user: as served (its access-log row
  written) beside the same page with the access log's write replaced by nothing;
- an API list page of 200 cases, GET /api/v1/cases?limit=200, with a key that reads personal
  data: as served (the hour's budget spent, the page's 200 case ids as one access-log batch,
  expanded into rows at the end as the sweeper does, and that expansion timed) beside the same
  request with the whole personal-data decision replaced by "in clear, not logged";
- the same list with a key that reads masked (no log, the citizen masked, the free text out),
  beside the same bare floor.

The goal: each as served within 1.10 of its floor (medians). It prints medians and p95, the
ratios, writes bench/results/personal_data.json, and deletes the access-log rows, the keys
and the users it made. It refuses SQLite (exit status 2); exit status 1 past the goal.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The hour's budget of reads is counted in the cache: Redis, as production runs it
# (config/production.env.example).
os.environ.setdefault("CACHE_BACKEND", "redis")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "personal_data.json"
GOAL = 1.10
PAGE = 200


def percentile(values: list[float], share: float) -> float:
    return case_list.percentile(values, share)


@contextmanager
def replaced(module: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


def interleaved(
    served: Callable[[], None], floor: Callable[[], None], *, runs: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Times of `served` and of `floor`, run alternately (which goes first alternates too)."""
    for _ in range(warmup):
        served()
        floor()
    times: dict[str, list[float]] = {"served": [], "floor": []}
    for run in range(runs):
        order = [("served", served), ("floor", floor)]
        if run % 2:
            order.reverse()
        for label, action in order:
            started = time.perf_counter()
            action()
            times[label].append((time.perf_counter() - started) * 1000)
    return times["served"], times["floor"]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to hold (1,000,000)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs of each (40)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (5)")
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)

    from django.conf import settings
    from django.test import Client

    from enlace.apikeys.models import ApiKey
    from enlace.apikeys.testing import KeyClient, make_key
    from enlace.cases import api as cases_api
    from enlace.cases import views as cases_views
    from enlace.cases.models import Case
    from enlace.privacy import access
    from enlace.privacy.models import PersonalDataAccess

    settings.DEBUG = False
    # The hour's budget is part of what is measured, not a limit on the benchmark.
    settings.PERSONAL_DATA_READS_PER_HOUR = 10**9
    user = case_list.bench_user()
    started_at = datetime.now().astimezone()
    client = Client()
    client.force_login(user)
    case = Case.objects.order_by("pk")[Case.objects.count() // 2]
    page_url = f"/casos/{case.pk}/"
    clear_key, clear_raw = make_key(name="bench personal data: clear", personal_data=True)
    masked_key, masked_raw = make_key(name="bench personal data: masked", personal_data=False)
    clear = KeyClient(clear_raw)
    masked = KeyClient(masked_raw)
    list_url = "/api/v1/cases"

    def get(on: Any, url: str, **query: Any) -> None:
        response = on.get(url, query)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")

    results: dict[str, Any] = {}
    try:
        case_list.say(f"Case page {page_url} ({args.runs} runs each, interleaved)")

        def page_floor() -> None:
            with replaced(cases_views, "record_access", lambda *a, **k: 0):
                get(client, page_url)

        served, floor = interleaved(
            lambda: get(client, page_url), page_floor, runs=args.runs, warmup=args.warmup
        )
        results["case_page"] = {"served": summary(served), "floor": summary(floor)}

        case_list.say(f"API list of {PAGE} cases, key in clear")

        def list_floor() -> None:
            with replaced(cases_api, "_read_in_clear", lambda request, via, ids: True):
                get(clear, list_url, limit=PAGE)

        served, floor = interleaved(
            lambda: get(clear, list_url, limit=PAGE),
            list_floor,
            runs=args.runs,
            warmup=args.warmup,
        )
        results["api_list_clear"] = {"served": summary(served), "floor": summary(floor)}

        case_list.say(f"API list of {PAGE} cases, masked key")
        served, floor = interleaved(
            lambda: get(masked, list_url, limit=PAGE),
            list_floor,
            runs=args.runs,
            warmup=args.warmup,
        )
        results["api_list_masked"] = {"served": summary(served), "floor": summary(floor)}
    finally:
        # The API pages were written as batches; the sweeper expands them into the log in
        # production, off the request. Timed here so that the cost moved is on record.
        started = time.perf_counter()
        expanded = access.expand_batches()
        case_list.say(
            f"Expanded the pages' batches into {expanded} access-log rows in "
            f"{(time.perf_counter() - started) * 1000:.1f} ms (the sweeper's work)."
        )
        logged = PersonalDataAccess.objects.filter(at__gte=started_at)
        deleted = (
            logged.filter(user=user).delete()[0]
            + logged.filter(api_key__in=[clear_key, masked_key]).delete()[0]
        )
        case_list.say(f"Deleted {deleted} access-log rows of the benchmark.")
        service_users = [clear_key.user, masked_key.user]
        ApiKey.objects.filter(pk__in=[clear_key.pk, masked_key.pk]).delete()
        for account in service_users:
            account.delete()

    failed = False
    case_list.say()
    case_list.say(f"{'':24} {'served':>16} {'floor':>16} {'ratio':>7}")
    for name, figures in results.items():
        ratio = figures["served"]["median_ms"] / figures["floor"]["median_ms"]
        figures["ratio"] = round(ratio, 3)
        figures["within_goal"] = ratio <= GOAL
        failed |= ratio > GOAL
        case_list.say(
            f"{name:24} {figures['served']['median_ms']:>8.2f} ms p50 "
            f"{figures['floor']['median_ms']:>8.2f} ms p50 {ratio:>7.3f}"
        )
    case_list.say(f"Goal: each at most {GOAL:.2f} of its floor: {'missed' if failed else 'met'}.")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "generated_at": datetime.now().astimezone().isoformat(),
                "cases": args.cases,
                "runs": args.runs,
                "goal": GOAL,
                "results": results,
            },
            indent=2,
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
