"""Reports whose time does not grow with history: the three-year participation report and the
dashboard read from the rollups at 1,000,000 and at 10,000,000 cases, beside the hand-written
SQL over the raw rows.

    .venv/bin/python bench/rollups.py [--small 1000000] [--large 10000000] [--runs 15]

(`make bench` runs it.) Two PostgreSQL databases: `BENCH_DATABASE_URL` (default
`postgres://postgres@127.0.0.1:5432/enlace_bench`, shared with the other benchmarks) holds the
small size and the same URL with `_10m` after the database's name holds the large one. Each is
filled by bench/case_list.py (cases generated in SQL over three years, then the rollups built
from them by `rollups.rebuild()`, timed) and reused by later runs. Each size is prepared by a
worker process of its own, which then times one run of an action at a time when asked: the
parent asks the two sizes in turn, action by action, for `--runs` rounds (the sizes' order
alternating), so the machine's drift falls on both alike. It times (medians, after a warm-up):

- `participation_report()` for the last three years (enlace/reports/participation.py);
- `dashboard()` for the same three years (enlace/reports/dashboard.py: the report, the monthly
  trend, the deadline compliance and the open cases); for the compliance to have answers to
  count, every closed case not answered at first contact gets its answer deadline met, written
  in SQL the first time (then the rollups are rebuilt);
- the hand-written SQL over the raw rows that computes the report's figures (bench/report.py's
  statements, one GROUP BY per section), run bare on the same connection.

Goals (issue "Reports and dashboards whose time does not grow with history"): the report and
the dashboard at the large size within 1.2x of their time at the small size, and the report at
the large size within 0.1x of the hand SQL there. Results go to bench/results/rollups.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

RESULTS = ROOT / "bench" / "results" / "rollups.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/enlace_bench"
SIZE_GOAL = 1.2  # large / small
HAND_GOAL = 0.1  # report / hand SQL at the large size


def large_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_10m"))


ANSWERS_SQL = """
    INSERT INTO cases_casedeadline (case_id, step, unit, started_on, due_on, status, met_at,
                                    business_days_taken)
    SELECT c.id, 'answer', 'business', (c.received_at AT TIME ZONE %(zone)s)::date,
           (c.received_at AT TIME ZONE %(zone)s)::date + 14,
           CASE WHEN a.days <= 10 THEN 'met' ELSE 'met_late' END,
           c.received_at + make_interval(days => a.days * 7 / 5, hours => 1), a.days
    FROM cases_case c
    CROSS JOIN LATERAL (SELECT (abs(hashtext(c.tracking_code)) %% 16) AS days) a
    WHERE c.status = 'closed' AND NOT c.resolved_at_first_contact
      AND c.received_at + make_interval(days => a.days * 7 / 5, hours => 1) < now()
"""


def ensure_answers() -> float | None:
    """Every closed case not answered at first contact gets its answer deadline met (0 to 15
    business days after it arrived, late after 10), in SQL, so the dashboard's compliance has
    answers to count; then the rollups are rebuilt. Seconds spent, or None when already there
    (the sweeper bench replaces the deadlines: it leaves the rollups marked to rebuild)."""
    from django.db import connection, transaction

    from bench import case_list
    from enlace.cases.models import CaseDeadline

    met = CaseDeadline.objects.filter(step="answer", status__in=("met", "met_late"))
    if met.exists():
        return None
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("DELETE FROM cases_casedeadline WHERE step = 'answer'")
        cursor.execute(ANSWERS_SQL, {"zone": "America/El_Salvador"})
        case_list.say(f"Answers: {cursor.rowcount:,} answer deadlines met, in SQL")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_casedeadline")
    case_list.ensure_rollups(rebuild=True)
    return time.perf_counter() - started


def prepare(cases: int, runs: int) -> tuple[dict[str, Any], dict[str, Callable[[], object]]]:
    """In this process (DATABASE_URL is one size's database): fill, build, check, time the
    hand SQL; return what it found and the timed actions by name."""
    import functools

    import django

    django.setup()
    from bench import case_list, report

    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    generated = case_list.ensure_cases(cases, regenerate=False)
    answers = ensure_answers()

    from django.db import connection

    from enlace.cases import rollups
    from enlace.cases.models import Case, ChannelRollup, OpinionRollup, TrendRollup
    from enlace.reports.compliance import deadline_compliance
    from enlace.reports.dashboard import dashboard, monthly_trend, open_cases
    from enlace.reports.participation import Period, participation_report

    assert rollups.ready(), "the rollups must hold every case"
    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    end = last.date() if last else date.today()
    period = Period(date(end.year - 3, end.month, 1), end)  # three years, months and edges
    start, stop = period.bounds()
    params = {"start": start, "end": stop}
    figures = participation_report(period)
    report.check_same_figures(figures, params)  # the rollups give the raw rows' figures
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case'))")
        (table_size,) = cursor.fetchone()
    info = {
        "cases": Case.objects.count(),
        "generated_seconds": generated,
        "answers_seconds": answers,
        "answers_in_period": sum(row.answered for row in dashboard(period).compliance),
        "period": [period.start.isoformat(), period.end.isoformat()],
        "counted_in_period": figures["opinions"]["total"] + figures["inquiries"]["total"],
        "rollup_rows": {
            "channels": ChannelRollup.objects.count(),
            "opinions": OpinionRollup.objects.count(),
            "trend": TrendRollup.objects.count(),
        },
        "cases_table": table_size,
        "hand_sql_ms": report.median_ms(
            functools.partial(report.run_sql, list(report.HAND_SQL.values()), params), runs
        ),
        "open_cases": open_cases(),
    }
    actions: dict[str, Callable[[], object]] = {
        "report": functools.partial(participation_report, period),
        "dashboard": functools.partial(dashboard, period),
        # The dashboard's parts, to see which grows.
        "trend": functools.partial(monthly_trend, period),
        "compliance": functools.partial(deadline_compliance, period.start, period.end),
        "open_cases": open_cases,
    }
    return info, actions


def serve(cases: int, runs: int) -> None:
    """A size's worker: prepare, print what it found as one JSON line, then time one run of
    each action the parent names on stdin, answering each with its milliseconds."""
    info, actions = prepare(cases, runs)
    for action in actions.values():
        action()  # warm-up: plans cached, pages in memory, as for any report asked twice
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        started = time.perf_counter()
        actions[line.strip()]()
        print(json.dumps({"ms": (time.perf_counter() - started) * 1000}), flush=True)


class Worker:
    """One size's worker process, asked one timed run at a time."""

    def __init__(self, cases: int, database_url: str, runs: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - this very script
            [sys.executable, __file__, "--serve", str(cases), "--runs", str(runs)],
            env={**os.environ, "DATABASE_URL": database_url},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = self._answer()

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                found: dict[str, Any] = json.loads(line)
                return found
            print(line, end="")  # the preparation's progress
        raise SystemExit(f"a worker stopped (exit status {self.process.wait()})")

    def time(self, action: str) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write(action + "\n")
        self.process.stdin.flush()
        return float(self._answer()["ms"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


ACTIONS = ("report", "dashboard", "trend", "compliance", "open_cases")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.runs)
        return 0

    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        print("bench/rollups.py measures PostgreSQL only", file=sys.stderr)
        return 2
    sizes = {"small": (args.small, url), "large": (args.large, large_url(url))}
    workers: dict[str, Worker] = {}
    try:
        for label, (cases, database_url) in sizes.items():
            print(f"== {label}: {cases:,} cases in {urlsplit(database_url).path.lstrip('/')}")
            workers[label] = Worker(cases, database_url, args.runs)
        # Interleaved: each round times every action once at each size, the sizes' order
        # alternating, so the machine's drift falls on both alike.
        times: dict[str, dict[str, list[float]]] = {
            label: {action: [] for action in ACTIONS} for label in workers
        }
        for round_ in range(args.runs):
            order = list(workers) if round_ % 2 == 0 else list(reversed(workers))
            for action in ACTIONS:
                for label in order:
                    times[label][action].append(workers[label].time(action))
    finally:
        for worker in workers.values():
            worker.close()
    found = {label: worker.info for label, worker in workers.items()}
    for label, row in found.items():
        medians = {action: statistics.median(times[label][action]) for action in ACTIONS}
        row["report_ms"] = medians["report"]
        row["dashboard_ms"] = medians["dashboard"]
        row["parts_ms"] = {name: medians[name] for name in ACTIONS[2:]}
        row["times_ms"] = times[label]
    small, large = found["small"], found["large"]
    ratios = {
        "report_large_to_small": large["report_ms"] / small["report_ms"],
        "dashboard_large_to_small": large["dashboard_ms"] / small["dashboard_ms"],
        "report_to_hand_sql_large": large["report_ms"] / large["hand_sql_ms"],
        "dashboard_to_hand_sql_large": large["dashboard_ms"] / large["hand_sql_ms"],
    }
    # The same, as the median of each round's own ratio (the two sizes timed moments apart).
    paired = {
        action: statistics.median(
            big / little
            for big, little in zip(
                large["times_ms"][action], small["times_ms"][action], strict=True
            )
        )
        for action in ACTIONS
    }
    print()
    print(
        f"{'':<12}{'cases':>12}{'in 3 years':>12}{'report ms':>11}{'dashboard ms':>14}"
        f"{'hand SQL ms':>13}"
    )
    for label, row in found.items():
        print(
            f"{label:<12}{row['cases']:>12,}{row['counted_in_period']:>12,}{row['report_ms']:>11.1f}"
            f"{row['dashboard_ms']:>14.1f}{row['hand_sql_ms']:>13.1f}"
        )
    for label, row in found.items():
        parts = ", ".join(f"{name} {ms:.1f} ms" for name, ms in row["parts_ms"].items())
        print(f"{label}: dashboard parts: {parts} ({row['open_cases']:,} open cases)")
    print()
    goals = {
        "report_large_to_small": SIZE_GOAL,
        "dashboard_large_to_small": SIZE_GOAL,
        "report_to_hand_sql_large": HAND_GOAL,
        "dashboard_to_hand_sql_large": HAND_GOAL,
    }
    for name, value in ratios.items():
        verdict = "within" if value <= goals[name] else "OVER"
        print(f"{name}: {value:.3f} ({verdict} the goal of {goals[name]:g})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    print(
        "large to small, median of each round's ratio: "
        + ", ".join(f"{action} {ratio:.3f}" for action, ratio in paired.items())
    )
    RESULTS.write_text(
        json.dumps({"sizes": found, "ratios": ratios, "paired_ratios": paired}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
