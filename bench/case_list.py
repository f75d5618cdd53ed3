"""Speed of the case list at a million cases, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/case_list.py

(`make bench` runs exactly that.) The script

1. creates the database named in DATABASE_URL if it is missing, migrates it and loads the
   directory and the catalogues;
2. makes the case table hold exactly --cases rows (default 1,000,000), generated in SQL with
   the proportions of the demo seeds; a second run with the same count reuses them;
3. times a handful of realistic list requests: the whole page through Django (test client, a
   resolution user) and, bare, the two SQL queries the page runs on cases_case (its capped
   count and its rows); prints the EXPLAIN (ANALYZE, BUFFERS) of both, a table of the figures
   and the queries per page, flags sequential scans on cases_case and queries over 50 ms, and
   writes it all to bench/results/case_list.json.

It refuses to run on anything but PostgreSQL (exit status 2): SQLite is the embedded default,
not what a million cases live in.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.test import Client

    from enlace.accounts.models import User
    from enlace.cases.models import Case

RESULTS = ROOT / "bench" / "results" / "case_list.json"
BENCH_USERNAME = "bench.resolucion"
SEED = 2016
POOL = 4096  # distinct (classification, centre, text) profiles per kind, picked at random
YEARS_DAYS = 3 * 365
ABSENT_WORD = "helicoptero"  # appears in no generated text: a search with no hit
# Tracking codes: row number -> (row * A + B) mod 22**10, a bijection because A is odd and
# not a multiple of 11, then written in base 22 with the tracking alphabet: unique by design.
CODE_MULTIPLIER = 5_915_587_277
CODE_OFFSET = 1_234_567_891_011
SEQ_SCAN = re.compile(r"Seq Scan on cases_case\b")


def say(message: str = "") -> None:
    print(message, flush=True)


# --- 1. Database ------------------------------------------------------------------------------
def database_settings() -> dict[str, Any]:
    from django.conf import settings

    db: dict[str, Any] = dict(settings.DATABASES["default"])
    if db["ENGINE"] != "django.db.backends.postgresql":
        print(
            f"bench/case_list.py measures PostgreSQL, but DATABASE_URL gives {db['ENGINE']}.\n"
            "Run it as: DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench "
            ".venv/bin/python bench/case_list.py  (or `make bench`).",
            file=sys.stderr,
        )
        sys.exit(2)
    return db


def ensure_database(db: dict[str, Any]) -> None:
    """CREATE DATABASE when the one named in DATABASE_URL does not exist yet."""
    name = db["NAME"]
    params = {
        "dbname": "postgres",  # the maintenance database: the bench one may not exist yet
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db.get("PORT") or ""),
    }
    conninfo = make_conninfo(**{key: value for key, value in params.items() if value})
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            say(f"Database {name}: exists.")
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        say(f"Database {name}: created.")


def prepare_schema() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the embedded cache (the portal's limits)
    call_command("load_directory", verbosity=0)
    call_command("load_catalogues", verbosity=0)
    say(
        f"Schema migrated, directory and catalogues loaded ({time.perf_counter() - started:.1f} s)."
    )


# --- 2. A million cases, in SQL ---------------------------------------------------------------
def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def build_profiles(rng: random.Random) -> list[tuple[Any, ...]]:
    """POOL opinion profiles then POOL inquiry profiles, drawn with the weights of the demo
    seeds: (id, channel, opinion type, limitante, topic, centre, level, description, folded
    description, answer). Each generated case copies one of them."""
    from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
    from enlace.demo import texts
    from enlace.demo.management.commands.seed_demo import (
        INQUIRY_CHANNELS,
        INQUIRY_TOPICS,
        LIMITANTES,
        OPINION_CHANNELS,
        OPINION_LEVELS,
        OPINION_TYPES,
        pick,
    )
    from enlace.directory.models import Dependency

    channels = dict(Channel.objects.values_list("code", "id"))
    types = dict(OpinionType.objects.values_list("code", "id"))
    topics = dict(InquiryTopic.objects.values_list("code", "id"))
    limitantes = dict(Limitante.objects.values_list("code", "id"))
    centres: dict[str, list[Dependency]] = {}
    for dep in Dependency.objects.care_centres().active().order_by("code"):
        centres.setdefault(dep.level_of_care, []).append(dep)
    # A few centres receive more than the rest, as in the seeds' tables.
    weights = {level: [rng.uniform(0.3, 3) for _ in deps] for level, deps in centres.items()}
    all_centres = [dep for deps in centres.values() for dep in deps]

    def fill(template: str, centre: Dependency | None) -> str:
        return texts.fill(rng, template, centre.name if centre else None)

    profiles: list[tuple[Any, ...]] = []
    for index in range(POOL):
        type_code = pick(rng, OPINION_TYPES)
        level = pick(rng, OPINION_LEVELS)
        centre = rng.choices(centres[level], weights=weights[level])[0]
        limitante_code, template = texts.opinion_template(
            rng, type_code, lambda: pick(rng, LIMITANTES)
        )
        limitante_id = limitantes[limitante_code] if limitante_code else None
        description = fill(template, centre)
        profiles.append(
            (
                index,
                channels[pick(rng, OPINION_CHANNELS)],
                types[type_code],
                limitante_id,
                None,
                centre.pk,
                centre.level_of_care,
                description,
                fold(description),
                fill(rng.choice(texts.ANSWERS), centre),
            )
        )
    for index in range(POOL):
        topic_code = pick(rng, INQUIRY_TOPICS)
        question, answer = texts.INQUIRIES[topic_code]
        inquiry_centre = rng.choice(all_centres) if "{centro}" in question else None
        description = fill(question, inquiry_centre)
        profiles.append(
            (
                POOL + index,
                channels[pick(rng, INQUIRY_CHANNELS)],
                None,
                None,
                topics[topic_code],
                inquiry_centre.pk if inquiry_centre else None,
                inquiry_centre.level_of_care if inquiry_centre else "",
                description,
                fold(description),
                answer,
            )
        )
    return profiles


def tracking_code_sql(number: str) -> str:
    from enlace.cases.rules import TRACKING_ALPHABET, TRACKING_LENGTH

    base = len(TRACKING_ALPHABET)
    digits = [
        f"substr('{TRACKING_ALPHABET}', mod({number} / {base**k}, {base})::int + 1, 1)"
        for k in range(TRACKING_LENGTH)
    ]
    return " || ".join(digits)


def dui_check_sql(body: str) -> str:
    """The check digit of enlace.cases.rules.dui_check_digit, in SQL."""
    terms = " + ".join(f"substr({body}, {i + 1}, 1)::int * {9 - i}" for i in range(8))
    return f"mod(10 - mod({terms}, 10), 10)::text"


# The columns of cases_case the generator fills, in the order of the SELECT below (id is an
# identity column). Columns added later are filled with their model field's default, see
# other_columns().
COLUMNS = (
    "kind, tracking_code, status, level_of_care, citizen_name, citizen_dui, "
    "citizen_affiliation, citizen_phone, citizen_email, description, answer, "
    "resolved_at_first_contact, search_text, received_at, closed_at, updated_at, channel_id, "
    "dependency_id, limitante_id, opinion_type_id, topic_id, created_by_id, intake_token"
)
INSERT_SQL = """
INSERT INTO cases_case ({columns}{other_columns})
SELECT
    CASE WHEN s.opinion THEN 'opinion' ELSE 'consulta' END,
    {tracking_code},
    st.status,
    p.level_of_care,
    COALESCE(who.name, ''),
    COALESCE(who.dui_body || '-' || {dui_check}, ''),
    CASE WHEN mod(s.person, 2) = 0
        THEN lpad(mod(s.person * 7907 + 55555, 1000000000)::text, 9, '0') ELSE '' END,
    COALESCE(who.phone, ''),
    '',
    p.description,
    CASE WHEN st.status = 'closed' THEN p.answer ELSE '' END,
    NOT s.opinion AND s.r_status < 0.94,
    concat_ws(' ', who.folded_name, p.folded),
    t.received_at,
    CASE WHEN st.status <> 'closed' THEN NULL
        WHEN s.opinion THEN t.received_at + (3 + s.r_close * 15) * interval '1 day'
            + (2 + s.r_close * 46) * interval '1 hour'
        ELSE t.received_at + (2 + s.r_close * 7) * interval '1 minute' END,
    t.received_at,
    p.channel_id,
    p.dependency_id,
    p.limitante_id,
    p.opinion_type_id,
    p.topic_id,
    NULL,
    NULL{other_values}
FROM (
    SELECT
        g,
        random() < %(opinion_share)s AS opinion,
        floor(random() * %(pool)s)::int AS slot,
        CASE WHEN random() < 0.65 THEN floor(random() * %(people)s)::bigint END AS person_any,
        random() < 0.30 AS inquiry_person,
        random() AS r_time,
        random() AS r_status,
        random() AS r_close,
        mod(g::bigint * {code_multiplier} + {code_offset}, {code_space}) AS code_number
    FROM generate_series(1, %(cases)s) AS g
    OFFSET 0  -- evaluate each random() once per row
) AS s0
CROSS JOIN LATERAL (
    SELECT s0.*, CASE WHEN s0.opinion OR s0.inquiry_person THEN s0.person_any END AS person
) AS s
JOIN bench_profile AS p ON p.id = s.slot + CASE WHEN s.opinion THEN 0 ELSE %(pool)s END
CROSS JOIN LATERAL (
    SELECT LEAST(
        date_trunc('second', %(start)s::timestamptz
            + floor(%(days)s * power((s.g - 0.5) / %(cases)s, 0.85)) * interval '1 day'
            + interval '7 hours' + s.r_time * interval '11 hours'),
        %(end)s::timestamptz) AS received_at
) AS t
CROSS JOIN LATERAL (
    SELECT extract(epoch FROM %(end)s::timestamptz - t.received_at) / 86400 AS age
) AS a
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN s.opinion THEN CASE
            WHEN a.age < 3 THEN CASE WHEN s.r_status < 0.5 THEN 'received' ELSE 'assigned' END
            WHEN a.age < 20 THEN 'assigned'
            WHEN s.r_status < 0.92 THEN 'closed'
            ELSE 'assigned' END
        WHEN s.r_status < 0.94 OR a.age > 5 THEN 'closed'
        ELSE 'received' END AS status
) AS st
LEFT JOIN LATERAL (
    SELECT
        (%(names)s::text[])[1 + mod(s.person, 20)] || ' '
            || (%(surnames)s::text[])[1 + mod(s.person / 20, 20)] || ' '
            || (%(surnames)s::text[])[1 + mod(s.person / 400, 20)] AS name,
        (%(folded_names)s::text[])[1 + mod(s.person, 20)] || ' '
            || (%(folded_surnames)s::text[])[1 + mod(s.person / 20, 20)] || ' '
            || (%(folded_surnames)s::text[])[1 + mod(s.person / 400, 20)] AS folded_name,
        lpad(mod(s.person * 7919 + 1000003, 100000000)::text, 8, '0') AS dui_body,
        '+503' || (ARRAY['2', '6', '7'])[1 + mod(s.person, 3)]
            || lpad(mod(s.person * 104729 + 12345, 10000000)::text, 7, '0') AS phone
    WHERE s.person IS NOT NULL
) AS who ON true
ORDER BY s.g
"""


def secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on cases_case that no constraint owns."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'cases_case'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """
    )
    return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


def other_columns(cursor: Any) -> list[tuple[str, Any]]:
    """(column, value) for the columns of cases_case that COLUMNS does not name."""
    from enlace.cases.models import Case

    return unnamed_column_values(cursor, Case, COLUMNS, "bench/case_list.py")


def unnamed_column_values(
    cursor: Any, model: Any, named: str, script: str
) -> list[tuple[str, Any]]:
    """(column, value) for the columns of `model`'s table that the comma-separated `named`
    does not list: the model field's default as Django would insert it, else nothing (NULL,
    or the column's database default). A NOT NULL column with neither stops the script with a
    message, so a new column never makes a benchmark insert fail obscurely."""
    from django.db import connection

    table = model._meta.db_table
    known = {column.strip() for column in named.split(",")}
    fields = {field.column: field for field in model._meta.concrete_fields}
    cursor.execute(
        """
        SELECT column_name, is_nullable = 'YES', column_default IS NOT NULL,
               is_identity = 'YES' OR is_generated <> 'NEVER'
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s
        ORDER BY ordinal_position
        """,
        [table],
    )
    others: list[tuple[str, Any]] = []
    for column, nullable, database_default, automatic in cursor.fetchall():
        if column in known or automatic:
            continue
        field = fields.get(column)
        if field is not None and not field.unique:
            # What Django itself would insert: the default, or "" for a text field without one.
            default = field.get_default()
            if default is not None:
                others.append((column, field.get_db_prep_save(default, connection)))
                continue
        if not (nullable or database_default):
            raise SystemExit(
                f"{table}.{column} is NOT NULL and has no default: {script} must learn to "
                "fill it (see its column list and INSERT_SQL)."
            )
    return others


def generate_cases(cases: int) -> None:
    """Replace every case with `cases` generated ones, in one transaction: if anything fails,
    the table and its indexes are as they were."""
    from django.db import connection, transaction
    from django.utils import timezone

    from enlace.demo import texts

    rng = random.Random(SEED)
    profiles = build_profiles(rng)
    now = timezone.localtime()
    end = now.replace(second=0, microsecond=0) - timedelta(hours=1)
    start = (end - timedelta(days=YEARS_DAYS)).replace(hour=0, minute=0)
    people = max(cases // 4, 1)
    with connection.cursor() as cursor:
        others = other_columns(cursor)
    if others:
        say(f"  other columns, set to their model default: {dict(others)}")
    insert = INSERT_SQL.format(
        columns=COLUMNS,
        other_columns="".join(f", {column}" for column, _value in others),
        other_values="".join(f",\n    %(other_{i})s" for i in range(len(others))),
        tracking_code=tracking_code_sql("s.code_number"),
        dui_check=dui_check_sql("who.dui_body"),
        code_multiplier=CODE_MULTIPLIER,
        code_offset=CODE_OFFSET,
        code_space=22**10,
    )
    params: dict[str, Any] = {
        "opinion_share": 2365 / (2365 + 105546),
        "pool": POOL,
        "people": people,
        "cases": cases,
        "days": YEARS_DAYS,
        "start": start,
        "end": end,
        "names": texts.NOMBRES,
        "surnames": texts.APELLIDOS,
        "folded_names": [fold(name) for name in texts.NOMBRES],
        "folded_surnames": [fold(name) for name in texts.APELLIDOS],
        **{f"other_{i}": value for i, (_column, value) in enumerate(others)},
    }
    columns = list(zip(*profiles, strict=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Foreign keys are checked at the end of the INSERT, not at commit: CREATE INDEX refuses
        # to run while a table has pending (deferred) trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        step = time.perf_counter()
        say("  emptying cases_case (TRUNCATE ... CASCADE)")
        cursor.execute("TRUNCATE cases_case RESTART IDENTITY CASCADE")
        # The reports' rollups counted the cases gone: empty, and not ready until rebuilt.
        cursor.execute(
            "TRUNCATE cases_rollupdelta, cases_channelrollup, cases_opinionrollup, "
            "cases_limitanterollup, cases_topicrollup, cases_rollupcheck"
        )
        indexes = secondary_indexes(cursor)
        say(f"  dropping {len(indexes)} secondary indexes for the load (rebuilt below)")
        for name, _definition in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)).as_string())
        cursor.execute(
            """
            CREATE TEMP TABLE bench_profile (
                id int PRIMARY KEY, channel_id bigint, opinion_type_id bigint,
                limitante_id bigint, topic_id bigint, dependency_id bigint,
                level_of_care text, description text, folded text, answer text
            ) ON COMMIT DROP
            """
        )
        cursor.execute(
            "INSERT INTO bench_profile SELECT * FROM unnest("
            "%s::int[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::text[], %s::text[], %s::text[], %s::text[])",
            [list(column) for column in columns],
        )
        cursor.execute("ANALYZE bench_profile")
        say(f"  inserting {cases:,} rows ...")
        cursor.execute("SELECT setseed(%s)", [SEED / 10_000])  # the same cases every time
        cursor.execute(insert, params)
        say(f"  inserted {cursor.rowcount:,} rows ({time.perf_counter() - step:.1f} s)")
        for name, definition in indexes:
            step = time.perf_counter()
            cursor.execute(definition)
            say(f"  index {name} ({time.perf_counter() - step:.1f} s)")


def ensure_cases(cases: int, *, regenerate: bool) -> float | None:
    """Seconds spent generating, or None when the table already held `cases` rows."""
    from django.db import connection

    from enlace.cases.models import Case

    existing = Case.objects.count()
    if existing == cases and not regenerate:
        say(f"Cases: {existing:,} already there, reused (--regenerate makes them anew).")
        # A migration may have added columns since they were generated: fresh statistics. And
        # the benchmarks that write delete what they made: VACUUM takes those dead rows out of
        # the indexes, or the next run's lookups wade through them (the duplicate check of
        # a creation read 50,000 dead entries of the centre's index, 8 ms, after a few runs).
        with connection.cursor() as cursor:
            ensure_due_dates(cursor)
            cursor.execute("VACUUM ANALYZE cases_case")
        ensure_rollups(rebuild=False)
        return None
    say(f"Cases: {existing:,} in the table, generating {cases:,} in SQL ...")
    started = time.perf_counter()
    generate_cases(cases)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        ensure_due_dates(cursor)
        cursor.execute("VACUUM ANALYZE cases_case")
    say(f"  VACUUM ANALYZE cases_case ({time.perf_counter() - step:.1f} s)")
    elapsed = time.perf_counter() - started
    say(f"Generated {cases:,} cases in {elapsed:.1f} s.")
    ensure_rollups(rebuild=True)
    return elapsed


# The next due date an open case carries (the sweeper's CaseDeadline rows are not generated):
# an answer due 10 to 14 calendar days after receipt, as the deadline policies give it.
DUE_DATES_SQL = """
UPDATE cases_case
SET next_due_on = (received_at AT TIME ZONE 'America/El_Salvador')::date + 10 + mod(id, 5)::int
WHERE next_due_on IS NULL AND status NOT IN ('closed', 'void', 'merged')
"""


def ensure_due_dates(cursor: Any) -> int:
    """Give the open cases generated without one their next due date; how many were set."""
    cursor.execute(DUE_DATES_SQL)
    if cursor.rowcount:
        say(f"  next due dates set on {cursor.rowcount:,} open cases")
    return int(cursor.rowcount)


def ensure_rollups(*, rebuild: bool) -> float | None:
    """The cases were written in SQL, past the rollups' deltas: build the reports' rollups
    from them (enlace/cases/rollups.py), as `manage.py rebuild_rollups` does after a bulk load.
    Seconds spent, or None when they were already built."""
    from django.db import connection

    from enlace.cases import rollups

    if not rebuild and rollups.ready():
        return None
    say("Rollups: building them from the cases (rebuild_rollups) ...")
    started = time.perf_counter()
    months = rollups.rebuild()
    with connection.cursor() as cursor:
        # A rebuild replaces every row: vacuum as autovacuum would, so the reads that follow
        # are not measured over the dead rows it left.
        for slice_ in rollups.SLICES:
            cursor.execute(f"VACUUM ANALYZE {slice_.model._meta.db_table}")
    elapsed = time.perf_counter() - started
    say(f"  {months} months rebuilt in {elapsed:.1f} s")
    return elapsed


def describe_data() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE kind = 'opinion'),
                   count(*) FILTER (WHERE status <> 'closed'),
                   count(*) FILTER (WHERE citizen_dui <> ''),
                   min(received_at), max(received_at),
                   pg_size_pretty(pg_total_relation_size('cases_case'))
            FROM cases_case
            """
        )
        row = cursor.fetchone()
        assert row is not None
        cursor.execute("SELECT status, count(*) FROM cases_case GROUP BY 1 ORDER BY 2 DESC")
        statuses = dict(cursor.fetchall())
    total, opinions, not_closed, with_dui, first, last, size = row
    say(
        f"Data: {total:,} cases, {opinions:,} opinions ({opinions / max(total, 1):.1%}), "
        f"{not_closed:,} not closed, {with_dui:,} with a DUI, {first:%Y-%m-%d} .. {last:%Y-%m-%d},"
        f" table and indexes {size}."
    )
    say(f"  statuses: {statuses}")
    return {
        "cases": total,
        "opinions": opinions,
        "not_closed": not_closed,
        "with_dui": with_dui,
        "received_from": first.isoformat(),
        "received_to": last.isoformat(),
        "total_relation_size": size,
        "statuses": statuses,
    }


# --- 3. The requests --------------------------------------------------------------------------
@dataclass
class Request:
    label: str
    query: dict[str, str]
    note: str = ""


@dataclass
class Result:
    label: str
    url: str
    note: str
    page_ms: list[float]
    sql_ms: list[float]
    count_sql_ms: list[float]
    queries: int
    case_queries: int
    rows: int
    sql_matches_page: bool
    rows_sql: str
    count_sql: str
    page_sql: list[str] = field(default_factory=list)
    page_db_ms: float = 0.0  # the page's queries as Django timed them, in one (untimed) run
    rows_plan: str = ""
    count_plan: str = ""
    warnings: list[str] = field(default_factory=list)


def bench_user() -> User:
    from enlace.accounts.models import Role, User

    user, created = User.objects.get_or_create(
        username=BENCH_USERNAME,
        defaults={"role": Role.RESOLUTION, "first_name": "Bench", "last_name": "Resolución"},
    )
    if user.role != Role.RESOLUTION or not user.is_active:
        user.role = Role.RESOLUTION
        user.is_active = True
        user.save(update_fields=["role", "is_active"])
    say(f"User {user.username} (role resolution): {'created' if created else 'exists'}.")
    return user


@dataclass
class WordShare:
    word: str
    share: float  # of the sampled cases
    opinion_share: float  # of the sampled opinions


def search_words_by_frequency() -> list[WordShare]:
    """Searchable words of the folded search text with their share of the cases and of the
    opinions, most frequent first, from a ~2 % sample of the table. Words are counted by what
    the search matches, their stem ('cita' and 'citas' are one), and named by their most
    frequent form; Spanish stop words, which the search drops, are left out."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_text, kind = 'opinion' FROM cases_case "
            "TABLESAMPLE SYSTEM (2) REPEATABLE (7)"
        )
        sampled = [
            (set(re.split(r"\W+", str(text))), bool(opinion)) for text, opinion in cursor.fetchall()
        ]
        forms: Counter[str] = Counter(word for words, _opinion in sampled for word in words)
        cursor.execute(
            "SELECT w, plainto_tsquery('enlace_es', w)::text FROM unnest(%s::text[]) AS w",
            [[word for word in forms if len(word) >= 4]],
        )
        stem_of = {str(word): str(stem) for word, stem in cursor.fetchall() if stem}
    frequency: Counter[str] = Counter()
    in_opinions: Counter[str] = Counter()
    for words, opinion in sampled:
        stems = {stem_of[word] for word in words if word in stem_of}
        frequency.update(stems)
        if opinion:
            in_opinions.update(stems)
    name: dict[str, str] = {}
    for word, _n in forms.most_common():
        if word in stem_of:
            name.setdefault(stem_of[word], word)
    size = max(len(sampled), 1)
    opinions = max(sum(1 for _words, opinion in sampled if opinion), 1)
    return [
        WordShare(name[stem], n / size, in_opinions[stem] / opinions)
        for stem, n in frequency.most_common()
    ]


def matching_cases(word: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE to_tsvector('enlace_es'::regconfig, "
            "COALESCE(search_text, '')) @@ plainto_tsquery('enlace_es'::regconfig, %s)",
            [word],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def closest(words: list[WordShare], share: float) -> WordShare:
    return min(words, key=lambda item: abs(math.log(item.share / share)))


def choose_requests() -> list[Request]:
    from django.db.models import Count

    from enlace.cases.models import Case
    from enlace.cases.rules import format_phone, format_tracking_code, phone_or_none
    from enlace.catalogues.models import Channel
    from enlace.directory.models import Dependency, DependencyKind

    requests = [
        Request("sin filtro", {}),
        Request("antiguos primero", {"orden": "antiguos"}, "sorted by received date, oldest"),
        Request("por vencimiento", {"orden": "vence"}, "sorted by the nearest due date"),
        Request("mis casos", {"responsable": "mios", "status": "open"}, "the user's own"),
        Request("abiertos", {"status": "open"}),
        Request("opiniones de hospital", {"kind": "opinion", "level_of_care": "hospital"}),
    ]
    busiest = (
        Case.objects.filter(dependency__kind=DependencyKind.CARE_CENTRE)
        .values("dependency")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    latest = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    if busiest and latest:
        centre = Dependency.objects.get(pk=busiest["dependency"])
        to = latest.date() - timedelta(days=90)
        since = to - timedelta(days=91)
        requests.append(
            Request(
                "centro + 3 meses",
                {
                    "dependency": centre.code,
                    "received_from": since.isoformat(),
                    "received_to": to.isoformat(),
                },
                f"{centre.name}, {busiest['n']:,} cases",
            )
        )
    channels = set(Channel.objects.values_list("code", flat=True))
    if "facebook" in channels:
        requests.append(Request("canal + estado", {"channel": "facebook", "status": "closed"}))
    if "llamada_127" in channels:
        requests.append(
            Request("127 + recibidos", {"channel": "llamada_127", "status": "received"})
        )

    words = search_words_by_frequency()
    if words:
        # A word in a quarter of the cases; one in ~0.4 % (the planner still walks the date
        # index and computes to_tsvector row by row); a rare one (~0.1 %, the GIN index); and a
        # frequent word that opinions never use, searched among opinions only.
        common = words[0]
        longer = [w for w in words if len(w.word) >= 6] or words
        medium = closest(longer, 0.004)
        rare = closest(longer, 0.001)
        never_in_opinions = [w for w in words if w.share >= 0.05 and w.opinion_share == 0]
        crossed = never_in_opinions[0] if never_in_opinions else common
        for label, chosen, extra in (
            ("texto frecuente", common, {}),
            ("texto medio", medium, {}),
            ("texto raro", rare, {}),
            ("texto + opiniones", crossed, {"kind": "opinion"}),
        ):
            note = f"{matching_cases(chosen.word):,} cases contain it"
            if extra:
                note += f", ~{chosen.opinion_share:.1%} of the opinions"
            requests.append(Request(label, {"q": chosen.word, **extra}, note))
    requests.append(Request("texto sin resultados", {"q": ABSENT_WORD}))

    code = (
        Case.objects.filter(id__gte=Case.objects.count() // 2)
        .order_by("id")
        .values_list("tracking_code", flat=True)
        .first()
    )
    if code:
        requests.append(Request("código de seguimiento", {"q": format_tracking_code(code)}))
    person = (
        Case.objects.exclude(citizen_dui="")
        .order_by("-id")
        .values_list("citizen_dui", "citizen_phone")
        .first()
    )
    if person:
        requests.append(Request("DUI", {"q": person[0]}))
        if phone_or_none(format_phone(person[1])):
            requests.append(Request("teléfono", {"q": format_phone(person[1])}))
    return requests


def url_for(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    base = reverse("cases:list")
    return f"{base}?{urlencode(query)}" if query else base


_CURSOR = re.compile(r"[?&](?:amp;)?after=([A-Za-z0-9_\-]+)")


def next_cursor(client: Client, query: dict[str, str]) -> str | None:
    response = client.get(url_for(query))
    found = _CURSOR.search(response.content.decode())
    return found[1] if found else None


def rows_queryset(user: User, query: dict[str, str]) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The queryset the list counts and the one that fetches its rows: the view's own code
    (FilterForm, filter_cases, visible_cases) and the keyset query of case_page."""
    from django.conf import settings
    from django.http import QueryDict

    from enlace.cases.forms import FilterForm
    from enlace.cases.queries import (
        LIST_RELATED,
        CaseFilters,
        ListOrder,
        decode_cursor,
        filter_cases,
        listed_in,
        rows_after,
        visible_cases,
    )

    data = QueryDict(mutable=True)
    for key, value in query.items():
        data[key] = value
    filters_only = {k: v for k, v in query.items() if k not in ("after", "before")}
    form = FilterForm(data or None)
    filters = form.filters(user) if data else CaseFilters()
    if form.is_bound and form.errors:
        raise SystemExit(f"The filters {filters_only} do not validate: {form.errors.as_text()}")
    order = form.order() if data else ListOrder.NEWEST
    queryset = listed_in(filter_cases(visible_cases(user), filters), order)
    counted = queryset.order_by()[: settings.CASE_LIST_COUNT_LIMIT + 1]
    rows = queryset.select_related(*LIST_RELATED)
    after = decode_cursor(query["after"], order) if query.get("after") else None
    return counted, rows_after(rows, order, after)[: settings.CASE_LIST_PAGE_SIZE + 1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(action: Any, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(client: Client, user: User, request: Request, *, runs: int, warmup: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = url_for(request.query)

    def page() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")

    page_ms = timed(page, runs, warmup)
    with CaptureQueriesContext(connection) as captured:
        page()
    page_sql = [q["sql"] for q in captured.captured_queries]
    page_db_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000

    counted, rows = rows_queryset(user, request.query)
    with CaptureQueriesContext(connection) as count_capture:
        counted.count()
    count_sql = count_capture.captured_queries[-1]["sql"]
    rows_sql_text, rows_params = rows.query.sql_with_params()
    connection.ensure_connection()
    raw = psycopg.ClientCursor(connection.connection)  # as Django sends it: values inlined
    rows_sql = raw.mogrify(rows_sql_text, rows_params)
    fetched: list[int] = []

    def bare_rows() -> None:
        raw.execute(rows_sql_text, rows_params)
        fetched.append(len(raw.fetchall()))

    def bare_count() -> None:
        raw.execute(count_sql)
        raw.fetchall()

    sql_ms = timed(bare_rows, runs, warmup)
    count_sql_ms = timed(bare_count, runs, warmup)

    def explain(statement: str) -> str:
        raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        return "\n".join(str(line) for (line,) in raw.fetchall())

    result = Result(
        label=request.label,
        url=url,
        note=request.note,
        page_ms=page_ms,
        sql_ms=sql_ms,
        count_sql_ms=count_sql_ms,
        queries=len(page_sql),
        case_queries=sum(1 for q in page_sql if '"cases_case"' in q),
        rows=fetched[-1],
        sql_matches_page=rows_sql in page_sql and count_sql in page_sql,
        rows_sql=rows_sql,
        count_sql=count_sql,
        page_sql=page_sql,
        page_db_ms=page_db_ms,
        rows_plan=explain(rows_sql),
        count_plan=explain(count_sql),
    )
    raw.close()
    if SEQ_SCAN.search(result.rows_plan):
        result.warnings.append("SEQ SCAN on cases_case! (rows query)")
    if SEQ_SCAN.search(result.count_plan):
        result.warnings.append("SEQ SCAN on cases_case! (count query)")
    if statistics.median(sql_ms) > 50:
        result.warnings.append(f"SLOW: rows SQL median {statistics.median(sql_ms):.1f} ms")
    if statistics.median(count_sql_ms) > 50:
        result.warnings.append(f"SLOW: count SQL median {statistics.median(count_sql_ms):.1f} ms")
    if not result.sql_matches_page:
        result.warnings.append("the bare SQL is not what the page ran (see case_page)")
    return result


# --- Report -----------------------------------------------------------------------------------
def print_table(results: list[Result]) -> None:
    header = (
        f"{'request':<24} {'page med':>9} {'page p95':>9} {'rows SQL':>9} {'count SQL':>10} "
        f"{'page/SQL':>9} {'DB in page':>10} {'queries':>8} {'rows':>5}"
    )
    say(header)
    say("-" * len(header))
    for r in results:
        page = statistics.median(r.page_ms)
        bare = statistics.median(r.sql_ms)
        count = statistics.median(r.count_sql_ms)
        say(
            f"{r.label:<24} {page:>9.2f} {percentile(r.page_ms, 0.95):>9.2f} {bare:>9.2f} "
            f"{count:>10.2f} {page / bare:>9.1f} {r.page_db_ms:>10.1f} {r.queries:>8} {r.rows:>5}"
        )
    say(
        "Times in ms. page: GET through the test client (session, filter form, every query,\n"
        "full template). rows SQL, count SQL: the page's two queries on cases_case, run bare\n"
        "(psycopg, values inlined as Django sends them). page/SQL: page median over rows SQL\n"
        "median. DB in page: all the page's queries as Django timed them, one run (1 ms steps)."
    )


_TABLE = re.compile(r'\bFROM "(\w+)"')


def tables_read(queries: list[str]) -> Counter[str]:
    """How many of the queries read each table (the first table after FROM)."""
    found = (_TABLE.search(q) for q in queries)
    return Counter(
        match[1] if match else q.split()[0] for match, q in zip(found, queries, strict=True)
    )


def report_query_counts(results: list[Result]) -> None:
    counts = Counter(r.queries for r in results)
    if len(counts) == 1:
        say(f"Queries per page: {results[0].queries} for every request.")
    else:
        say(
            f"Queries per page: not the same for every request {dict(sorted(counts.items()))};"
            " the differences, table by table (none may be on cases_case):"
        )
    baseline = results[0]
    say(f"  {baseline.label}: {dict(tables_read(baseline.page_sql))}")
    for r in results[1:]:
        extra = tables_read(r.page_sql)
        extra.subtract(tables_read(baseline.page_sql))
        changed = {table: n for table, n in extra.items() if n}
        if changed:
            say(f"  {r.label}: {r.queries} queries, differs by {changed}")
    if any(r.case_queries != 2 for r in results):
        say(f"!!! Queries on cases_case per page: { {r.label: r.case_queries for r in results} }")
    else:
        say("  Every page reads cases_case exactly twice: the capped count and the page's rows.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to hold (1,000,000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per request (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (3)")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate even if the count matches"
    )
    args = parser.parse_args()
    if args.cases < 1:
        parser.error("--cases must be at least 1")

    django.setup()
    db = database_settings()
    ensure_database(db)
    prepare_schema()
    generation_s = ensure_cases(args.cases, regenerate=args.regenerate)
    data = describe_data()

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    user = bench_user()
    client = Client()
    client.force_login(user)
    requests = choose_requests()
    # The second page of the unfiltered list and of the centre's list: the cursor is the one
    # the first page links to.
    for first in [requests[0], *[r for r in requests if r.query.get("dependency")]]:
        cursor = next_cursor(client, first.query)
        if cursor:
            requests.append(
                Request(f"{first.label} p.2", {**first.query, "after": cursor}, "after= cursor")
            )

    with connection.cursor() as cursor_:
        cursor_.execute("SELECT version()")
        version_row = cursor_.fetchone()
    version = str(version_row[0]) if version_row else "?"
    say()
    say(f"{version}")
    say(
        f"DEBUG={settings.DEBUG}, page size {settings.CASE_LIST_PAGE_SIZE}, count limit "
        f"{settings.CASE_LIST_COUNT_LIMIT}, {args.runs} runs after {args.warmup} warm-up runs."
    )
    results: list[Result] = []
    for request in requests:
        say(f"  measuring {request.label}: {url_for(request.query)}")
        results.append(measure(client, user, request, runs=args.runs, warmup=args.warmup))

    say()
    for r in results:
        say(f"=== {r.label}: {r.url}" + (f"  ({r.note})" if r.note else ""))
        say("--- rows query:")
        say(r.rows_plan)
        say("--- count query:")
        say(r.count_plan)
        for warning in r.warnings:
            say(f"!!! {warning}")
        say()

    say("Requests (medians and p95 in ms):")
    print_table(results)
    report_query_counts(results)
    flagged = [(r.label, w) for r in results for w in r.warnings]
    if flagged:
        say("Warnings:")
        for label, warning in flagged:
            say(f"  {label}: {warning}")
    else:
        say("No sequential scan on cases_case, no query above 50 ms.")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": datetime.now().astimezone().isoformat(),
        "postgres": version,
        "database": db["NAME"],
        "debug": settings.DEBUG,
        "page_size": settings.CASE_LIST_PAGE_SIZE,
        "count_limit": settings.CASE_LIST_COUNT_LIMIT,
        "runs": args.runs,
        "warmup": args.warmup,
        "generation_seconds": generation_s,
        "data": data,
        "requests": [
            {
                "label": r.label,
                "url": r.url,
                "note": r.note,
                "page_median_ms": round(statistics.median(r.page_ms), 3),
                "page_p95_ms": round(percentile(r.page_ms, 0.95), 3),
                "rows_sql_median_ms": round(statistics.median(r.sql_ms), 3),
                "rows_sql_p95_ms": round(percentile(r.sql_ms, 0.95), 3),
                "count_sql_median_ms": round(statistics.median(r.count_sql_ms), 3),
                "count_sql_p95_ms": round(percentile(r.count_sql_ms, 0.95), 3),
                "page_over_rows_sql": round(
                    statistics.median(r.page_ms) / statistics.median(r.sql_ms), 2
                ),
                "page_db_ms": round(r.page_db_ms, 1),
                "queries_per_page": r.queries,
                "case_queries_per_page": r.case_queries,
                "rows": r.rows,
                "sql_matches_page": r.sql_matches_page,
                "rows_sql": r.rows_sql,
                "count_sql": r.count_sql,
                "page_sql": r.page_sql,
                "rows_plan": r.rows_plan,
                "count_plan": r.count_plan,
                "warnings": r.warnings,
            }
            for r in results
        ],
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"Results written to {RESULTS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
