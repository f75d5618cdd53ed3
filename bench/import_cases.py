"""Speed of the historical import at a million rows, on PostgreSQL, beside a bare COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench \
        .venv/bin/python bench/import_cases.py [--floor-only]

(`make bench` runs it without --floor-only.) The script

1. reuses bench/case_list.py for the database, its schema and its 1,000,000 cases (the import
   lands in a full table, as it would in production);
2. writes a CSV of --rows rows (default 1,000,000) in the import format to bench/results/, once:
   codes and Spanish names, DUIs with their check digits, phones, texts, 95 % closed cases;
3. times a bare `COPY ... FROM STDIN (FORMAT csv, HEADER)` of that file into a table of 15 text
   columns without indexes: the floor, what PostgreSQL needs just to take the bytes in;
4. times the floor of the case table itself, in one transaction rolled back at the end: a
   hand-written `INSERT ... SELECT` that turns the copied text rows into cases with no check at
   all (catalogue and centre codes or names mapped to ids by hash joins, timestamps cast, the
   folded search text computed, a tracking code from the row number, every other field at its
   model default; the very rows the import would store, bar the tracking codes), first into a
   copy of cases_case without indexes or foreign keys (`LIKE ... INCLUDING DEFAULTS, IDENTITY,
   GENERATED, CONSTRAINTS`: the generated tsvector column is still computed), then into
   cases_case with its ~20 indexes, then `SET CONSTRAINTS ALL IMMEDIATE`, which runs the
   foreign-key checks a commit would run (they are deferred, and a rollback never gets there);
   then VACUUM ANALYZE cases_case;
5. times `do_import_cases` on the same file (every row checked, staged, moved into the cases
   with their history rows and indexes, the deferred foreign-key checks run before the end
   with `SET CONSTRAINTS ALL IMMEDIATE`), inside a transaction rolled back at the end so that
   runs repeat on the same data; its two phases are timed apart. --floor-only skips this step
   (about 5 minutes at a million rows);
6. prints them all with rows per second and each as a multiple of the COPY, the ratio import /
   COPY (goal: at most 5x) and the import's peak resident memory, and writes them to
   bench/results/import_cases.json (after --floor-only, the last import figures measured on as
   many rows are kept there under "earlier_import").
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


def bare_copy(path: Path) -> tuple[float, int]:
    """Seconds and rows of the COPY; COPY_TABLE stays for the floor of the case table (main
    drops it)."""
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
        copied = int(cursor.fetchone()[0])
    case_list.say(f"Bare COPY: {copied:,} rows in {elapsed:.1f} s.")
    return elapsed, copied


def drop_copy_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")


# --- The floor of the case table ---------------------------------------------------------------
# The hand-written INSERT ... SELECT numbers its rows from here for their tracking codes, with
# bench/case_list.py's bijection (which numbers the generated cases 1..--cases): a different
# number is a different code, so these codes cannot clash with the generated cases'. Small
# enough that number * CODE_MULTIPLIER stays within a bigint.
FLOOR_FIRST_NUMBER = 1_000_000_000
UNINDEXED_TABLE = "bench_import_unindexed"
# The catalogues and the directory the file names by code or by name: (alias, model, column
# of the file).
LOOKUPS = (
    ("ch", "catalogues.Channel", "channel"),
    ("ot", "catalogues.OpinionType", "opinion_type"),
    ("li", "catalogues.Limitante", "limitante"),
    ("tp", "catalogues.InquiryTopic", "topic"),
    ("dep", "directory.Dependency", "dependency_code"),
)


def _lookup_cte(alias: str, table: str, *extra: str) -> str:
    """`alias (key, id, ...)`: each entry under its code and under its name, lower case, the
    code winning when a name equals another entry's code (as RowRules does). A hash join on
    `key` then maps a million rows; `code = x OR name = x` would be a nested loop."""
    more = "".join(f", {column}" for column in extra)
    return f"""{alias} AS (
        SELECT DISTINCT ON (key) key, id{more} FROM (
            SELECT lower(code) AS key, 0 AS rank, id{more} FROM {table}
            UNION ALL SELECT lower(name), 1, id{more} FROM {table}
        ) k ORDER BY key, rank, id
    )"""  # noqa: S608 - table and column names are model metadata


def floor_insert(target: str, first_number: int, now: datetime) -> tuple[str, dict[str, Any]]:
    """INSERT INTO `target` (cases_case, or a copy of it) SELECT the rows of COPY_TABLE as
    cases, no check at all: codes and names mapped to ids by hash joins, timestamps cast
    (local time, like the import), `search_text` folded in SQL (it feeds the generated tsvector
    column and its GIN index, so leaving it empty would hide their cost), the level of care from
    the centre, a tracking code from the row number; every other field gets the model's default,
    as Staging.insert_cases does, so a new field needs no change here. Rows go in the order the
    import moves them (received_at), which fills the indexes that end in it in order."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.db.models import Field

    from bench.case_list import CODE_MULTIPLIER, CODE_OFFSET, tracking_code_sql
    from enlace.cases.models import Case
    from enlace.cases.rules import TRACKING_ALPHABET, TRACKING_LENGTH

    received = "(f.received_at::timestamp AT TIME ZONE %(zone)s)"
    expressions = {
        "kind": "f.kind",
        "status": "f.status",
        "external_id": "f.external_id",
        "tracking_code": tracking_code_sql("f.code_number"),
        "channel_id": "ch.id",
        "opinion_type_id": "ot.id",
        "limitante_id": "li.id",
        "topic_id": "tp.id",
        "dependency_id": "dep.id",
        "level_of_care": "COALESCE(dep.level_of_care, '')",
        "received_at": received,
        # A date alone is the start of that day; closed the day it was received, the hour
        # unrecorded, it closed when it was received. (GREATEST skips NULLs: hence the CASE.)
        "closed_at": (
            "CASE WHEN f.closed_at IS NOT NULL THEN "
            f"GREATEST(f.closed_at::timestamp AT TIME ZONE %(zone)s, {received}) END"
        ),
        "description": "COALESCE(f.description, '')",
        "citizen_name": "COALESCE(f.citizen_name, '')",
        "citizen_dui": "COALESCE(f.citizen_dui, '')",
        # Stored in E.164 like the import does; the bench file's phones are 8 local digits.
        "citizen_phone": "COALESCE('+503' || f.citizen_phone, '')",
        "citizen_email": "COALESCE(f.citizen_email, '')",
        "search_text": (
            "lower(unaccent(concat_ws(' ', NULLIF(f.citizen_name, ''), NULLIF(f.description, ''))))"
        ),
    }
    fixed: dict[str, Any] = {"created_by_id": None, "updated_at": now}
    params: dict[str, Any] = {
        "zone": settings.TIME_ZONE,
        "first": first_number,
        "multiplier": CODE_MULTIPLIER,
        "offset": CODE_OFFSET,
        "space": len(TRACKING_ALPHABET) ** TRACKING_LENGTH,
    }
    columns, values = [], []
    for field in Case._meta.concrete_fields:
        assert isinstance(field, Field)
        if field.primary_key:
            continue
        columns.append(str(field.column))
        if field.attname in expressions:
            values.append(expressions[field.attname])
            continue
        value = fixed[field.attname] if field.attname in fixed else field.get_default()
        name = f"default_{field.attname}"
        params[name] = field.get_db_prep_save(value, connection)
        values.append(f"%({name})s")
    ctes = [
        _lookup_cte(
            alias,
            apps.get_model(label)._meta.db_table,
            *(("level_of_care",) if alias == "dep" else ()),
        )
        for alias, label, _column in LOOKUPS
    ]
    joins = "\n".join(
        f"LEFT JOIN {alias} ON {alias}.key = lower(f.{column})" for alias, _label, column in LOOKUPS
    )
    statement = f"""
        WITH {", ".join(ctes)}
        INSERT INTO {target} ({", ".join(columns)})
        SELECT {", ".join(values)}
        FROM (
            SELECT c.*, row_number() OVER () AS line,
                   mod((%(first)s + row_number() OVER ()) * %(multiplier)s + %(offset)s,
                       %(space)s) AS code_number
            FROM {COPY_TABLE} c
        ) f
        {joins}
        ORDER BY {received}, f.line
    """  # noqa: S608 - table and column names are constants and model metadata
    return statement, params


def floor_first_number(rows: int) -> int:
    """FLOOR_FIRST_NUMBER, or the next block of `rows` numbers if one of its codes is already
    taken by a case that bench/case_list.py did not generate (each random code is among them
    with a chance of rows / 2.7e13: this check makes it none). Not timed."""
    from django.db import connection

    from bench.case_list import CODE_MULTIPLIER, CODE_OFFSET, tracking_code_sql
    from enlace.cases.models import Case
    from enlace.cases.rules import TRACKING_ALPHABET, TRACKING_LENGTH

    first = FLOOR_FIRST_NUMBER
    space = len(TRACKING_ALPHABET) ** TRACKING_LENGTH
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"""
                SELECT count(*) FROM (
                    SELECT {tracking_code_sql("n.code_number")} AS code
                    FROM (SELECT mod(g * %s + %s, %s) AS code_number
                          FROM generate_series(%s::bigint, %s::bigint) AS g) n
                ) s
                WHERE EXISTS (SELECT 1 FROM {Case._meta.db_table} c
                              WHERE c.tracking_code = s.code)
                """,  # noqa: S608 - the SQL is built from constants and model metadata
                [CODE_MULTIPLIER, CODE_OFFSET, space, first + 1, first + rows],
            )
            taken = cursor.fetchone()
            if taken is None or not taken[0]:
                return first
            first += rows


def table_floor(rows: int) -> dict[str, Any]:
    """Times, in one transaction rolled back at the end, the hand-written INSERT ... SELECT of
    the COPY_TABLE rows into a copy of cases_case without indexes or foreign keys, then into
    cases_case itself; its foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED),
    which a rolled-back transaction never reaches, so `SET CONSTRAINTS ALL IMMEDIATE` runs
    those checks and is timed apart."""
    from django.db import connection, transaction
    from django.utils import timezone

    from enlace.cases.models import Case

    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {COPY_TABLE}")  # the planner sizes its hash joins and sort
    first = floor_first_number(rows)
    now = timezone.now()
    figures: dict[str, Any] = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # A logged table like cases_case (a temporary one would skip the write-ahead log
            # and use local buffers), with its defaults, identity, generated tsvector column,
            # NOT NULL and CHECK constraints; LIKE copies no index and no foreign key.
            cursor.execute(
                f"CREATE TABLE {UNINDEXED_TABLE} (LIKE {table} INCLUDING DEFAULTS "
                "INCLUDING IDENTITY INCLUDING GENERATED INCLUDING CONSTRAINTS)"
            )
            for target, key in ((UNINDEXED_TABLE, "unindexed"), (table, "cases")):
                statement, params = floor_insert(target, first, now)
                started = time.perf_counter()
                cursor.execute(statement, params)
                figures[f"{key}_insert_seconds"] = time.perf_counter() - started
                figures[f"{key}_inserted"] = cursor.rowcount
            started = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            figures["cases_foreign_keys_seconds"] = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    # As after the import: the rolled-back rows are dead tuples in cases_case and its indexes.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    vacuum = time.perf_counter() - started
    for key in ("unindexed", "cases"):
        if figures[f"{key}_inserted"] != rows:
            raise SystemExit(
                f"The {key} INSERT made {figures[f'{key}_inserted']:,} rows of {rows:,}."
            )
    figures["cases_seconds"] = (
        figures["cases_insert_seconds"] + figures["cases_foreign_keys_seconds"]
    )
    case_list.say(
        f"Floor of the table: INSERT ... SELECT of {rows:,} rows into a copy of {table} without "
        f"indexes {figures['unindexed_insert_seconds']:.1f} s; into {table} "
        f"{figures['cases_insert_seconds']:.1f} s + foreign-key checks "
        f"{figures['cases_foreign_keys_seconds']:.1f} s; rolled back (VACUUM ANALYZE {table} "
        f"{vacuum:.1f} s)."
    )
    return figures


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
            # The foreign keys are checked at commit (deferred): run those checks now, so the
            # figure holds everything a committed import pays, then roll back.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
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
    parser.add_argument(
        "--floor-only",
        action="store_true",
        help="time the COPY and the floor of the case table, not do_import_cases (minutes)",
    )
    args = parser.parse_args()
    if args.cases >= FLOOR_FIRST_NUMBER:
        parser.error(f"--cases must be under {FLOOR_FIRST_NUMBER:,} (see FLOOR_FIRST_NUMBER)")

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"import_{args.rows}.csv"
    if not path.exists():
        write_file(path, args.rows)
    try:
        copy_s, copied = bare_copy(path)
        floor = table_floor(copied)
    finally:
        drop_copy_table()
    imported = None if args.floor_only else timed_import(path)

    case_list.say()
    case_list.say(f"{'':<44}{'seconds':>10}{'rows/s':>12}{'x COPY':>9}")
    lines = [
        ("bare COPY of the file", copy_s),
        ("INSERT ... SELECT, no checks:", None),
        ("  into a copy of cases_case, no indexes", floor["unindexed_insert_seconds"]),
        ("  into cases_case, FKs checked", floor["cases_seconds"]),
        ("    the INSERT (rows, indexes)", floor["cases_insert_seconds"]),
        ("    foreign-key checks (at commit)", floor["cases_foreign_keys_seconds"]),
    ]
    if imported:
        lines += [
            ("import_cases (all checks)", imported["seconds"]),
            ("  read, check, stage", imported["reading_and_staging_seconds"]),
            ("  move into cases + history", imported["saving_seconds"]),
        ]
    for label, seconds in lines:
        if seconds is None:
            case_list.say(label)
            continue
        case_list.say(
            f"{label:<44}{seconds:>10.1f}{args.rows / seconds:>12,.0f}{seconds / copy_s:>8.1f}x"
        )
    figures: dict[str, Any] = {
        "rows": args.rows,
        "copy_seconds": copy_s,
        **floor,
        "unindexed_insert_ratio": floor["unindexed_insert_seconds"] / copy_s,
        "cases_ratio": floor["cases_seconds"] / copy_s,
        "floor_only": args.floor_only,
    }
    if imported:
        ratio = imported["seconds"] / copy_s
        verdict = "within" if ratio <= GOAL else "OVER"
        case_list.say(f"ratio import / COPY: {ratio:.2f} ({verdict} the goal of {GOAL:g}x)")
        case_list.say(
            f"peak resident memory of this process: {imported['peak_rss_mb']:.0f} MB "
            f"(before the import: {imported['peak_rss_mb_before']:.0f} MB)"
        )
        figures |= {"ratio": ratio, **imported}
    else:
        case_list.say("import_cases not run (--floor-only).")
        figures["earlier_import"] = earlier_import(args.rows)
    (RESULTS / "import_cases.json").write_text(json.dumps(figures, indent=2))
    return 0


def earlier_import(rows: int) -> dict[str, Any] | None:
    """The import's figures from the last results file, when it measured the import on as many
    rows: a --floor-only run keeps them apart (under "earlier_import") rather than lose them."""
    try:
        earlier = json.loads((RESULTS / "import_cases.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(earlier, dict) or earlier.get("rows") != rows:
        return None
    if "seconds" in earlier:
        keys = (
            "copy_seconds",
            "ratio",
            "seconds",
            "reading_and_staging_seconds",
            "saving_seconds",
            "imported",
            "rejected",
            "peak_rss_mb_before",
            "peak_rss_mb",
        )
        return {key: earlier[key] for key in keys if key in earlier}
    kept = earlier.get("earlier_import")
    return kept if isinstance(kept, dict) else None


if __name__ == "__main__":
    sys.exit(main())
