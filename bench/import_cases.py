"""Speed of the historical import at a million rows, on PostgreSQL, beside a bare COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench \
        .venv/bin/python bench/import_cases.py

(`make bench` runs exactly that.) The script

1. reuses bench/case_list.py for the database, its schema and its 1,000,000 cases (the import
   lands in a full table, as it would in production);
2. writes a CSV of --rows rows (default 1,000,000) in the import format to bench/results/, once:
   codes and Spanish names, DUIs with their check digits, phones, texts, 95 % closed cases;
3. times a bare `COPY ... FROM STDIN (FORMAT csv, HEADER)` of that file into a table of 15 text
   columns without indexes: the floor, what PostgreSQL needs just to take the bytes in;
4. times `do_import_cases` on the same file (every row checked, staged, moved into the cases
   with their history rows and indexes), inside a transaction rolled back at the end so that
   runs repeat on the same data; its two phases are timed apart;
5. prints both, their ratio (goal: at most 5x) and the import's peak resident memory, and
   writes them to bench/results/import_cases.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402

RESULTS = ROOT / "bench" / "results"
COPY_TABLE = "bench_import_copy"
GOAL = 5.0


class Rollback(Exception):
    """Raised to undo the timed import, so the next run meets the same data."""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, rows: int) -> None:
    """The import file: valid rows with the variety of real spreadsheets."""
    from enlace.cases.rules import dui_check_digit
    from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
    from enlace.demo import texts
    from enlace.directory.models import Dependency
    from enlace.imports.rows import COLUMNS

    rng = random.Random(2016)
    channels = list(Channel.objects.values_list("code", "name"))
    types = list(OpinionType.objects.values_list("code", "name"))
    topics = list(InquiryTopic.objects.values_list("code", flat=True))
    limitantes = list(Limitante.objects.values_list("code", flat=True))
    centres = list(Dependency.objects.care_centres().values_list("code", "name"))
    start = datetime(2012, 1, 1, 7, 0)
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for number in range(rows):
            opinion = rng.random() < 0.3
            received = start + timedelta(minutes=rng.randint(0, 4 * 365 * 24 * 60))
            closed = rng.random() < 0.95
            code, name = rng.choice(centres)
            channel = rng.choice(channels)
            kind_type = rng.choice(types)
            body = f"{rng.randint(0, 99_999_999):08d}"
            person = rng.random() < 0.5
            writer.writerow(
                [
                    f"BENCH-{number:08d}",
                    received.isoformat(timespec="minutes"),
                    "opinion" if opinion else "consulta",
                    (kind_type[0] if rng.random() < 0.8 else kind_type[1]) if opinion else "",
                    channel[0] if rng.random() < 0.8 else channel[1],
                    (code if rng.random() < 0.9 else name) if opinion or rng.random() < 0.3 else "",
                    rng.choice(limitantes) if opinion and rng.random() < 0.7 else "",
                    "" if opinion else rng.choice(topics),
                    "closed" if closed else "received",
                    (received + timedelta(days=rng.randint(0, 20))).date().isoformat()
                    if closed
                    else "",
                    texts.fill(rng, rng.choice(texts.ANSWERS), name),
                    f"{rng.choice(texts.NOMBRES)} {rng.choice(texts.APELLIDOS)}" if person else "",
                    f"{body}-{dui_check_digit(body)}" if person else "",
                    f"7{rng.randint(0, 9_999_999):07d}" if person and rng.random() < 0.7 else "",
                    "",
                ]
            )
    size = path.stat().st_size / 1024 / 1024
    case_list.say(
        f"File: {rows:,} rows, {size:.0f} MB, written in {time.perf_counter() - started:.1f} s."
    )


def bare_copy(path: Path) -> float:
    from django.db import connection

    from enlace.imports.rows import COLUMNS

    columns = ", ".join(f"{name} text" for name in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cursor.execute(f"CREATE TABLE {COPY_TABLE} ({columns})")
    started = time.perf_counter()
    statement = f"COPY {COPY_TABLE} FROM STDIN (FORMAT csv, HEADER true)"
    with (
        connection.cursor() as cursor,
        path.open("rb") as stream,
        cursor.copy(statement) as copy,
    ):
        while block := stream.read(1 << 20):
            copy.write(block)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {COPY_TABLE}")  # noqa: S608
        copied = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {COPY_TABLE}")
    case_list.say(f"Bare COPY: {copied:,} rows in {elapsed:.1f} s.")
    return elapsed


def timed_import(path: Path) -> dict[str, Any]:
    from django.db import connection, transaction

    from enlace.imports.actions import Phase, do_import_cases
    from enlace.imports.readers import open_source

    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    before = peak_rss_mb()
    started = time.perf_counter()
    try:
        with transaction.atomic(), path.open("rb") as stream:
            result = do_import_cases(
                open_source(stream, path.name), actor=None, on_progress=progress
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    # The rolled-back rows are dead tuples in the tables and their indexes: reclaim them, or
    # every later benchmark on this database reads through a million of them.
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_casedeadline"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    reading = marks.get(Phase.SAVING, started + elapsed) - started
    figures = {
        "seconds": elapsed,
        "reading_and_staging_seconds": reading,
        "saving_seconds": elapsed - reading,
        "rows": result.rows,
        "imported": result.imported,
        "rejected": result.rejected,
        "peak_rss_mb_before": before,
        "peak_rss_mb": peak_rss_mb(),
    }
    case_list.say(
        f"Import: {result.imported:,} of {result.rows:,} rows in {elapsed:.1f} s "
        f"(read, check and stage {reading:.1f} s; move into the cases {elapsed - reading:.1f} s); "
        f"rolled back."
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to import (1,000,000)")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases already there")
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"import_{args.rows}.csv"
    if not path.exists():
        write_file(path, args.rows)
    copy_s = bare_copy(path)
    imported = timed_import(path)
    ratio = imported["seconds"] / copy_s
    verdict = "within" if ratio <= GOAL else "OVER"
    case_list.say()
    case_list.say(f"{'':<34}{'seconds':>10}{'rows/s':>12}")
    for label, seconds in (
        ("bare COPY of the file", copy_s),
        ("import_cases (all checks)", imported["seconds"]),
        ("  read, check, stage", imported["reading_and_staging_seconds"]),
        ("  move into cases + history", imported["saving_seconds"]),
    ):
        case_list.say(f"{label:<34}{seconds:>10.1f}{args.rows / seconds:>12,.0f}")
    case_list.say(f"ratio import / COPY: {ratio:.2f} ({verdict} the goal of {GOAL:g}x)")
    case_list.say(
        f"peak resident memory of this process: {imported['peak_rss_mb']:.0f} MB "
        f"(before the import: {imported['peak_rss_mb_before']:.0f} MB)"
    )
    (RESULTS / "import_cases.json").write_text(
        json.dumps(
            {"rows": args.rows, "copy_seconds": copy_s, "ratio": ratio, **imported}, indent=2
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
