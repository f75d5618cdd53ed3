"""Speed of the deadline sweeper at a million open deadlines, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/sweeper.py

The script

1. creates the database named in DATABASE_URL if it is missing, migrates it and loads the
   directory and the catalogues, and makes the case table hold --cases rows (default
   1,000,000): all of that is bench/case_list.py's code, so both benchmarks share one database;
2. gives every case one open deadline (step "answer", status "open"), written in SQL, of which
   exactly --due (default 10,000) are due now (next_check_at <= now) and the rest later. The
   sweeper reads deadlines, never the case status, so the cases are left as generated: "open"
   here means "has an open CaseDeadline with next_check_at set", not the case's status. It
   also adds a liaison per care centre and two supervisors with an e-mail address, so the
   sweeper has someone to notify;
3. times the claim query of enlace/cases/sweeper.py (taken from sweep_deadlines itself), bare,
   with 10,000 due rows and with none; the count of due rows; sweep_deadlines() over the
   10,000 due rows (--repeats times, the due rows and what the sweep wrote restored between
   runs) with its time per batch and its queries per deadline; and the empty sweep that follows
   (the cost of every idle minute). It prints EXPLAIN (ANALYZE, BUFFERS) of the claim and the
   count, flags a sequential scan of cases_case or cases_casedeadline, and writes it all to
   bench/results/sweeper.json.

Every run first deletes the deadlines, the deadline events, the reminder and escalation
notifications and their delivery tasks that a previous run left, so runs are repeatable. It
refuses to run on anything but PostgreSQL (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402 - the project root must be importable first
import psycopg  # noqa: E402

from bench.case_list import (  # noqa: E402 - the same database, schema and cases
    ensure_cases,
    ensure_database,
    percentile,
    prepare_schema,
    say,
    timed,
    unnamed_column_values,
)

RESULTS = ROOT / "bench" / "results" / "sweeper.json"
STEP = "answer"
SUPERVISORS = ("bench.supervisor.1", "bench.supervisor.2")
LIAISON_PREFIX = "bench.enlace."
EMAIL_DOMAIN = "bench.invalid"
# The due rows, by their position among the due ones (mod 10): 0-5 wait for their reminder
# (due tomorrow), 6-8 were due yesterday and are now missed, 9 were missed and are escalated.
DUE_MIX = "60 % reminder, 30 % missed, 10 % escalation"
SEQ_SCAN = re.compile(r"Seq Scan on (cases_case|cases_casedeadline)\b")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # a `now` before every deadline: the sweep claims none
SLOW_MS = 50.0

DEADLINE_COLUMNS = (
    "case_id, step, policy_id, unit, started_on, due_on, remind_on, escalate_on, status, "
    "reminded_at, missed_at, escalated_at, next_check_at"
)
# One open deadline per case. Row number rn (by case id) is due when floor(rn * due / total)
# steps up: exactly `due` rows, spread evenly over the table. Dates are those of the policy
# that applies to the case (its business days taken as calendar days * 7 / 5), counted so that
# next_check_at is what enlace.cases.deadlines.next_check gives for the row (checked below).
INSERT_SQL = """
INSERT INTO cases_casedeadline ({columns}{other_columns})
SELECT
    c.id, %(step)s, pol.id, COALESCE(pol.unit, 'business'),
    dd.due_on - s.span, dd.due_on, r.remind_on, r.escalate_on, 'open',
    d.reminded_at, d.missed_at, NULL,
    d.next_check_on::timestamp AT TIME ZONE %(tz)s{other_values}
FROM (
    SELECT id, kind, opinion_type_id, row_number() OVER (ORDER BY id) AS rn FROM cases_case
) AS c
LEFT JOIN LATERAL (
    SELECT p.id, p.days, p.unit FROM cases_deadlinepolicy AS p
    WHERE p.kind = c.kind AND p.step = %(step)s AND p.is_active
      AND (p.opinion_type_id IS NULL OR p.opinion_type_id = c.opinion_type_id)
    ORDER BY p.opinion_type_id IS NULL
    LIMIT 1
) AS pol ON true
CROSS JOIN LATERAL (
    SELECT
        greatest(7, CASE WHEN COALESCE(pol.unit, 'business') = 'business'
            THEN ceil(COALESCE(pol.days, 10) * 7 / 5.0)::int
            ELSE COALESCE(pol.days, 10) END) AS span,
        floor(c.rn * %(due)s::numeric / %(total)s)
            > floor((c.rn - 1) * %(due)s::numeric / %(total)s) AS due,
        floor(c.rn * %(due)s::numeric / %(total)s)::int - 1 AS due_index
) AS s
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN NOT s.due THEN 'later'
        WHEN mod(s.due_index, 10) < 6 THEN 'reminder'
        WHEN mod(s.due_index, 10) < 9 THEN 'missed'
        ELSE 'escalation' END AS state
) AS st
CROSS JOIN LATERAL (
    SELECT CASE st.state
        -- counted from 0 .. span - 4 days ago: the reminder is 3 or more days away
        WHEN 'later' THEN %(today)s::date - mod(c.rn, s.span - 3)::int + s.span
        WHEN 'reminder' THEN %(today)s::date + 1
        WHEN 'missed' THEN %(today)s::date - 1
        ELSE %(today)s::date - 2 END AS due_on
) AS dd
CROSS JOIN LATERAL (
    SELECT
        -- half the reminders were due yesterday already (the sweeper was stopped a day)
        dd.due_on - CASE WHEN st.state = 'reminder' THEN 1 + mod(c.rn, 2)::int ELSE 1 END
            AS remind_on,
        CASE st.state
            WHEN 'missed' THEN %(today)s::date + 1
            WHEN 'escalation' THEN %(today)s::date
            ELSE dd.due_on + 1 END AS escalate_on
) AS r
CROSS JOIN LATERAL (
    SELECT
        CASE WHEN st.state IN ('missed', 'escalation')
            THEN (r.remind_on::timestamp AT TIME ZONE %(tz)s) + interval '1 minute' END
            AS reminded_at,
        CASE WHEN st.state = 'escalation'
            THEN ((dd.due_on + 1)::timestamp AT TIME ZONE %(tz)s) + interval '1 minute' END
            AS missed_at,
        CASE st.state
            WHEN 'missed' THEN dd.due_on + 1
            WHEN 'escalation' THEN r.escalate_on
            ELSE r.remind_on END AS next_check_on
) AS d
"""


# --- 1. Database, cases, deadlines -------------------------------------------------------------
def require_postgresql() -> dict[str, Any]:
    from django.conf import settings

    db: dict[str, Any] = dict(settings.DATABASES["default"])
    if db["ENGINE"] != "django.db.backends.postgresql":
        print(
            f"bench/sweeper.py measures PostgreSQL, but DATABASE_URL gives {db['ENGINE']}.\n"
            "Run it as: DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench "
            ".venv/bin/python bench/sweeper.py",
            file=sys.stderr,
        )
        sys.exit(2)
    return db


def ensure_policies() -> int:
    """The deadline policies (created after every migrate; loaded here if someone removed
    them). Returns how many answer policies are active."""
    from django.core.management import call_command

    from enlace.cases.models import DeadlinePolicy

    if not DeadlinePolicy.objects.exists():
        call_command("load_deadline_policies", verbosity=0)
    return DeadlinePolicy.objects.filter(step=STEP, is_active=True).count()


def ensure_recipients() -> dict[str, int]:
    """A liaison for every active care centre and two supervisors, all with an e-mail address:
    the people the sweeper's reminders and escalations go to."""
    from enlace.accounts.models import Role, User
    from enlace.directory.models import Dependency

    created = 0
    for username in SUPERVISORS:
        _user, new = User.objects.update_or_create(
            username=username,
            defaults={
                "role": Role.RESOLUTION,
                "email": f"{username}@{EMAIL_DOMAIN}",
                "is_active": True,
                "first_name": "Bench",
            },
        )
        created += new
    for centre in Dependency.objects.care_centres().active():
        username = f"{LIAISON_PREFIX}{centre.code}".lower()
        _user, new = User.objects.update_or_create(
            username=username,
            defaults={
                "role": Role.LIAISON,
                "dependency": centre,
                "email": f"{username}@{EMAIL_DOMAIN}",
                "is_active": True,
                "first_name": "Bench",
            },
        )
        created += new
    with_email = User.objects.filter(is_active=True).exclude(email="")
    counts = {
        "supervisors": with_email.filter(role=Role.RESOLUTION).count(),
        "liaisons": with_email.filter(role=Role.LIAISON).count(),
        "created": created,
    }
    say(
        f"Recipients: {counts['supervisors']} supervisors (resolution) and {counts['liaisons']} "
        f"liaisons with an e-mail address ({created} created now)."
    )
    return counts


def other_deadline_columns(cursor: Any) -> list[tuple[str, Any]]:
    """(column, value) for the columns of cases_casedeadline that DEADLINE_COLUMNS does not
    name."""
    from enlace.cases.models import CaseDeadline

    return unnamed_column_values(cursor, CaseDeadline, DEADLINE_COLUMNS, "bench/sweeper.py")


def delete_sweeper_output() -> dict[str, int]:
    """Delete the deadline events, the reminder and escalation notifications and their
    delivery tasks: what sweep_deadlines writes."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from enlace.cases.models import CaseEvent, EventKind
    from enlace.notifications.models import Notification, NotificationKind
    from enlace.notifications.tasks import send_notification

    event_kinds = [
        EventKind.DEADLINE_REMINDER,
        EventKind.DEADLINE_MISSED,
        EventKind.DEADLINE_ESCALATED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Notification._meta.db_table} WHERE kind = ANY(%s) RETURNING id",  # noqa: S608
            [[NotificationKind.REMINDER, NotificationKind.ESCALATION]],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"DELETE FROM {DBTaskResult._meta.db_table} WHERE task_path = %s "  # noqa: S608
            "AND (args_kwargs -> 'args' ->> 0)::bigint = ANY(%s::bigint[])",
            [send_notification.module_path, ids],
        )
        tasks = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {CaseEvent._meta.db_table} WHERE kind = ANY(%s)",  # noqa: S608
            [event_kinds],
        )
        events = cursor.rowcount
    return {"notifications": len(ids), "tasks": tasks, "events": events}


def vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


SWEPT_TABLES = (
    "cases_casedeadline",
    "cases_caseevent",
    "notifications_notification",
    "django_tasks_database_dbtaskresult",
)


def make_deadlines(*, due: int) -> dict[str, Any]:
    """Replace every deadline with one open 'answer' deadline per case, `due` of them due."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.perf_counter()
    deleted = delete_sweeper_output()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = int(cursor.fetchone()[0])
        others = other_deadline_columns(cursor)
    if due > total:
        raise SystemExit(f"--due {due:,} is more than the {total:,} cases")
    if others:
        say(f"  other deadline columns, set to their model default: {dict(others)}")
    insert = INSERT_SQL.format(
        columns=DEADLINE_COLUMNS,
        other_columns="".join(f", {column}" for column, _value in others),
        other_values="".join(f",\n    %(other_{i})s" for i in range(len(others))),
    )
    today = timezone.localdate()
    params: dict[str, Any] = {
        "step": STEP,
        "tz": settings.TIME_ZONE,
        "today": today,
        "due": due,
        "total": total,
        **{f"other_{i}": value for i, (_column, value) in enumerate(others)},
    }
    say(
        f"Deadlines: deleted {deleted['events']:,} events, {deleted['notifications']:,} "
        f"notifications and {deleted['tasks']:,} tasks of a previous run; writing {total:,} "
        f"open deadlines ({due:,} due) in SQL ..."
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SELECT count(*) FROM cases_casedeadline")
        previous = int(cursor.fetchone()[0])
        cursor.execute("TRUNCATE cases_casedeadline RESTART IDENTITY")
        # The answers given went with them, past the compliance rollup: not ready until a
        # benchmark that reads it rebuilds the rollups (bench/case_list.py ensure_rollups).
        cursor.execute("DELETE FROM cases_rollupcheck WHERE kind IN ('empty', 'rebuilt')")
        step = time.perf_counter()
        cursor.execute(insert, params)
        inserted = cursor.rowcount
    insert_s = time.perf_counter() - step
    say(f"  replaced {previous:,} deadlines by {inserted:,} ({insert_s:.1f} s)")
    step = time.perf_counter()
    vacuum(*SWEPT_TABLES)
    say(f"  VACUUM ANALYZE ({time.perf_counter() - step:.1f} s)")
    return {
        "today": today.isoformat(),
        "deleted_before": {"deadlines": previous, **deleted},
        "deadlines": inserted,
        "insert_seconds": round(insert_s, 2),
        "setup_seconds": round(time.perf_counter() - started, 2),
    }


def describe_deadlines(due: int) -> dict[str, Any]:
    """Counts that prove the set-up, and a check against the app's own next_check()."""
    from django.db import connection
    from django.utils import timezone

    from enlace.cases.deadlines import next_check
    from enlace.cases.models import CaseDeadline

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE status = 'open' AND next_check_at IS NOT NULL),
                   count(*) FILTER (WHERE next_check_at <= %(now)s),
                   count(*) FILTER (WHERE next_check_at > %(now)s),
                   count(*) FILTER (WHERE next_check_at <= %(now)s AND reminded_at IS NULL),
                   count(*) FILTER (WHERE next_check_at <= %(now)s AND reminded_at IS NOT NULL
                                    AND missed_at IS NULL),
                   count(*) FILTER (WHERE next_check_at <= %(now)s AND missed_at IS NOT NULL),
                   min(next_check_at) FILTER (WHERE next_check_at > %(now)s),
                   max(next_check_at),
                   count(DISTINCT case_id),
                   pg_size_pretty(pg_total_relation_size('cases_casedeadline'))
            FROM cases_casedeadline
            """,
            {"now": now},
        )
        row = cursor.fetchone()
        cursor.execute(
            """
            SELECT c.status, count(*) FROM cases_casedeadline d
            JOIN cases_case c ON c.id = d.case_id GROUP BY 1 ORDER BY 2 DESC
            """
        )
        case_statuses = {str(status): int(n) for status, n in cursor.fetchall()}
    (total, open_, due_now, later, to_remind, to_miss, to_escalate, first_later, last, cases,
     size) = row  # fmt: skip
    if due_now != due or open_ != total or cases != total:
        raise SystemExit(
            f"Set-up is wrong: {due_now:,} due (want {due:,}), {open_:,} open of {total:,}, "
            f"{cases:,} cases."
        )
    # The stored next_check_at must be what the app computes for the row.
    sample = list(
        CaseDeadline.objects.select_related("case").filter(next_check_at__lte=now)[:300]
    ) + list(CaseDeadline.objects.select_related("case").order_by("?")[:300])
    wrong = [d.pk for d in sample if next_check(d) != d.next_check_at]
    if wrong:
        raise SystemExit(f"next_check_at differs from deadlines.next_check() for ids {wrong[:10]}")
    say(
        f"Deadlines: {total:,} open ({size}), one per case; {due_now:,} due now "
        f"({to_remind:,} to remind, {to_miss:,} to mark missed, {to_escalate:,} to escalate), "
        f"{later:,} later (from {first_later:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M})."
    )
    say(
        "  'Open' = an open CaseDeadline with next_check_at set, for every case; the cases'"
        " own statuses are left as generated (the sweeper does not read them):"
    )
    say(f"  {case_statuses}")
    say(f"  next_check_at agrees with deadlines.next_check() on {len(sample)} sampled rows.")
    return {
        "deadlines": total,
        "open": open_,
        "due": due_now,
        "later": later,
        "due_to_remind": to_remind,
        "due_to_mark_missed": to_miss,
        "due_to_escalate": to_escalate,
        "due_mix": DUE_MIX,
        "first_later_check": first_later.isoformat(),
        "last_check": last.isoformat(),
        "total_relation_size": size,
        "case_statuses": case_statuses,
        "open_means": "an open CaseDeadline (status open, next_check_at set) for every case; "
        "case statuses untouched",
    }


@dataclass
class DueSnapshot:
    """The due rows as set up, to put back after a sweep."""

    ids: list[int]
    reminded_at: list[datetime | None]
    missed_at: list[datetime | None]
    escalated_at: list[datetime | None]
    next_check_at: list[datetime | None]


def snapshot_due() -> DueSnapshot:
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, reminded_at, missed_at, escalated_at, next_check_at "
            "FROM cases_casedeadline WHERE next_check_at <= %s ORDER BY id",
            [timezone.now()],
        )
        rows = cursor.fetchall()
    columns: list[list[Any]] = [[row[i] for row in rows] for i in range(5)]
    return DueSnapshot(*columns)


def restore_due(snapshot: DueSnapshot) -> dict[str, int]:
    from django.db import connection

    deleted = delete_sweeper_output()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE cases_casedeadline AS d
            SET reminded_at = b.reminded_at, missed_at = b.missed_at,
                escalated_at = b.escalated_at, next_check_at = b.next_check_at
            FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[],
                        %s::timestamptz[]) AS b(id, reminded_at, missed_at, escalated_at,
                                                next_check_at)
            WHERE d.id = b.id
            """,
            [
                snapshot.ids,
                snapshot.reminded_at,
                snapshot.missed_at,
                snapshot.escalated_at,
                snapshot.next_check_at,
            ],
        )
    vacuum(*SWEPT_TABLES)
    return deleted


# --- 2. Measuring -------------------------------------------------------------------------------
@dataclass
class Call:
    sql: str
    params: Any
    started: float
    seconds: float
    rows: int


@dataclass
class Recorder:
    """A Django execute wrapper: every query the code under test sends, timed."""

    calls: list[Call] = field(default_factory=list)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            cursor = context.get("cursor")
            rows = getattr(cursor, "rowcount", -1) if cursor is not None else -1
            self.calls.append(Call(sql, params, started, time.perf_counter() - started, rows))


@contextmanager
def recording() -> Iterator[Recorder]:
    from django.db import connection

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        yield recorder


def is_claim(sql: str) -> bool:
    return "FOR UPDATE" in sql and "SKIP LOCKED" in sql and '"cases_casedeadline"' in sql


_TABLE = re.compile(r'^\s*(?:SELECT .*? FROM|INSERT INTO|UPDATE|DELETE FROM)\s+"(\w+)"', re.S)


def query_kind(sql: str) -> str:
    """'SELECT cases_case', 'INSERT notifications_notification', ...: verb and first table."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    if is_claim(sql):
        return "SELECT ... FOR UPDATE SKIP LOCKED (claim)"
    found = _TABLE.match(sql)
    return f"{verb} {found[1]}" if found else verb


def claim_statement() -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of the sweeper's claim, as sweep_deadlines sends it: run it with
    a `now` before every deadline (it claims nothing) and record what it executes."""
    from enlace.cases.sweeper import sweep_deadlines

    with recording() as recorder:
        counts = sweep_deadlines(now=EPOCH)
    claims = [call for call in recorder.calls if is_claim(call.sql)]
    if counts or len(claims) != 1:
        raise SystemExit(
            f"sweep_deadlines(now={EPOCH:%Y-%m-%d}) should claim nothing in one query; it sent "
            f"{len(recorder.calls)} queries, {len(claims)} claims, and recorded {dict(counts)}"
        )
    params = tuple(claims[0].params or ())
    if EPOCH not in params:
        raise SystemExit(f"The claim's parameters {params} do not carry `now`.")
    return claims[0].sql, params


def count_statement() -> tuple[str, tuple[Any, ...]]:
    """The count of every due deadline: the SQL the ORM sends for the claim's filter."""
    from enlace.cases.models import CaseDeadline

    with recording() as recorder:
        CaseDeadline.objects.filter(next_check_at__lte=EPOCH).count()
    call = recorder.calls[-1]
    return call.sql, tuple(call.params or ())


def with_now(params: tuple[Any, ...], now: datetime) -> tuple[Any, ...]:
    return tuple(now if value == EPOCH else value for value in params)


@dataclass
class BareQuery:
    label: str
    sql: str
    ms: list[float]
    rows: int
    plan: str
    warnings: list[str] = field(default_factory=list)


def measure_bare(
    label: str, statement: tuple[str, tuple[Any, ...]], *, runs: int, warmup: int
) -> BareQuery:
    """Median of the statement run bare (psycopg, values inlined as Django sends them), each run
    in its own transaction rolled back afterwards (the claim takes row locks), and its plan."""
    from django.db import connection
    from django.utils import timezone

    sql_text, template = statement
    connection.ensure_connection()
    raw = psycopg.ClientCursor(connection.connection)
    fetched: list[int] = []

    def run() -> None:
        params = with_now(template, timezone.now())
        raw.execute("BEGIN")
        try:
            raw.execute(sql_text, params)
            fetched.append(len(raw.fetchall()))
        finally:
            raw.execute("ROLLBACK")

    # timed() times the whole run; take the BEGIN/ROLLBACK round trips out.
    def begin_rollback() -> None:
        raw.execute("BEGIN")
        raw.execute("ROLLBACK")

    ms = timed(run, runs, warmup)
    overhead = statistics.median(timed(begin_rollback, runs, warmup))
    ms = [max(sample - overhead, 0.0) for sample in ms]
    params = with_now(template, timezone.now())
    raw.execute("BEGIN")
    try:
        raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql_text, params)
        plan = "\n".join(str(line) for (line,) in raw.fetchall())
        inlined = raw.mogrify(sql_text, params)
    finally:
        raw.execute("ROLLBACK")
    raw.close()
    result = BareQuery(label, inlined, ms, fetched[-1], plan)
    for match in sorted(set(SEQ_SCAN.findall(plan))):
        result.warnings.append(f"SEQ SCAN! on {match} ({label})")
    if statistics.median(ms) > SLOW_MS:
        result.warnings.append(f"SLOW: {label} median {statistics.median(ms):.1f} ms")
    return result


@dataclass
class Sweep:
    seconds: float
    counts: dict[str, int]
    batches: list[dict[str, Any]]
    queries: Counter[str]
    query_seconds: dict[str, float]
    notifications: int
    tasks: int
    events: int
    empty_after_ms: float
    empty_after_counts: dict[str, int]
    commits: int


def written() -> tuple[int, int, int]:
    """(notifications, delivery tasks, deadline events) in the database."""
    from django_tasks_db.models import DBTaskResult

    from enlace.cases.models import CaseEvent, EventKind
    from enlace.notifications.models import Notification, NotificationKind
    from enlace.notifications.tasks import send_notification

    notifications = Notification.objects.filter(
        kind__in=[NotificationKind.REMINDER, NotificationKind.ESCALATION]
    ).count()
    tasks = DBTaskResult.objects.filter(task_path=send_notification.module_path).count()
    events = CaseEvent.objects.filter(
        kind__in=[
            EventKind.DEADLINE_REMINDER,
            EventKind.DEADLINE_MISSED,
            EventKind.DEADLINE_ESCALATED,
        ]
    ).count()
    return notifications, tasks, events


def commits() -> int:
    """Transactions committed in this database so far (pg_stat_database, flushed now)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return int(cursor.fetchone()[0])


def sweep_once() -> Sweep:
    """sweep_deadlines() over the due rows, every query recorded; then the empty sweep."""
    from enlace.cases.sweeper import sweep_deadlines

    commits_before = commits()
    with recording() as recorder:
        started = time.perf_counter()
        counts = sweep_deadlines()
        ended = time.perf_counter()
    # Less the two statements of commits() itself (each commits in autocommit).
    committed = commits() - commits_before - 2
    claims = [call for call in recorder.calls if is_claim(call.sql)]
    batches = []
    for index, claim in enumerate(claims):
        until = claims[index + 1].started if index + 1 < len(claims) else ended
        batches.append(
            {
                "rows": claim.rows,
                "ms": round((until - claim.started) * 1000, 1),
                "claim_ms": round(claim.seconds * 1000, 2),
            }
        )
    queries: Counter[str] = Counter()
    query_seconds: dict[str, float] = {}
    for call in recorder.calls:
        queries[query_kind(call.sql)] += 1
        kind = query_kind(call.sql)
        query_seconds[kind] = query_seconds.get(kind, 0.0) + call.seconds
    notifications, tasks, events = written()
    step = time.perf_counter()
    empty = sweep_deadlines()
    empty_ms = (time.perf_counter() - step) * 1000
    return Sweep(
        seconds=ended - started,
        counts=dict(counts),
        batches=batches,
        queries=queries,
        query_seconds=query_seconds,
        notifications=notifications,
        tasks=tasks,
        events=events,
        empty_after_ms=empty_ms,
        empty_after_counts=dict(empty),
        commits=committed,
    )


# --- 3. Report ----------------------------------------------------------------------------------
_EXECUTION = re.compile(r"^Execution Time: ([\d.]+) ms$", re.M)


def execution_ms(plan: str) -> float:
    found = _EXECUTION.search(plan)
    return float(found[1]) if found else float("nan")


def print_plan(query: BareQuery) -> None:
    say(f"=== {query.label}")
    say(query.sql)
    say("--- plan:")
    say(query.plan)
    for warning in query.warnings:
        say(f"!!! {warning}")
    say()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to hold (1,000,000)")
    parser.add_argument("--due", type=int, default=10_000, help="deadlines due now (10,000)")
    parser.add_argument("--repeats", type=int, default=3, help="sweeps of the due rows (3)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per bare query (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (3)")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the cases even if the count matches"
    )
    args = parser.parse_args()
    if args.cases < 1 or args.due < 1 or args.repeats < 1 or args.runs < 1:
        parser.error("--cases, --due, --repeats and --runs must be at least 1")

    django.setup()
    db = require_postgresql()
    overall = time.perf_counter()
    ensure_database(db)
    prepare_schema()
    generation_s = ensure_cases(args.cases, regenerate=args.regenerate)
    policies = ensure_policies()
    recipients = ensure_recipients()
    setup = make_deadlines(due=args.due)
    data = describe_deadlines(args.due)
    snapshot = snapshot_due()

    from django.conf import settings
    from django.db import connection

    from enlace.cases.sweeper import BATCH_SIZE

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = str(cursor.fetchone()[0])
    say()
    say(version)
    say(
        f"DEBUG={settings.DEBUG}, batch size {BATCH_SIZE}, {args.runs} runs after {args.warmup} "
        f"warm-up runs per bare query, {args.repeats} sweeps of {args.due:,} due rows, "
        f"{policies} active '{STEP}' policies."
    )

    claim = claim_statement()
    count = count_statement()
    say("Measuring the bare claim and count with the due rows in place ...")
    claim_due = measure_bare(f"claim, {args.due:,} due", claim, runs=args.runs, warmup=args.warmup)
    count_due = measure_bare(
        f"count of due rows, {args.due:,} due", count, runs=args.runs, warmup=args.warmup
    )
    if claim_due.rows != min(BATCH_SIZE, args.due) or count_due.rows != 1:
        raise SystemExit(f"The bare claim fetched {claim_due.rows} rows, not {BATCH_SIZE}.")

    sweeps: list[Sweep] = []
    for repeat in range(args.repeats):
        if repeat:
            restore_due(snapshot)
        say(f"Sweep {repeat + 1}/{args.repeats}: sweep_deadlines() over {args.due:,} due rows ...")
        sweep = sweep_once()
        say(
            f"  {sweep.seconds:.2f} s, {dict(sorted(sweep.counts.items()))}, "
            f"{len(sweep.batches)} claims, {sweep.notifications:,} notifications, "
            f"{sweep.tasks:,} tasks, {sweep.events:,} events, {sweep.commits:,} commits; "
            "the sweep after it found "
            f"{sum(sweep.empty_after_counts.values())} rows in {sweep.empty_after_ms:.1f} ms."
        )
        sweeps.append(sweep)

    say("Measuring the steady state (nothing due) ...")
    from enlace.cases.sweeper import sweep_deadlines

    empty_results: list[int] = []
    empty_ms = timed(
        lambda: empty_results.append(sum(sweep_deadlines().values())), args.runs, args.warmup
    )
    claim_idle = measure_bare("claim, nothing due", claim, runs=args.runs, warmup=args.warmup)
    count_idle = measure_bare(
        "count of due rows, nothing due", count, runs=args.runs, warmup=args.warmup
    )

    say()
    for query in (claim_due, count_due, claim_idle, count_idle):
        print_plan(query)

    warnings = [w for q in (claim_due, count_due, claim_idle, count_idle) for w in q.warnings]
    for sweep in sweeps:
        if sum(sweep.empty_after_counts.values()):
            warnings.append(f"a second sweep found {sweep.empty_after_counts}: rows swept twice")
        if sum(sweep.counts.values()) == 0:
            warnings.append("a sweep recorded nothing")
    if any(empty_results):
        warnings.append(f"the idle sweeps found rows: {empty_results}")

    median_sweep = sorted(sweeps, key=lambda s: s.seconds)[len(sweeps) // 2]
    seconds = [s.seconds for s in sweeps]
    batch_ms = [b["ms"] for s in sweeps for b in s.batches if b["rows"] == BATCH_SIZE]
    in_sweep_claim_ms = [b["claim_ms"] for s in sweeps for b in s.batches if b["rows"]]
    total_queries = sum(median_sweep.queries.values())

    say()
    say(
        f"Deadline sweeper, {data['deadlines']:,} open deadlines (one per case), "
        f"{args.due:,} due; times in ms unless stated:"
    )
    header = f"{'measure':<54} {'median':>9} {'p95/max':>9} {'server':>7} {'rows':>7}"
    say(header)
    say("-" * len(header))

    def row(label: str, median: float, spread: float, server: str, rows: str) -> None:
        say(f"{label:<54} {median:>9.2f} {spread:>9.2f} {server:>7} {rows:>7}")

    for query in (claim_due, count_due, claim_idle, count_idle):
        row(
            f"bare SQL: {query.label}",
            statistics.median(query.ms),
            percentile(query.ms, 0.95),
            f"{execution_ms(query.plan):.2f}",
            f"{query.rows:,}" if "claim" in query.label else "1",
        )
    row(
        "claim inside sweep_deadlines (per batch)",
        statistics.median(in_sweep_claim_ms),
        max(in_sweep_claim_ms),
        "",
        f"{BATCH_SIZE}",
    )
    row(
        f"one full batch of {BATCH_SIZE} (claim, handle, commit, enqueue)",
        statistics.median(batch_ms),
        max(batch_ms),
        "",
        f"{BATCH_SIZE}",
    )
    row(
        f"sweep_deadlines(), {args.due:,} due  [SECONDS]",
        statistics.median(seconds),
        max(seconds),
        "",
        f"{args.due:,}",
    )
    row(
        "sweep_deadlines() just after, nothing due",
        statistics.median([s.empty_after_ms for s in sweeps]),
        max(s.empty_after_ms for s in sweeps),
        "",
        "0",
    )
    row(
        "sweep_deadlines(), nothing due (each idle minute)",
        statistics.median(empty_ms),
        percentile(empty_ms, 0.95),
        "",
        "0",
    )
    say(
        "bare SQL: psycopg, values inlined as Django sends them, execute + fetchall, each run in\n"
        "its own transaction (rolled back); server: EXPLAIN ANALYZE execution time. median /\n"
        "p95 of the runs; for batches and sweeps median / max."
    )
    say(
        f"Sweeps: {', '.join(f'{s:.2f}' for s in seconds)} s -> "
        f"{args.due / statistics.median(seconds):,.0f} deadlines/s (median sweep); "
        f"{len(median_sweep.batches)} claims per sweep (the last finds none)."
    )
    say(
        f"Written per sweep: {median_sweep.counts}; {median_sweep.events:,} CaseEvent rows, "
        f"{median_sweep.notifications:,} Notification rows, {median_sweep.tasks:,} "
        f"django_tasks_db task rows (one INSERT each, on commit, in autocommit); "
        f"{median_sweep.commits:,} commits."
    )
    say(
        f"Queries per sweep: {total_queries:,} ({total_queries / args.due:.1f} per deadline), "
        f"{sum(median_sweep.query_seconds.values()):.2f} s of the "
        f"{median_sweep.seconds:.2f} s in the database round trips:"
    )
    for kind, n in median_sweep.queries.most_common():
        say(
            f"  {n:>7,}  {median_sweep.query_seconds[kind]:>6.2f} s  {kind}"
            f"  ({n / args.due:.2f} per deadline)"
        )
    if warnings:
        say("Warnings:")
        for warning in warnings:
            say(f"  !!! {warning}")
    else:
        say(
            "No sequential scan of cases_case or cases_casedeadline; every second sweep found 0"
            " rows."
        )

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": datetime.now().astimezone().isoformat(),
        "postgres": version,
        "database": db["NAME"],
        "debug": settings.DEBUG,
        "batch_size": BATCH_SIZE,
        "runs": args.runs,
        "warmup": args.warmup,
        "repeats": args.repeats,
        "case_generation_seconds": generation_s,
        "setup": setup,
        "recipients": recipients,
        "data": data,
        "bare": [
            {
                "label": q.label,
                "median_ms": round(statistics.median(q.ms), 3),
                "server_ms": execution_ms(q.plan),
                "p95_ms": round(percentile(q.ms, 0.95), 3),
                "rows": q.rows,
                "sql": q.sql,
                "plan": q.plan,
                "warnings": q.warnings,
            }
            for q in (claim_due, count_due, claim_idle, count_idle)
        ],
        "sweeps": [
            {
                "seconds": round(s.seconds, 3),
                "deadlines_per_second": round(args.due / s.seconds, 1),
                "counts": s.counts,
                "notifications": s.notifications,
                "tasks": s.tasks,
                "events": s.events,
                "commits": s.commits,
                "queries": dict(s.queries.most_common()),
                "query_seconds": {k: round(v, 3) for k, v in s.query_seconds.items()},
                "batches": s.batches,
                "second_sweep_ms": round(s.empty_after_ms, 2),
                "second_sweep_counts": s.empty_after_counts,
            }
            for s in sweeps
        ],
        "sweep_median_seconds": round(statistics.median(seconds), 3),
        "deadlines_per_second": round(args.due / statistics.median(seconds), 1),
        "full_batch_median_ms": round(statistics.median(batch_ms), 1),
        "queries_per_deadline": round(total_queries / args.due, 2),
        "commits_per_sweep": median_sweep.commits,
        "idle_sweep_median_ms": round(statistics.median(empty_ms), 3),
        "idle_sweep_p95_ms": round(percentile(empty_ms, 0.95), 3),
        "warnings": warnings,
        "total_seconds": round(time.perf_counter() - overall, 1),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"Results written to {RESULTS.relative_to(ROOT)} ({report['total_seconds']} s in all).")
    return 1 if any("SEQ SCAN" in w or "swept twice" in w for w in warnings) else 0


if __name__ == "__main__":
    sys.exit(main())
