"""Speed of seed 002's table of mechanisms for a year of 1,000,000 cases and 100,000 events, on
PostgreSQL, beside the hand-written SQL that computes the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench \
        .venv/bin/python bench/mechanisms.py

(`make bench` runs exactly that.) It reuses bench/case_list.py for the database and its
1,000,000 cases (three years), adds --events participation events in SQL (generate_series) in
the last full year, each supported by one to three centres, and a year of monthly figures for
the accounts; then times, for that year:

- `mechanisms_table()` (enlace/participation/figures.py), the query layer every rendering of the
  report (HTML, PDF, XLSX, JSON) calls;
- the hand-written SQL a person would write in psql for the same figures (one statement per
  part: events, centres, centres by level, places by zone, the places' names of the small
  mechanisms, opinions per channel group, the accounts' interactions and followers), run bare.

It checks that both give the same figures, prints medians of --runs runs and the ratio (goal:
within 2x) and writes bench/results/mechanisms.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402
from bench.report import median_ms, run_sql  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "mechanisms.json"
GOAL = 2.0
EVENTS_SOURCE = "bench-mechanisms"

HAND_SQL = {
    "events": """
        SELECT mechanism_id, COUNT(*), SUM(attendance), SUM(services),
               COUNT(DISTINCT municipality_id)
        FROM participation_participationevent
        WHERE starts_on BETWEEN %(start)s AND %(end)s GROUP BY mechanism_id""",
    "centres": """
        SELECT mechanism_id, COUNT(DISTINCT dependency_id) FROM participation_eventcentre
        WHERE starts_on BETWEEN %(start)s AND %(end)s GROUP BY mechanism_id""",
    "centres_by_level": """
        SELECT ec.mechanism_id, d.level_of_care, COUNT(DISTINCT ec.dependency_id)
        FROM participation_eventcentre ec JOIN directory_dependency d ON d.id = ec.dependency_id
        WHERE ec.starts_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2""",
    "places_by_zone": """
        SELECT mechanism_id, region, COUNT(DISTINCT municipality_id)
        FROM participation_participationevent
        WHERE starts_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2""",
    "place_names": """
        SELECT DISTINCT e.mechanism_id, m.name FROM participation_participationevent e
        JOIN directory_municipality m ON m.id = e.municipality_id
        WHERE e.starts_on BETWEEN %(start)s AND %(end)s AND e.mechanism_id IN (
            SELECT mechanism_id FROM participation_participationevent
            WHERE starts_on BETWEEN %(start)s AND %(end)s
            GROUP BY mechanism_id HAVING COUNT(DISTINCT municipality_id) <= 30)""",
    "opinions": """
        SELECT ch.report_group, COUNT(*) FROM cases_case c
        JOIN catalogues_channel ch ON ch.id = c.channel_id
        WHERE c.kind = 'opinion' AND c.status NOT IN ('void', 'merged')
          AND c.received_at >= %(from)s AND c.received_at < %(to)s GROUP BY 1""",
    "accounts": """
        SELECT a.handle,
               (SELECT SUM(f.interactions) FROM participation_accountfigures f
                 WHERE f.account_id = a.id AND f.on BETWEEN %(start)s AND %(end)s),
               (SELECT f.followers FROM participation_accountfigures f
                 WHERE f.account_id = a.id AND f.on <= %(start)s ORDER BY f.on DESC LIMIT 1),
               (SELECT f.followers FROM participation_accountfigures f
                 WHERE f.account_id = a.id AND f.on <= %(end)s ORDER BY f.on DESC LIMIT 1)
        FROM participation_socialaccount a WHERE a.mechanism_id IS NOT NULL""",
}


def ensure_events(events: int, year: int) -> None:
    """`events` events in `year` (made once; kept for the next run), 1-3 centres each, and a
    year of monthly figures for every account."""
    from django.db import connection

    from enlace.participation.models import ParticipationEvent

    existing = ParticipationEvent.objects.filter(source=EVENTS_SOURCE).count()
    if existing == events:
        case_list.say(f"Events: {existing:,} already there, reused.")
        return
    case_list.say(f"Events: generating {events:,} in SQL ...")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM participation_eventcentre WHERE event_id IN (SELECT id FROM "
            "participation_participationevent WHERE source = %s)",
            [EVENTS_SOURCE],
        )
        cursor.execute(
            "DELETE FROM participation_participationevent WHERE source = %s", [EVENTS_SOURCE]
        )
        cursor.execute(
            """
            WITH mechanisms AS (
                SELECT array_agg(id ORDER BY sort_order) AS ids
                FROM participation_mechanism WHERE has_events),
            places AS (SELECT array_agg(id ORDER BY id) AS ids FROM directory_municipality),
            admin AS (SELECT id FROM accounts_user ORDER BY id LIMIT 1)
            INSERT INTO participation_participationevent
                (mechanism_id, name, starts_on, ends_on, venue, municipality_id, region,
                 attendance, services, description, source, import_key, created_by_id,
                 created_at)
            SELECT m.ids[1 + (n * 7) %% array_length(m.ids, 1)],
                   'Evento ' || n,
                   make_date(%s, 1, 1) + (n * 37) %% 365,
                   make_date(%s, 1, 1) + (n * 37) %% 365,
                   '',
                   p.ids[1 + (n * 13) %% array_length(p.ids, 1)],
                   (ARRAY['san_salvador', 'central', 'occidente', 'oriente'])[1 + n %% 4],
                   20 + n %% 300, 10 + n %% 200, '', %s, '', admin.id, now()
            FROM generate_series(1, %s) AS n, mechanisms m, places p, admin
            """,
            [year, year, EVENTS_SOURCE, events],
        )
        cursor.execute(
            """
            WITH centres AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM directory_dependency
                WHERE kind = 'care_centre')
            INSERT INTO participation_eventcentre
                (event_id, dependency_id, mechanism_id, starts_on)
            SELECT DISTINCT e.id, c.ids[1 + (e.id * k * 11) %% array_length(c.ids, 1)],
                   e.mechanism_id, e.starts_on
            FROM participation_participationevent e, centres c, generate_series(1, 3) AS k
            WHERE e.source = %s AND k <= 1 + e.id %% 3
            """,
            [EVENTS_SOURCE],
        )
        cursor.execute(
            """
            INSERT INTO participation_accountfigures
                (account_id, "on", followers, posts, views, interactions, recorded_by_id,
                 recorded_at)
            SELECT a.id, (make_date(%s, m, 1) + interval '1 month - 1 day')::date,
                   10000 + m * 300, NULL, NULL, 100 + m, (SELECT MIN(id) FROM accounts_user),
                   now()
            FROM participation_socialaccount a, generate_series(1, 12) AS m
            ON CONFLICT DO NOTHING
            """,
            [year],
        )
        cursor.execute("ANALYZE participation_participationevent")
        cursor.execute("ANALYZE participation_eventcentre")
        cursor.execute("ANALYZE participation_accountfigures")


def check_same_figures(report: dict[str, Any], params: dict[str, Any]) -> None:
    """The hand SQL must compute what the report shows, or the comparison means nothing."""
    from enlace.participation.models import Mechanism

    events, centres, _levels, _zones, _names, opinions, accounts = run_sql(
        list(HAND_SQL.values()), params
    )
    codes = dict(Mechanism.objects.values_list("id", "code"))
    by_code = {m["code"]: m for m in report["mechanisms"]}
    for mechanism_id, count, attendance, _services, places in events:
        shown = by_code[codes[mechanism_id]]["events"]
        assert (shown["count"], shown["attendance"], shown["places"]) == (
            count,
            attendance,
            places,
        ), "events differ"
    for mechanism_id, count in centres:
        assert by_code[codes[mechanism_id]]["events"]["centres"] == count, "centres differ"
    groups = dict(opinions)
    for mechanism in report["mechanisms"]:
        if mechanism["opinions"] is not None:
            wanted = mechanism["opinions"]["by_channel_group"]
            expected = sum(groups.get(g["code"], 0) for g in wanted)
            assert mechanism["opinions"]["count"] == expected, "opinions differ"
    shown_accounts = {a["handle"]: a for m in report["mechanisms"] for a in m["accounts"]}
    for handle, interactions, first, last in accounts:
        account = shown_accounts[handle]
        assert (account["interactions"], account["followers_from"], account["followers_to"]) == (
            interactions or 0,
            first,
            last,
        ), "accounts differ"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (7)")
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)

    from enlace.cases.models import Case
    from enlace.participation.figures import Window, mechanisms_table

    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    year = (last.date() if last else date.today()).year - 1
    ensure_events(args.events, year)
    window = Window(date(year, 1, 1), date(year, 12, 31))
    start, stop = window.bounds()
    params = {"start": window.start, "end": window.end, "from": start, "to": stop}
    report = mechanisms_table(window)
    check_same_figures(report, params)
    events = sum(m["events"]["count"] for m in report["mechanisms"] if m["events"])
    opinions = sum(m["opinions"]["count"] for m in report["mechanisms"] if m["opinions"])
    report_ms = median_ms(functools.partial(mechanisms_table, window), args.runs)
    hand_ms = median_ms(functools.partial(run_sql, list(HAND_SQL.values()), params), args.runs)
    ratio = report_ms / hand_ms
    case_list.say()
    case_list.say(f"year {year}: {events:,} events, {opinions:,} opinions counted")
    case_list.say(f"mechanisms_table(): {report_ms:.0f} ms; hand SQL: {hand_ms:.0f} ms")
    verdict = "within" if ratio <= GOAL else "OVER"
    case_list.say(f"ratio report / hand SQL: {ratio:.2f} ({verdict} the goal of {GOAL:g}x)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "year": year,
                "events": events,
                "opinions": opinions,
                "runs": args.runs,
                "report_ms": report_ms,
                "hand_sql_ms": hand_ms,
                "ratio": ratio,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
