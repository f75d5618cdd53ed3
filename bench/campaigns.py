"""Claims of a call campaign of 1,000,000 contacts by 50 agents at once, and its progress page,
on PostgreSQL, beside the bare SQL under each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/campaigns.py

(`make bench` runs exactly that.) It reuses bench/case_list.py for the database, the schema and
the reference data (not its cases), then, unless the campaign `bench-campaña` with that many
contacts is already there (`--regenerate` makes it again):

- makes 50 agents (`bench.agente.01` ...) and a call-centre supervisor, and through the real
  actions a campaign that calls every day from 00:00 to 23:59, from 60 days ago to 60 days on;
- writes `--contacts` contacts (default 1,000,000) in one INSERT ... SELECT over generate_series
  (valid E.164 phones +5037xxxxxxx, names, half with a DUI, priority 0-9 spread evenly; 88 % never
  called, 3 % called 1-3 times and due again now or within two days, 0.2 % callbacks (half due),
  8 % done, 1 % unreachable) and one Attempt row per call they had (about 210,000, by the 50
  agents over the last 30 days), then starts the campaign and analyses the tables.

Then, each phase after a VACUUM ANALYZE of the contacts, so every run starts alike:

1. claims: `--agents` threads (each its own connection), after one untimed round each, loop
   `--rounds` times (40): `do_claim_next(campaign, agent, now=...)` (timed), then
   `do_record_outcome(..., CallResult("confirmed"))` (timed apart). Every claim must return a
   contact, no contact may be claimed twice, and each claimed contact must get exactly one
   attempt (exit status 1 otherwise);
2. the floor: the same threads and rounds running the bare SQL the claim runs, in a transaction:
   the candidate `SELECT id ... ORDER BY callback DESC, priority DESC, attempts, id LIMIT 1 FOR
   UPDATE SKIP LOCKED` and the `UPDATE` of its lease, committed (timed); then the same
   `do_record_outcome` as in 1 (untimed), so the queue looks the same to both;
3. `EXPLAIN (ANALYZE, BUFFERS)` of the candidate query, rolled back: the floor's, the one
   do_claim_next sent, and the floor's with "due" written `next_attempt_at IS NULL OR
   next_attempt_at <= now()`; the first two must check "due" inside the partial index
   `contact_queue_idx` (its last column is `COALESCE(next_attempt_at, 1970-01-01)`, so the
   contacts due later, callbacks and retries, are passed over without reading the table);
4. the progress: `progress(campaign)` (enlace/campaigns/queries.py) beside the hand-written SQL
   computing the same figures (contacts by state; due, callbacks, held and never called with
   FILTER; by last outcome; attempts by outcome, by agent, by hour and by day), run bare on the
   same connection, medians of `--runs` (7) after a warm-up; the hand SQL's figures are first
   checked against progress()'s (exit status 1 if they differ).

It prints claims per second (a claim and its outcome, all threads), p50 and p99 of the claim and
of the floor and their ratios (goal: the claim's p99 within 3x of the floor's), and the progress
beside the hand SQL (goal: within 2x); a missed goal is printed, not an error. The settings are a
production server's (DEBUG off). Results go to bench/results/campaigns.json. It refuses SQLite
(exit status 2).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "campaigns.json"
CLAIM_GOAL = 3.0  # the claim's p99 within 3x of the bare SQL's
PROGRESS_GOAL = 2.0  # the progress within 2x of the hand SQL
CAMPAIGN_NAME = "bench-campaña"
AGENT_PREFIX = "bench.agente."
SUPERVISOR = "bench.supervisor.campanas"
EMAIL_DOMAIN = "bench.invalid"
SEED = 0.2027

# The contacts, in one statement. Each row draws its kind (what happened to it so far), its
# priority and its times once (OFFSET 0 keeps random() to one evaluation per row); the kind
# gives the state, the attempts, the last outcome and when it may be called again. `last_at`,
# the last call, is 1 to 30 days ago between 7:00 and 17:00 local time.
CONTACTS_COLUMNS = (
    "campaign_id, name, phone, phone_alt, dui, affiliation, data, line, priority, state, "
    "excluded_reason, attempts, next_attempt_at, callback, lease_holder_id, lease_until, "
    "version, last_outcome, last_attempt_at, rescheduled_to"
)
CONTACTS_SQL = """
INSERT INTO campaigns_contact ({columns}{other_columns})
SELECT
    %(campaign)s,
    (%(names)s::text[])[1 + mod(s.g, 20)] || ' '
        || (%(surnames)s::text[])[1 + mod(s.g / 20, 20)] || ' '
        || (%(surnames)s::text[])[1 + mod(s.g / 400, 20)],
    '+5037' || lpad(mod(s.g::bigint * 7919, 10000000)::text, 7, '0'),
    '',
    CASE WHEN mod(s.g, 2) = 0 THEN p.dui_body || '-' || {dui_check} ELSE '' END,
    '',
    jsonb_build_object('fecha_cita', to_char(%(today)s::date + mod(s.g, 60), 'DD/MM/YYYY')),
    s.g,
    s.priority,
    CASE k.kind WHEN 'done' THEN 'done' WHEN 'unreachable' THEN 'unreachable'
        ELSE 'to_call' END,
    '',
    k.attempts,
    CASE WHEN k.kind IN ('callback_due', 'retry_due')
            THEN t.last_at + (%(now)s::timestamptz - t.last_at) * s.r_due
        WHEN k.kind IN ('callback_later', 'retry_later')
            THEN %(now)s::timestamptz + (1 + s.r_due * 47) * interval '1 hour'
        END,
    k.kind LIKE 'callback%%',
    NULL,
    NULL,
    k.attempts,
    CASE WHEN k.kind = 'new' THEN ''
        WHEN k.kind LIKE 'callback%%' THEN 'call_back'
        WHEN k.kind = 'unreachable' THEN 'no_answer'
        WHEN k.kind = 'done' THEN (ARRAY['confirmed', 'confirmed', 'confirmed', 'rescheduled',
            'cancelled', 'informed', 'wrong_number', 'refused'])[1 + floor(s.r_outcome * 8)::int]
        ELSE (ARRAY['no_answer', 'busy', 'voicemail'])[1 + floor(s.r_outcome * 3)::int] END,
    CASE WHEN k.kind <> 'new' THEN t.last_at END,
    CASE WHEN k.kind = 'done' AND floor(s.r_outcome * 8) = 3
        THEN t.last_at + interval '20 days' END{other_values}
FROM (
    SELECT g, random() AS r_kind, floor(random() * 10)::int AS priority,
        random() AS r_attempts, random() AS r_day, random() AS r_hour, random() AS r_due,
        random() AS r_outcome
    FROM generate_series(1, %(contacts)s) AS g
    OFFSET 0
) AS s
CROSS JOIN LATERAL (
    SELECT lpad(mod(s.g::bigint * 7919 + 1000003, 100000000)::text, 8, '0') AS dui_body
) AS p
CROSS JOIN LATERAL (
    SELECT timezone(%(tz)s, (%(today)s::date - (1 + floor(s.r_day * 30))::int)
        + time '07:00' + s.r_hour * interval '10 hours') AS last_at
) AS t
CROSS JOIN LATERAL (
    SELECT kind,
        CASE kind WHEN 'new' THEN 0
            WHEN 'callback_due' THEN 1 WHEN 'callback_later' THEN 1
            WHEN 'unreachable' THEN 3
            WHEN 'done' THEN 1 + floor(s.r_attempts * s.r_attempts * 3)::int
            ELSE 1 + floor(s.r_attempts * 3)::int END AS attempts
    FROM (SELECT CASE
        WHEN s.r_kind < 0.001 THEN 'callback_due'
        WHEN s.r_kind < 0.002 THEN 'callback_later'
        WHEN s.r_kind < 0.017 THEN 'retry_due'
        WHEN s.r_kind < 0.032 THEN 'retry_later'
        WHEN s.r_kind < 0.112 THEN 'done'
        WHEN s.r_kind < 0.122 THEN 'unreachable'
        ELSE 'new' END AS kind) AS drawn
) AS k
ORDER BY s.g
"""
# One attempt per call each contact had: the last with its last outcome, the earlier ones
# unanswered, a day apart; by the 50 agents in turn.
ATTEMPTS_COLUMNS = (
    "contact_id, campaign_id, agent_id, at, outcome, phone, note, rescheduled_to, call_back_at, "
    "case_id"
)
ATTEMPTS_SQL = """
INSERT INTO campaigns_attempt ({columns}{other_columns})
SELECT c.id, c.campaign_id, (%(agents)s::bigint[])[1 + mod(c.id * 7 + n, %(n_agents)s)],
    c.last_attempt_at - (c.attempts - n) * interval '1 day',
    CASE WHEN n = c.attempts THEN c.last_outcome
        ELSE (ARRAY['no_answer', 'busy', 'voicemail'])[1 + mod(c.id + n, 3)] END,
    c.phone, '',
    CASE WHEN n = c.attempts THEN c.rescheduled_to END,
    CASE WHEN n = c.attempts AND c.callback THEN c.next_attempt_at END,
    NULL{other_values}
FROM campaigns_contact c CROSS JOIN LATERAL generate_series(1, c.attempts) AS n
WHERE c.campaign_id = %(campaign)s AND c.attempts > 0
ORDER BY 4
"""
# The bare SQL a claim runs (enlace/campaigns/actions.py `do_claim_next`), as written by hand.
# "Due" is written as the queue's index holds it (models.py `due_at()`): COALESCE of the next
# attempt, so the rows due later are passed over in the index.
CANDIDATE_SQL = """
SELECT id FROM campaigns_contact
WHERE campaign_id = %s AND state = 'to_call'
  AND COALESCE(next_attempt_at, '1970-01-01 00:00:00+00:00'::timestamptz) <= now()
  AND (lease_until IS NULL OR lease_until <= now())
ORDER BY callback DESC, priority DESC, attempts, id
LIMIT 1 FOR UPDATE SKIP LOCKED"""
# The same as first written (and as the issue gives it), due as `next_attempt_at IS NULL OR
# next_attempt_at <= now()`: its EXPLAIN is printed beside, to show what the index saves.
CANDIDATE_SQL_OR = CANDIDATE_SQL.replace(
    "COALESCE(next_attempt_at, '1970-01-01 00:00:00+00:00'::timestamptz) <= now()",
    "(next_attempt_at IS NULL OR next_attempt_at <= now())",
)
LEASE_SQL = """
UPDATE campaigns_contact SET lease_holder_id = %s, lease_until = now() + %s * interval '1 minute'
WHERE id = %s"""
# The progress as a person writes it in psql: one statement per figure of the page.
PROGRESS_SQL = {
    "by_state": """
        SELECT state, COUNT(*) FROM campaigns_contact WHERE campaign_id = %(campaign)s
        GROUP BY state""",
    "due": """
        SELECT COUNT(*) FILTER (WHERE next_attempt_at IS NULL OR next_attempt_at <= %(now)s),
               COUNT(*) FILTER (WHERE callback),
               COUNT(*) FILTER (WHERE lease_until > %(now)s),
               COUNT(*) FILTER (WHERE attempts = 0)
        FROM campaigns_contact WHERE campaign_id = %(campaign)s AND state = 'to_call'""",
    "last_outcomes": """
        SELECT last_outcome, COUNT(*) FROM campaigns_contact
        WHERE campaign_id = %(campaign)s AND last_outcome <> '' GROUP BY last_outcome""",
    "attempts_by_outcome": """
        SELECT outcome, COUNT(*) FROM campaigns_attempt WHERE campaign_id = %(campaign)s
        GROUP BY outcome""",
    "by_agent": """
        SELECT u.username, u.first_name, u.last_name, COUNT(*),
               COUNT(*) FILTER (WHERE a.outcome = ANY(%(reached)s))
        FROM campaigns_attempt a LEFT JOIN accounts_user u ON u.id = a.agent_id
        WHERE a.campaign_id = %(campaign)s
        GROUP BY a.agent_id, u.username, u.first_name, u.last_name
        ORDER BY 4 DESC, u.username""",
    "by_hour": """
        SELECT EXTRACT(HOUR FROM at AT TIME ZONE %(tz)s)::int, COUNT(*) FROM campaigns_attempt
        WHERE campaign_id = %(campaign)s GROUP BY 1""",
    "by_day": """
        SELECT (at AT TIME ZONE %(tz)s)::date, COUNT(*) FROM campaigns_attempt
        WHERE campaign_id = %(campaign)s GROUP BY 1 ORDER BY 1""",
}


def say(message: str = "") -> None:
    print(message, flush=True)


# --- Data --------------------------------------------------------------------------------------
def bench_users(agents: int) -> tuple[Any, list[Any]]:
    """The supervisor and the agents (`bench.*`, addresses @bench.invalid), made or reset."""
    from enlace.accounts.models import Role, User

    def one(username: str, role: str, first: str, last: str) -> Any:
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "is_active": True,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{EMAIL_DOMAIN}",
            },
        )
        return user

    boss = one(SUPERVISOR, Role.CALL_SUPERVISOR, "Supervisora", "Bench")
    team = [
        one(f"{AGENT_PREFIX}{n:02d}", Role.AGENT, "Agente", f"{n:02d}")
        for n in range(1, agents + 1)
    ]
    return boss, team


def campaign_plan(today: date) -> Any:
    from datetime import time as clock_time

    from enlace.campaigns import actions, rules
    from enlace.campaigns.models import Purpose

    return actions.CampaignPlan(
        name=CAMPAIGN_NAME,
        purpose=Purpose.APPOINTMENT_CONFIRMATION,
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=60),
        script="Buen día, {nombre}. Le llamamos del ISSS por su cita del {fecha_cita}.",
        windows=[rules.Window(day, clock_time(0, 0), clock_time(23, 59)) for day in range(7)],
    )


def build_campaign(contacts: int, agents: list[Any], boss: Any, *, regenerate: bool) -> Any:
    """The campaign with its contacts and their attempts: reused when already there with that
    many contacts (its period moved to cover today if it no longer does)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from enlace.campaigns import actions
    from enlace.campaigns.models import Attempt, Campaign, CampaignStatus, Contact
    from enlace.demo import texts

    today = timezone.localdate()
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).order_by("id").first()
    if (
        campaign is not None
        and not regenerate
        and campaign.status == CampaignStatus.RUNNING
        and Contact.objects.filter(campaign=campaign).count() == contacts
    ):
        if not campaign.starts_on <= today <= campaign.ends_on - timedelta(days=1):
            campaign = actions.do_save_campaign(
                campaign_plan(today), acting_user=boss, campaign=campaign
            )
            say(f"Campaign {CAMPAIGN_NAME}: its period moved to cover today.")
        say(f"Campaign {CAMPAIGN_NAME}: {contacts:,} contacts already there.")
        return campaign
    started = time.perf_counter()
    if campaign is not None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM campaigns_attempt WHERE campaign_id = %s", [campaign.pk])
            cursor.execute("DELETE FROM campaigns_contact WHERE campaign_id = %s", [campaign.pk])
        campaign.delete()
        say(
            f"Campaign {CAMPAIGN_NAME}: the old one deleted "
            f"({time.perf_counter() - started:.1f} s)."
        )
    campaign = actions.do_save_campaign(campaign_plan(today), acting_user=boss)
    with connection.cursor() as cursor:
        contact_others = case_list.unnamed_column_values(
            cursor, Contact, CONTACTS_COLUMNS, "bench/campaigns.py"
        )
        attempt_others = case_list.unnamed_column_values(
            cursor, Attempt, ATTEMPTS_COLUMNS, "bench/campaigns.py"
        )

    def statement(template: str, columns: str, others: list[tuple[str, Any]]) -> str:
        return template.format(
            columns=columns,
            other_columns="".join(f", {column}" for column, _value in others),
            other_values="".join(f",\n    %(other_{i})s" for i in range(len(others))),
            dui_check=case_list.dui_check_sql("p.dui_body"),
        )

    def values(others: list[tuple[str, Any]]) -> dict[str, Any]:
        return {f"other_{i}": value for i, (_column, value) in enumerate(others)}

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [SEED])
        cursor.execute(
            statement(CONTACTS_SQL, CONTACTS_COLUMNS, contact_others),
            {
                "campaign": campaign.pk,
                "contacts": contacts,
                "names": texts.NOMBRES,
                "surnames": texts.APELLIDOS,
                "today": today,
                "now": timezone.now(),
                "tz": str(timezone.get_current_timezone()),
                **values(contact_others),
            },
        )
        cursor.execute(
            statement(ATTEMPTS_SQL, ATTEMPTS_COLUMNS, attempt_others),
            {
                "campaign": campaign.pk,
                "agents": [agent.pk for agent in agents],
                "n_agents": len(agents),
                **values(attempt_others),
            },
        )
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_contact")
        cursor.execute("VACUUM ANALYZE campaigns_attempt")
    campaign = actions.do_step(campaign, "start", acting_user=boss)
    say(
        f"Campaign {CAMPAIGN_NAME}: {contacts:,} contacts and "
        f"{Attempt.objects.filter(campaign=campaign).count():,} attempts written ({written:.1f} s, "
        f"{time.perf_counter() - started:.1f} s with VACUUM ANALYZE)."
    )
    return campaign


def describe(campaign: Any) -> dict[str, Any]:
    from django.db.models import Count, Q
    from django.utils import timezone

    from enlace.campaigns.models import Attempt, Contact

    now = timezone.now()
    contacts = Contact.objects.filter(campaign=campaign)
    return {
        "contacts_by_state": dict(
            contacts.values_list("state").annotate(n=Count("id")).values_list("state", "n")
        ),
        "to_call": contacts.filter(state="to_call").aggregate(
            due_now=Count(
                "id", filter=Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
            ),
            callbacks=Count("id", filter=Q(callback=True)),
            callbacks_later=Count("id", filter=Q(callback=True, next_attempt_at__gt=now)),
        ),
        "attempts": Attempt.objects.filter(campaign=campaign).count(),
    }


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_contact")


# --- Claims ------------------------------------------------------------------------------------
def calling_offset(campaign: Any) -> timedelta:
    """0 when the campaign may call now and in the next 10 minutes, else the whole hours back
    to the latest moment when it could (a holiday, the minute after 23:59): the claims are
    made at that moment (`now=`)."""
    from django.utils import timezone

    from enlace.campaigns import rules
    from enlace.campaigns.actions import windows_of
    from enlace.directory.calendar import business_calendar

    windows = windows_of(campaign)
    now = timezone.now()
    for hours in range(0, 24 * 59):
        moment = now - timedelta(hours=hours)
        calendar = business_calendar(timezone.localdate(moment))
        if rules.in_window(moment, windows, calendar, campaign.ends_on) and rules.in_window(
            moment + timedelta(minutes=10), windows, calendar, campaign.ends_on
        ):
            return -timedelta(hours=hours)
    raise SystemExit("The campaign has no calling moment in the last 59 days.")


@dataclass
class Phase:
    label: str
    claim_ms: list[float] = field(default_factory=list)
    record_ms: list[float] = field(default_factory=list)
    claimed: list[int | None] = field(default_factory=list)  # timed rounds and warm-up alike
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    first_attempt_id: int = 0

    def figures(self) -> dict[str, Any]:
        timed = len(self.claim_ms)
        return {
            "claims": timed,
            "seconds": round(self.seconds, 3),
            "claims_per_second": round(timed / self.seconds, 1) if self.seconds else None,
            "claim_ms": summary(self.claim_ms),
            "record_ms": summary(self.record_ms),
        }


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    return {
        "p50": round(statistics.median(samples), 3),
        "p90": round(case_list.percentile(samples, 0.90), 3),
        "p99": round(case_list.percentile(samples, 0.99), 3),
        "max": round(max(samples), 3),
        "mean": round(statistics.fmean(samples), 3),
    }


def run_phase(
    label: str,
    agents: list[Any],
    rounds: int,
    claim: Callable[[Any], tuple[int | None, int]],
    record: Callable[[Any, int, int], None],
) -> Phase:
    """Every agent in its own thread and connection: one untimed round, then `rounds` rounds
    of a timed claim and its outcome (timed apart); all start together."""
    from django.db import connection

    from enlace.campaigns.models import Attempt

    phase = Phase(label)
    phase.first_attempt_id = (
        Attempt.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    lock = threading.Lock()
    moments: dict[str, float] = {}

    def all_ready() -> None:
        moments["start"] = time.perf_counter()

    barrier = threading.Barrier(len(agents), action=all_ready)

    def one_round(agent: Any, claimed: list[int | None]) -> tuple[float, float | None]:
        started = time.perf_counter()
        contact_id, version = claim(agent)
        claimed_at = time.perf_counter()
        claimed.append(contact_id)
        if contact_id is None:
            return (claimed_at - started) * 1000, None
        record(agent, contact_id, version)
        return (claimed_at - started) * 1000, (time.perf_counter() - claimed_at) * 1000

    def work(agent: Any) -> None:
        claimed: list[int | None] = []
        claim_ms: list[float] = []
        record_ms: list[float] = []
        try:
            connection.ensure_connection()
            one_round(agent, claimed)  # the connection's first statements, Python's caches
            barrier.wait(timeout=120)
            for _round in range(rounds):
                took, recorded = one_round(agent, claimed)
                claim_ms.append(took)
                if recorded is not None:
                    record_ms.append(recorded)
        except BaseException as error:  # reported; the phase fails
            barrier.abort()
            with lock:
                phase.errors.append(f"{agent.username}: {type(error).__name__}: {error}")
        finally:
            connection.close()
            with lock:
                phase.claimed += claimed
                phase.claim_ms += claim_ms
                phase.record_ms += record_ms

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - moments.get("start", time.perf_counter())
    return phase


def check_phase(phase: Phase, agents: int, rounds: int, earlier: set[int]) -> list[str]:
    """What went wrong, if anything: errors, empty claims, a contact claimed twice (in the
    phase or in an earlier one), a claimed contact without exactly one new attempt."""
    from enlace.campaigns.models import Attempt

    problems = list(phase.errors)
    taken = [pk for pk in phase.claimed if pk is not None]
    expected = agents * (rounds + 1)
    if len(phase.claimed) != expected:
        problems.append(f"{len(phase.claimed)} claims made, {expected} expected")
    if len(taken) != len(phase.claimed):
        problems.append(f"{len(phase.claimed) - len(taken)} claims returned no contact")
    twice = {pk: n for pk, n in Counter(taken).items() if n > 1}
    if twice:
        problems.append(f"DOUBLE CLAIMS: {len(twice)} contacts claimed twice or more: {twice}")
    again = earlier.intersection(taken)
    if again:
        problems.append(f"DOUBLE CLAIMS: {len(again)} contacts claimed in an earlier phase")
    recorded = Counter(
        Attempt.objects.filter(id__gte=phase.first_attempt_id).values_list("contact_id", flat=True)
    )
    if recorded != Counter(set(taken)):
        problems.append(
            f"attempts written do not match the claims: {sum(recorded.values())} attempts for "
            f"{len(recorded)} contacts, {len(set(taken))} contacts claimed"
        )
    return problems


def queries_of_one_claim(campaign: Any, agent: Any, now: datetime) -> list[str]:
    """The statements of one claim, as Django sends them (its outcome recorded after)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enlace.campaigns import actions

    with CaptureQueriesContext(connection) as captured:
        contact = actions.do_claim_next(campaign, agent, now=now)
    if contact is None:
        raise SystemExit("Nobody is due to be called: the campaign ran out of contacts.")
    actions.do_record_outcome(
        contact,
        actions.CallResult(outcome="confirmed"),
        agent=agent,
        seen_version=contact.version,
        now=now,
    )
    return [str(query["sql"]) for query in captured.captured_queries]


def explain(statement: str, params: list[Any] | None = None) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a claim's SELECT ... FOR UPDATE, rolled back (it locks)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        plan = "\n".join(str(row[0]) for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def due_in_index(plan: str) -> bool:
    """Whether the plan walks contact_queue_idx with "due" among its index conditions."""
    return "contact_queue_idx" in plan and bool(
        re.search(r"Index Cond: .*COALESCE\(next_attempt_at", plan)
    )


# --- Progress ----------------------------------------------------------------------------------
def progress_params(campaign: Any, now: datetime) -> dict[str, Any]:
    from django.utils import timezone

    from enlace.campaigns import rules

    return {
        "campaign": campaign.pk,
        "now": now,
        "tz": str(timezone.get_current_timezone()),
        "reached": sorted(str(outcome) for outcome in rules.REACHED),
    }


def hand_progress(params: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for name, statement in PROGRESS_SQL.items():
            cursor.execute(statement, params)
            found[name] = cursor.fetchall()
        return found


def comparable_progress(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures of progress() that the hand SQL computes, in a form to compare."""
    keys = ("total", "to_call", "done", "unreachable", "excluded", "due", "callbacks", "held")
    return {
        **{key: figures[key] for key in keys},
        "never_called": figures["never_called"],
        "attempts": figures["attempts"],
        "last_outcomes": {row["code"]: row["n"] for row in figures["last_outcomes"]},
        "attempts_by_outcome": {row["code"]: row["n"] for row in figures["attempts_by_outcome"]},
        "by_agent": sorted(
            (row["agent"], row["attempts"], row["reached"]) for row in figures["by_agent"]
        ),
        "by_hour": {row["hour"]: row["n"] for row in figures["by_hour"]},
        "by_day": {row["day"]: row["n"] for row in figures["by_day"]},
    }


def figures_from_hand_sql(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    by_state = dict(rows["by_state"])
    due, callbacks, held, never = rows["due"][0]
    by_outcome = dict(rows["attempts_by_outcome"])
    return {
        "total": sum(by_state.values()),
        "to_call": by_state.get("to_call", 0),
        "done": by_state.get("done", 0),
        "unreachable": by_state.get("unreachable", 0),
        "excluded": by_state.get("excluded", 0),
        "due": due,
        "callbacks": callbacks,
        "held": held,
        "never_called": never,
        "attempts": sum(by_outcome.values()),
        "last_outcomes": dict(rows["last_outcomes"]),
        "attempts_by_outcome": by_outcome,
        "by_agent": sorted(
            (" ".join(part for part in (first, last) if part) or username or "—", n, reached)
            for username, first, last, n, reached in rows["by_agent"]
        ),
        "by_hour": dict(rows["by_hour"]),
        "by_day": dict(rows["by_day"]),
    }


def check_progress(campaign: Any) -> list[str]:
    """progress() and the hand SQL at the same instant (the clock stopped for progress())."""
    from django.utils import timezone

    from enlace.campaigns.queries import progress

    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        shown = comparable_progress(progress(campaign))
    hand = figures_from_hand_sql(hand_progress(progress_params(campaign, now)))
    return [
        f"progress {key}: {shown[key]!r} but the hand SQL gives {hand[key]!r}"
        for key in shown
        if shown[key] != hand[key]
    ]


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: plans cached, pages in memory, as for a page asked twice
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure_progress(campaign: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from enlace.campaigns.queries import progress

    with CaptureQueriesContext(connection) as captured:
        progress(campaign)
    progress_ms = median_ms(functools.partial(progress, campaign), runs)
    hand_ms = median_ms(lambda: hand_progress(progress_params(campaign, timezone.now())), runs)
    return {
        "progress_ms": round(progress_ms, 2),
        "hand_sql_ms": round(hand_ms, 2),
        "ratio": round(progress_ms / hand_ms, 3),
        "queries": len(captured.captured_queries),
        "runs": runs,
    }


# --- Report ------------------------------------------------------------------------------------
def show_phase(phase: Phase) -> None:
    figures = phase.figures()
    claim, record = figures["claim_ms"], figures["record_ms"]
    say(
        f"{phase.label:<34}{figures['claims_per_second']:>9.1f}{claim['p50']:>9.2f}"
        f"{claim['p90']:>9.2f}{claim['p99']:>9.2f}{claim['max']:>9.2f}"
        f"{record.get('p50', 0):>13.2f}{record.get('p99', 0):>13.2f}"
    )


def verdict(ratio: float, goal: float) -> str:
    if ratio <= goal:
        return f"within the goal of {goal:g}x"
    return f"MISSED THE GOAL of {goal:g}x"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50, help="concurrent agents (50)")
    parser.add_argument("--rounds", type=int, default=40, help="timed claims per agent (40)")
    parser.add_argument(
        "--alone", type=int, default=50, help="timed claims of one agent alone, each way (50)"
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs of the progress (7)")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if min(args.contacts, args.agents, args.rounds, args.alone, args.runs) < 1:
        parser.error("--contacts, --agents, --rounds, --alone and --runs must be at least 1")

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from enlace.campaigns import actions
    from enlace.campaigns.models import Contact

    settings.DEBUG = False  # as a server runs: no query log in every thread
    boss, agents = bench_users(args.agents)
    campaign = build_campaign(args.contacts, agents, boss, regenerate=args.regenerate)
    data = describe(campaign)
    say(f"  {data}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version_row = cursor.fetchone()
    postgres = str(version_row[0]) if version_row else "?"

    # Leases a run stopped halfway left to the bench's agents.
    Contact.objects.filter(campaign=campaign, lease_holder__in=agents).update(
        lease_holder=None, lease_until=None
    )
    offset = calling_offset(campaign)
    if offset:
        say(f"The campaign may not call now: the claims are made {-offset} earlier (now=).")

    def clock() -> datetime:
        return timezone.now() + offset

    claim_queries = queries_of_one_claim(campaign, agents[0], clock())
    lease_minutes = settings.CAMPAIGN_LEASE_MINUTES

    def claim(agent: Any) -> tuple[int | None, int]:
        contact = actions.do_claim_next(campaign, agent, now=clock())
        return (contact.pk, contact.version) if contact is not None else (None, 0)

    def record(agent: Any, contact_id: int, version: int) -> None:
        actions.do_record_outcome(
            Contact(pk=contact_id),
            actions.CallResult(outcome="confirmed"),
            agent=agent,
            seen_version=version,
            now=clock(),
        )

    def bare_claim(agent: Any) -> tuple[int | None, int]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(CANDIDATE_SQL, [campaign.pk])
            row = cursor.fetchone()
            if row is None:
                return None, 0
            cursor.execute(LEASE_SQL, [agent.pk, lease_minutes, row[0]])
        return int(row[0]), -1

    def bare_record(agent: Any, contact_id: int, _version: int) -> None:
        version = Contact.objects.filter(pk=contact_id).values_list("version", flat=True).get()
        record(agent, contact_id, version)

    say()
    say(
        f"{postgres}\n{args.agents} agents x {args.rounds} rounds (after one untimed round "
        f"each), DEBUG={settings.DEBUG}, lease {lease_minutes} min; a claim makes "
        f"{len(claim_queries)} queries."
    )
    problems: list[str] = []
    claimed: set[int] = set()
    phases: list[Phase] = []
    for label, team, rounds, claim_one, record_one in (
        ("do_claim_next", agents, args.rounds, claim, record),
        ("bare SQL (SKIP LOCKED + UPDATE)", agents, args.rounds, bare_claim, bare_record),
        ("do_claim_next, one agent alone", agents[:1], args.alone, claim, record),
        ("bare SQL, one agent alone", agents[:1], args.alone, bare_claim, bare_record),
    ):
        vacuum()
        say(f"  {label}: {len(team)} thread{'s' if len(team) > 1 else ''} ...")
        phase = run_phase(label, team, rounds, claim_one, record_one)
        found = check_phase(phase, len(team), rounds, claimed)
        problems += [f"{label}: {problem}" for problem in found]
        claimed.update(pk for pk in phase.claimed if pk is not None)
        phases.append(phase)
    claims, floor, claim_alone, floor_alone = phases
    say()
    say(
        f"{'':<34}{'claims/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'outcome p50':>13}{'outcome p99':>13}"
    )
    for phase in phases:
        show_phase(phase)
    say(
        "claims/s: rounds (a claim and its outcome) per second, all threads; the claims are "
        "timed alone."
    )
    claim_figures, floor_figures = claims.figures(), floor.figures()
    ratios = {
        "p50": round(claim_figures["claim_ms"]["p50"] / floor_figures["claim_ms"]["p50"], 3),
        "p99": round(claim_figures["claim_ms"]["p99"] / floor_figures["claim_ms"]["p99"], 3),
        "claims_per_second": round(
            claim_figures["claims_per_second"] / floor_figures["claims_per_second"], 3
        ),
        "p50_alone": round(
            claim_alone.figures()["claim_ms"]["p50"] / floor_alone.figures()["claim_ms"]["p50"],
            3,
        ),
    }
    held = Contact.objects.filter(
        campaign=campaign, lease_holder__isnull=False, lease_until__gt=timezone.now()
    ).count()
    if held:
        problems.append(f"{held} contacts still held after every outcome was recorded")
    double = sum("DOUBLE" in problem for problem in problems)
    if double:
        say("Double claims: FOUND (see below).")
    else:
        say(f"Double claims: none ({len(claimed):,} contacts claimed, each once).")
    say(
        f"claim / bare SQL, {args.agents} agents: p99 {ratios['p99']:.2f} "
        f"({verdict(ratios['p99'], CLAIM_GOAL)}), p50 {ratios['p50']:.2f}; "
        f"one agent alone: p50 {ratios['p50_alone']:.2f}"
    )

    plans = {
        "floor": explain(CANDIDATE_SQL, [campaign.pk]),
        "claim": explain(next(q for q in claim_queries if "SKIP LOCKED" in q)),
        "floor_as_first_written": explain(CANDIDATE_SQL_OR, [campaign.pk]),
    }
    for name, title in (
        ("floor", "the candidate query (the floor's)"),
        ("claim", "the candidate query as do_claim_next sent it"),
        ("floor_as_first_written", "the candidate query with due as IS NULL OR <= now()"),
    ):
        say()
        say(f"EXPLAIN (ANALYZE, BUFFERS) of {title}:")
        say(plans[name])
    uses_index = due_in_index(plans["floor"]) and due_in_index(plans["claim"])
    if not uses_index:
        say("!!! the candidate query does not check due in contact_queue_idx")
        problems.append("the candidate query does not check due in contact_queue_idx")
    say()
    say("The claim's statements:")
    for statement in claim_queries:
        say(f"  {statement if len(statement) < 160 else statement[:150] + ' ...'}")

    say()
    mismatches = check_progress(campaign)
    problems += mismatches
    if not mismatches:
        say("The hand SQL gives progress()'s figures.")
    progress_figures = measure_progress(campaign, args.runs)
    say(
        f"progress(): {progress_figures['progress_ms']:.1f} ms ({progress_figures['queries']} "
        f"queries), hand SQL {progress_figures['hand_sql_ms']:.1f} ms: ratio "
        f"{progress_figures['ratio']:.2f} ({verdict(progress_figures['ratio'], PROGRESS_GOAL)})"
    )

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": datetime.now().astimezone().isoformat(),
        "postgres": postgres,
        "database": db["NAME"],
        "debug": settings.DEBUG,
        "contacts": args.contacts,
        "agents": args.agents,
        "rounds": args.rounds,
        "lease_minutes": lease_minutes,
        "clock_offset_seconds": offset.total_seconds(),
        "data_before": data,
        "claim_queries": claim_queries,
        "claims": claim_figures,
        "floor": floor_figures,
        "alone_rounds": args.alone,
        "claims_alone": claim_alone.figures(),
        "floor_alone": floor_alone.figures(),
        "floor_sql": [CANDIDATE_SQL.strip(), LEASE_SQL.strip()],
        "claim_over_floor": ratios,
        "claim_goal": CLAIM_GOAL,
        "claim_goal_met": ratios["p99"] <= CLAIM_GOAL,
        "distinct_contacts_claimed": len(claimed),
        "double_claims": double,
        "candidate_plans": plans,
        "candidate_checks_due_in_queue_index": uses_index,
        "progress": progress_figures,
        "progress_goal": PROGRESS_GOAL,
        "progress_goal_met": progress_figures["ratio"] <= PROGRESS_GOAL,
        "hand_progress_sql": {name: " ".join(sql.split()) for name, sql in PROGRESS_SQL.items()},
        "problems": problems,
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    say(f"Results written to {RESULTS.relative_to(ROOT)}.")
    if problems:
        say("FAILED:")
        for problem in problems:
            say(f"  {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
