"""A partitioning trial: the cases partitioned by the year they were received, beside the table
as it is, with the same rows and the queries that matter, bare SQL on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/partition.py

It works on whatever `cases_case` holds (make its size with bench/case_list.py --cases N) and
never changes it: it copies the cases into `bench_case_by_year`, a table partitioned by RANGE of
`received_at` with one partition per calendar year, gives it the indexes the queries below use
(created on the parent, so on every partition), runs VACUUM ANALYZE on both, and times, as
medians of --runs runs after a warm-up, each query against the table and against its
partitioned copy:

- the case list's first page, newest first (ORDER BY received_at DESC, id DESC LIMIT 51);
- the same page for one status (the inbox's "open" filter);
- the list's page for a month of received dates;
- a case by its tracking code (a partitioned table cannot hold a unique index without the
  partition key, so on the copy this is a plain index probed in every partition);
- the participation report's heaviest section (opinions by channel) for a semester, a year and
  the three years;
- a search for a word in the folded text, first page.

It prints and writes to bench/results/partition.json each median, the ratio partitioned / as
is, the copy's time (what moving a deployment's cases would cost) and the partitions' sizes,
then drops the copy (--keep leaves it). It refuses SQLite (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "partition.json"
COPY = "bench_case_by_year"
# The indexes the timed queries use, as cases_case has them (enlace/cases/models.py).
INDEXES = {
    "received": "(received_at DESC, id DESC)",
    "status_received": "(status, received_at DESC, id DESC)",
    "kind_received": "(kind, received_at DESC, id DESC)",
    "tracking": "(tracking_code)",
    "search": "USING gin (search_vector)",
}


def queries(first_year: int, last_year: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """Name -> (SQL with {table}, parameters); dates in the generated three years."""
    mid = f"{first_year + 1}"
    by_channel = (
        "SELECT channel_id, COUNT(*) FROM {table} WHERE kind = 'opinion' "
        "AND received_at >= %(start)s AND received_at < %(end)s GROUP BY channel_id"
    )
    return {
        "list_first_page": (
            "SELECT id FROM {table} ORDER BY received_at DESC, id DESC LIMIT 51",
            {},
        ),
        "list_open_status": (
            "SELECT id FROM {table} WHERE status = 'assigned' "
            "ORDER BY received_at DESC, id DESC LIMIT 51",
            {},
        ),
        "list_one_month": (
            "SELECT id FROM {table} WHERE received_at >= %(start)s AND received_at < %(end)s "
            "ORDER BY received_at DESC, id DESC LIMIT 51",
            {"start": f"{mid}-05-01", "end": f"{mid}-06-01"},
        ),
        "by_tracking_code": (
            "SELECT id FROM {table} WHERE tracking_code = %(code)s",
            {"code": "__tracking__"},
        ),
        "report_semester": (by_channel, {"start": f"{mid}-01-01", "end": f"{mid}-07-01"}),
        "report_year": (by_channel, {"start": f"{mid}-01-01", "end": f"{first_year + 2}-01-01"}),
        "report_three_years": (
            by_channel,
            {"start": f"{first_year}-01-01", "end": f"{last_year + 1}-01-01"},
        ),
        "search_first_page": (
            "SELECT id FROM {table} WHERE search_vector @@ "
            "plainto_tsquery('enlace_es'::regconfig, %(word)s) "
            "ORDER BY received_at DESC, id DESC LIMIT 51",
            {"word": "cita"},
        ),
    }


def say(message: str = "") -> None:
    print(message, flush=True)


def median_ms(cursor: Any, sql: str, params: dict[str, Any], runs: int) -> float:
    cursor.execute(sql, params)  # warm-up
    cursor.fetchall()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def build_copy(cursor: Any, first_year: int, last_year: int) -> float:
    started = time.perf_counter()
    cursor.execute(f"DROP TABLE IF EXISTS {COPY}")
    cursor.execute(
        f"CREATE TABLE {COPY} (LIKE cases_case INCLUDING DEFAULTS INCLUDING GENERATED) "
        "PARTITION BY RANGE (received_at)"
    )
    for year in range(first_year, last_year + 1):
        cursor.execute(
            f"CREATE TABLE {COPY}_{year} PARTITION OF {COPY} "
            f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
        )
    columns = [
        row[0]
        for row in cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'cases_case' "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position"
        ).fetchall()
    ]
    names = ", ".join(columns)
    cursor.execute(f"INSERT INTO {COPY} ({names}) SELECT {names} FROM cases_case")  # noqa: S608
    for name, definition in INDEXES.items():
        cursor.execute(f"CREATE INDEX {COPY}_{name} ON {COPY} {definition}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each query (7)")
    parser.add_argument("--keep", action="store_true", help="leave the partitioned copy")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        say("bench/partition.py needs PostgreSQL (DATABASE_URL=postgres://...).")
        return 2
    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cases, first, last = cursor.execute(
            "SELECT COUNT(*), MIN(received_at), MAX(received_at) FROM cases_case"
        ).fetchone() or (0, None, None)
        if not cases:
            say("cases_case is empty: fill it with bench/case_list.py first.")
            return 2
        first_year, last_year = first.year, last.year
        say(f"{cases:,} cases received {first:%Y-%m-%d} to {last:%Y-%m-%d}.")
        say(f"Copying them into {COPY}, one partition per year {first_year}-{last_year}...")
        copy_seconds = build_copy(cursor, first_year, last_year)
        say(f"Copied with its indexes in {copy_seconds:.1f} s.")
        cursor.execute(f"VACUUM ANALYZE {COPY}")
        cursor.execute("VACUUM ANALYZE cases_case")
        sizes = {
            row[0]: row[1]
            for row in cursor.execute(
                "SELECT c.relname, c.reltuples::bigint FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                "WHERE p.relname = %s ORDER BY c.relname",
                [COPY],
            ).fetchall()
        }
        code = cursor.execute(
            "SELECT tracking_code FROM cases_case ORDER BY id OFFSET %s LIMIT 1", [cases // 2]
        ).fetchone()
        results: dict[str, Any] = {}
        say(f"\n{'query':<22}{'as is ms':>10}{'by year ms':>12}{'ratio':>8}")
        for name, (sql, params) in queries(first_year, last_year).items():
            if "code" in params and code:
                params = {"code": code[0]}
            plain = median_ms(cursor, sql.format(table="cases_case"), params, args.runs)
            split = median_ms(cursor, sql.format(table=COPY), params, args.runs)
            results[name] = {
                "as_is_ms": round(plain, 2),
                "by_year_ms": round(split, 2),
                "ratio": round(split / plain, 3),
            }
            say(f"{name:<22}{plain:>10.2f}{split:>12.2f}{split / plain:>8.2f}")
        if not args.keep:
            cursor.execute(f"DROP TABLE {COPY}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "cases": cases,
                "copy_seconds": round(copy_seconds, 1),
                "partitions": sizes,
                "runs": args.runs,
                "queries": results,
            },
            indent=2,
        )
    )
    say(f"\nWritten to {RESULTS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
