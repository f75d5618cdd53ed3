"""Speed of the participation report at a million cases, on PostgreSQL, beside hand SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/report.py

(`make bench` runs exactly that.) It reuses bench/case_list.py for the database and its
1,000,000 cases (three years), and for a semester, a year and the whole three years times:

- `participation_report()` (enlace/reports/participation.py), the query layer every rendering
  of the report (HTML, PDF, XLSX, JSON) calls;
- the hand-written SQL that computes the same figures, one GROUP BY per section as a person
  would write them in psql, run bare on the same connection;
- the same figures from one hand-written pass with GROUPING SETS, the fastest form we know.

It checks that the hand SQL gives the report's figures, prints medians of --runs runs, the
ratios (goal: the report within 2x of the hand SQL) and writes bench/results/report.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "report.json"
GOAL = 2.0
# One statement per section of the report, as written by hand.
COUNTED = "c.status NOT IN ('void', 'merged')"  # what the report counts (counted_cases)
HAND_SQL = {
    "opinions_summary": f"""
        SELECT COUNT(*),
               COUNT(*) FILTER (WHERE c.status IN ('answered', 'closed')),
               COUNT(*) FILTER (WHERE t.code IN ('reclamo', 'queja'))
        FROM cases_case c LEFT JOIN catalogues_opiniontype t ON t.id = c.opinion_type_id
        WHERE c.kind = 'opinion' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s""",
    "opinions_by_type": f"""
        SELECT t.code, COUNT(*) FROM cases_case c
        LEFT JOIN catalogues_opiniontype t ON t.id = c.opinion_type_id
        WHERE c.kind = 'opinion' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s GROUP BY t.code""",
    "opinions_by_channel": f"""
        SELECT ch.report_group, ch.code, COUNT(*) FROM cases_case c
        JOIN catalogues_channel ch ON ch.id = c.channel_id
        WHERE c.kind = 'opinion' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s
        GROUP BY ch.report_group, ch.code""",
    "opinions_by_level": f"""
        SELECT c.level_of_care, COUNT(*) FROM cases_case c
        WHERE c.kind = 'opinion' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s
        GROUP BY c.level_of_care""",
    "opinions_by_centre_and_type": f"""
        SELECT d.code, d.name, c.level_of_care, t.code, COUNT(*) FROM cases_case c
        JOIN directory_dependency d ON d.id = c.dependency_id
        JOIN catalogues_opiniontype t ON t.id = c.opinion_type_id
        WHERE c.kind = 'opinion' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s
        GROUP BY d.code, d.name, c.level_of_care, t.code""",
    "complaints_by_limitante": f"""
        SELECT l.code, l.name, COUNT(*) FROM cases_case c
        JOIN catalogues_limitante l ON l.id = c.limitante_id
        JOIN catalogues_opiniontype t ON t.id = c.opinion_type_id
        WHERE c.kind = 'opinion' AND t.code IN ('reclamo', 'queja') AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s
        GROUP BY l.code, l.name""",
    "limitantes_by_level": f"""
        SELECT c.level_of_care, l.code, l.name, COUNT(*) FROM cases_case c
        JOIN catalogues_limitante l ON l.id = c.limitante_id
        JOIN catalogues_opiniontype t ON t.id = c.opinion_type_id
        WHERE c.kind = 'opinion' AND t.code IN ('reclamo', 'queja') AND {COUNTED}
          AND c.level_of_care <> ''
          AND c.received_at >= %(start)s AND c.received_at < %(end)s
        GROUP BY c.level_of_care, l.code, l.name""",
    "inquiries_by_group": f"""
        SELECT ch.report_group, COUNT(*) FROM cases_case c
        JOIN catalogues_channel ch ON ch.id = c.channel_id
        WHERE c.kind = 'consulta' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s GROUP BY ch.report_group""",
    "inquiry_topics": f"""
        SELECT tp.code, tp.name, COUNT(*) FROM cases_case c
        JOIN catalogues_inquirytopic tp ON tp.id = c.topic_id
        WHERE c.kind = 'consulta' AND {COUNTED}
          AND c.received_at >= %(start)s AND c.received_at < %(end)s GROUP BY tp.code, tp.name""",
}
# Every figure from one scan of the period's cases.
GROUPING_SETS_SQL = f"""
    SELECT c.kind, c.opinion_type_id, c.channel_id, c.level_of_care, c.dependency_id,
           c.limitante_id, c.topic_id, c.status IN ('answered', 'closed'), COUNT(*)
    FROM cases_case c
    WHERE c.received_at >= %(start)s AND c.received_at < %(end)s AND {COUNTED}
    GROUP BY GROUPING SETS (
        (c.kind, c.opinion_type_id, c.status IN ('answered', 'closed')),
        (c.kind, c.channel_id), (c.kind, c.level_of_care),
        (c.kind, c.dependency_id, c.level_of_care, c.opinion_type_id),
        (c.kind, c.opinion_type_id, c.level_of_care, c.limitante_id), (c.kind, c.topic_id)
    )"""


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: plans cached, pages in memory, as for any report asked twice
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_sql(statements: list[str], params: dict[str, Any]) -> list[list[tuple[Any, ...]]]:
    from django.db import connection

    with connection.cursor() as cursor:
        results = []
        for statement in statements:
            cursor.execute(statement, params)
            results.append(cursor.fetchall())
        return results


def check_same_figures(report: dict[str, Any], params: dict[str, Any]) -> None:
    """The hand SQL must compute what the report shows, or the comparison means nothing."""
    summary, by_type, channels, levels, _centres, limitantes, _lim, groups, topics = run_sql(
        list(HAND_SQL.values()), params
    )
    opinions = report["opinions"]
    total, answered, complaints = summary[0]
    assert total == opinions["total"], "opinions differ"
    assert answered == opinions["answered"]["count"], "answered opinions differ"
    assert complaints == opinions["complaints"]["count"], "complaints differ"

    def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {row["code"]: row["count"] for row in rows}

    assert {code or "to_classify": n for code, n in by_type} == counts(opinions["by_type"])
    assert {code: n for _g, code, n in channels} == counts(opinions["by_channel"])
    assert {code or "none": n for code, n in levels} == counts(opinions["by_level_of_care"])
    assert {code: n for code, _name, n in limitantes}.items() <= counts(
        opinions["complaints"]["by_limitante"]
    ).items(), "limitantes differ"
    assert sum(n for _g, n in groups) == report["inquiries"]["total"], "inquiries differ"
    listed = counts(report["inquiries"]["topics"])
    listed.pop("others", None)
    assert listed.items() <= {code: n for code, _name, n in topics}.items(), "topics differ"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (7)")
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)

    from django.db import connection

    from enlace.cases.models import Case
    from enlace.reports.participation import Period, participation_report

    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    end = last.date() if last else date.today()
    periods = {
        "semester": Period(date(end.year, 1, 1), date(end.year, 6, 30)),
        "year": Period(date(end.year - 1, 1, 1), date(end.year - 1, 12, 31)),
        "three years": Period(date(end.year - 3, 1, 1), end),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    rows = []
    case_list.say()
    case_list.say(
        f"{'period':<12}{'cases':>10}{'report ms':>11}{'hand SQL ms':>13}{'ratio':>7}"
        f"{'1-pass ms':>11}{'ratio':>7}"
    )
    for label, period in periods.items():
        start, stop = period.bounds()
        params = {"start": start, "end": stop}
        report = participation_report(period)
        check_same_figures(report, params)
        cases = report["opinions"]["total"] + report["inquiries"]["total"]
        report_ms = median_ms(functools.partial(participation_report, period), args.runs)
        hand_ms = median_ms(functools.partial(run_sql, list(HAND_SQL.values()), params), args.runs)
        one_pass_ms = median_ms(functools.partial(run_sql, [GROUPING_SETS_SQL], params), args.runs)
        row = {
            "period": label,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "cases": cases,
            "report_ms": report_ms,
            "hand_sql_ms": hand_ms,
            "ratio": report_ms / hand_ms,
            "grouping_sets_ms": one_pass_ms,
            "ratio_to_grouping_sets": report_ms / one_pass_ms,
        }
        rows.append(row)
        case_list.say(
            f"{label:<12}{cases:>10,}{report_ms:>11.0f}{hand_ms:>13.0f}{row['ratio']:>7.2f}"
            f"{one_pass_ms:>11.0f}{row['ratio_to_grouping_sets']:>7.2f}"
        )
    worst = max(row["ratio"] for row in rows)
    verdict = "within" if worst <= GOAL else "OVER"
    case_list.say(f"worst ratio report / hand SQL: {worst:.2f} ({verdict} the goal of {GOAL:g}x)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": args.runs, "periods": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
