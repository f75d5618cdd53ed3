"""Speed of the media archive's search at 1,000,000 news items, on PostgreSQL, beside the bare
indexed full-text query measured in the same run.

    flock /tmp/enlace-bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench \\
        .venv/bin/python bench/media_search.py

It reuses bench/case_list.py for the database (created if missing), the schema and the
reference data (not its cases). Unless the table already holds `--items` items
(`--regenerate` makes them again), it writes the eleven demo outlets (enlace/demo/media.py)
and `--items` news items (default 1,000,000) with one INSERT ... SELECT over generate_series:
each row copies one of 2,000 stories drawn from the demo's (its headline, summary, topic,
tone, centre; its folded text and stems computed once by the archive's own rules), an outlet,
and a day from 2016 to today.
Two marker words make known rare shares: "helicóptero" in 1 item of 1,000, "teleférico" in 1
of 100,000. The GIN and secondary indexes are dropped for the load and built after it.

Then, medians of `--runs` (9) after a warm-up, for each search (a common word, a word of a
tenth of the items, the rare and very rare markers, a stemmed and accent-free query, two words,
a word and an outlet, and no word at all):

- the app: `news_page(filter_news_items(visible_news_items(user), filters))`, the access
  function and the queries of the list's first page: the keys of at most 1,001 matches, then
  the page's rows (by id, or in list order), and, as outside a request, the reference data's
  version (the names of outlets, topics and centres are in memory);
- the hand SQL: the page as a person writes it in psql, run bare on the same connection: the
  capped count, and the page's rows in list order with the outlet's, topic's and centre's
  names joined;
- the floor: the least SQL that answers the page: the capped count and the page's ids, as
  written (the planner walks the date index for a rare word: it expects to meet 26 matches
  early), and again with plain index scans off, so that it reads the GIN index (a bitmap).

It prints the ratios (goal: each search within 3x of the better of the two floors; browsing
without a word is shown, not judged: its floor is one index range read), the matches, and
`EXPLAIN (ANALYZE, BUFFERS)` of the app's rows query for each; results go to
bench/results/media_search.json. It refuses SQLite (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import random
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

RESULTS = ROOT / "bench" / "results" / "media_search.json"
GOAL = 3.0
POOL = 2000
START = date(2016, 1, 1)
RARE, RARE_EVERY = "helicóptero", 1000
VERY_RARE, VERY_RARE_EVERY = "teleférico", 100_000
CONFIG = "enlace_es"
MATCH = "n.search_vector @@ plainto_tsquery(%(config)s::regconfig, %(words)s)"
# The list's two queries, as a person writes them: the capped count and the first page's rows
# with what the page shows of the outlet, the topic and the centre.
HAND_COUNT = "SELECT count(*) FROM (SELECT 1 FROM media_newsitem n WHERE {where} LIMIT %(cap)s) s"
HAND_ROWS = """
    SELECT n.id, n.published_on, n.headline, n.tone, n.medium, n.authority,
           o.id, o.name, o.medium, t.id, t.name, d.id, d.name
    FROM media_newsitem n
    JOIN media_outlet o ON o.id = n.outlet_id
    JOIN media_mediatopic t ON t.id = n.topic_id
    LEFT JOIN directory_dependency d ON d.id = n.dependency_id
    WHERE {where}
    ORDER BY n.published_on DESC, n.id DESC LIMIT %(rows)s"""
MATCHES = "SELECT count(*) FROM media_newsitem n WHERE {where}"
# The least SQL that answers the page: the capped count and the page's ids.
FLOOR_ROWS = """
    SELECT n.id FROM media_newsitem n WHERE {where}
    ORDER BY n.published_on DESC, n.id DESC LIMIT %(rows)s"""


def say(message: str = "") -> None:
    print(message, flush=True)


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: plans cached, pages in memory, as for a list asked twice
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- Schema and data ---------------------------------------------------------------------------
def build_pool(rng: random.Random) -> list[tuple[Any, ...]]:
    """POOL stories from the demo's: (n, headline, summary, folded, stems, topic, centre,
    authority, tone, spokesperson)."""
    from enlace.demo import media as demo
    from enlace.demo.texts import MEDICAMENTOS, SERVICIOS
    from enlace.directory.models import Dependency, DependencyKind
    from enlace.media import rules
    from enlace.media.models import MediaTopic

    topics = dict(MediaTopic.objects.values_list("code", "id"))
    centres = list(Dependency.objects.filter(kind=DependencyKind.CARE_CENTRE, is_active=True))
    weights = [demo.WEIGHTS[story.tone] for story in demo.STORIES]
    pool = []
    for n in range(POOL):
        story = rng.choices(demo.STORIES, weights)[0]
        centre = rng.choice(centres) if story.centre else None
        values = {
            "el_centro": demo.with_article(centre.name) if centre else "",
            "del_centro": demo.with_article(centre.name, "de") if centre else "",
            "medicamento": rng.choice(MEDICAMENTOS),
            "servicio": rng.choice(SERVICIOS),
            "semanas": rng.randint(2, 8),
            "meses": rng.randint(3, 9),
            "avance": rng.choice((35, 48, 60, 72, 85)),
        }
        headline, summary = story.headline.format(**values), story.summary.format(**values)
        pool.append(
            (
                n,
                headline,
                summary,
                rules.search_text(headline, summary, ""),
                rules.search_stems(headline, summary, "").strip(),
                topics[story.topic],
                centre.pk if centre else None,
                story.authority,
                story.tone,
                story.spokesperson.format(**values),
            )
        )
    return pool


def secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'media_newsitem' "
        "AND indexname NOT LIKE '%%pkey'"
    )
    return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


def ensure_items(items: int, *, regenerate: bool) -> float | None:
    """The items, reused when the table holds that many; the seconds the load took, or None."""
    from django.db import connection, transaction
    from django.utils import timezone

    from enlace.demo.media import OUTLETS
    from enlace.media import rules
    from enlace.media.models import NewsItem, Outlet

    present = NewsItem.objects.count()
    if present == items and not regenerate:
        say(f"News items: {present:,} already there.")
        return None
    started = time.perf_counter()
    outlets = []
    for code, name, medium, _since in OUTLETS:
        outlet, _created = Outlet.objects.get_or_create(
            code=code, defaults={"name": name, "medium": medium}
        )
        outlets.append(outlet)
    pool = build_pool(random.Random(2016))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE media_newsitem")
        # The foreign keys checked at each statement, not at commit: no index can be built
        # over rows whose checks are still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        dropped = [
            (name, definition)
            for name, definition in secondary_indexes(cursor)
            if "news_case_uniq" not in name
        ]
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "CREATE TEMP TABLE bench_pool (n int PRIMARY KEY, headline text, summary text, "
            "folded text, stems text, topic_id bigint, dependency_id bigint, authority text, "
            "tone text, spokesperson text) ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO bench_pool VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", pool
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_outlet (n int PRIMARY KEY, id bigint, medium text, "
            "folded text, stems text) ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO bench_outlet VALUES (%s, %s, %s, %s, %s)",
            [
                (
                    n,
                    outlet.pk,
                    outlet.medium,
                    rules.search_text("", "", outlet.name),
                    rules.search_stems("", "", outlet.name).strip(),
                )
                for n, outlet in enumerate(outlets)
            ],
        )
        rare_text, rare_stem = rules.search_text(RARE, "", ""), rules.stems(RARE)[0]
        very_text, very_stem = rules.search_text(VERY_RARE, "", ""), rules.stems(VERY_RARE)[0]
        cursor.execute(
            """
            INSERT INTO media_newsitem (outlet_id, medium, published_on, headline, summary, url,
                topic_id, dependency_id, authority, tone, spokesperson, clip, clip_name,
                clip_type, clip_size, clip_sha256, case_id, registered_by_id, registered_at,
                search_text, search_stems)
            SELECT o.id, o.medium, d.day, p.headline, p.summary || x.extra, '', p.topic_id,
                p.dependency_id, p.authority, p.tone, p.spokesperson, '', '', '', NULL, '',
                NULL, NULL, d.day + interval '10 hours',
                p.folded || x.folded || ' ' || o.folded,
                ' ' || p.stems || x.stems || ' ' || o.stems || ' '
            FROM generate_series(1::bigint, %(items)s::bigint) g
            JOIN bench_pool p ON p.n = (g * 7919) %% %(pool)s
            JOIN bench_outlet o ON o.n = (g * 31) %% %(outlets)s
            CROSS JOIN LATERAL (SELECT %(start)s::date + (g %% %(days)s)::int AS day) d
            CROSS JOIN LATERAL (SELECT
                CASE WHEN g %% %(very_every)s = 3 THEN ' ' || %(very)s
                     WHEN g %% %(rare_every)s = 7 THEN ' ' || %(rare)s ELSE '' END AS extra,
                CASE WHEN g %% %(very_every)s = 3 THEN ' ' || %(very_text)s
                     WHEN g %% %(rare_every)s = 7 THEN ' ' || %(rare_text)s ELSE '' END AS folded,
                CASE WHEN g %% %(very_every)s = 3 THEN ' ' || %(very_stem)s
                     WHEN g %% %(rare_every)s = 7 THEN ' ' || %(rare_stem)s ELSE '' END AS stems
            ) x
            """,
            {
                "items": items,
                "pool": POOL,
                "outlets": len(outlets),
                "start": START.isoformat(),
                "days": (timezone.localdate() - START).days + 1,
                "rare": RARE,
                "rare_every": RARE_EVERY,
                "rare_text": rare_text,
                "rare_stem": rare_stem,
                "very": VERY_RARE,
                "very_every": VERY_RARE_EVERY,
                "very_text": very_text,
                "very_stem": very_stem,
            },
        )
        loaded = time.perf_counter() - started
        say(f"News items: {items:,} written ({loaded:.1f} s); building the indexes again.")
        for _name, definition in dropped:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE media_newsitem")
    seconds = time.perf_counter() - started
    say(f"Indexes built and table analysed ({seconds:.1f} s in all).")
    return seconds


# --- The measures ------------------------------------------------------------------------------
def bench_user() -> Any:
    from enlace.accounts.models import Role, User

    user, _created = User.objects.get_or_create(
        username="bench.media", defaults={"role": Role.COMMUNICATIONS}
    )
    return user


def searches() -> list[tuple[str, dict[str, Any]]]:
    from enlace.media.models import Outlet

    canal12 = Outlet.objects.get(code="canal-12").pk
    return [
        ("no word (browsing)", {}),
        ("common: derechohabientes", {"text": "derechohabientes"}),
        ("stem, no accent: hospitales", {"text": "hospitales"}),
        ("tenth: vacunacion", {"text": "vacunacion"}),
        ("two words: falta medicamentos", {"text": "falta medicamentos"}),
        (f"rare 1/1000: {RARE}", {"text": RARE}),
        (f"very rare 1/100000: {VERY_RARE}", {"text": VERY_RARE}),
        ("word + outlet: hospital, Canal 12", {"text": "hospital", "outlet_id": canal12}),
    ]


def where_of(filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and parameters the hand SQL uses for `filters`."""
    from enlace.media import rules
    from enlace.media.queries import COUNT_LIMIT, PAGE_SIZE

    conditions, params = [], {"config": CONFIG, "cap": COUNT_LIMIT + 1, "rows": PAGE_SIZE + 1}
    if filters.get("text"):
        conditions.append(MATCH)
        params["words"] = " ".join(rules.query_words(filters["text"]))
    if filters.get("outlet_id"):
        conditions.append("n.outlet_id = %(outlet)s")
        params["outlet"] = filters["outlet_id"]
    return (" AND ".join(conditions) or "TRUE"), params


def run(
    statements: list[str], params: dict[str, Any], *, on_gin: bool = False
) -> list[list[tuple[Any, ...]]]:
    """The statements, bare; `on_gin`: with plain index scans off, so that the words are
    found through the GIN index (a bitmap scan) rather than by walking the date index."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if on_gin:
            cursor.execute("SET LOCAL enable_indexscan = off")
        found = []
        for statement in statements:
            cursor.execute(statement, params)
            found.append(cursor.fetchall())
        return found


def measure(user: Any, label: str, filters: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enlace.media.queries import NewsFilters, filter_news_items, news_page, visible_news_items

    def app() -> Any:
        return news_page(filter_news_items(visible_news_items(user), NewsFilters(**filters)))

    where, params = where_of(filters)
    hand = [HAND_COUNT.format(where=where), HAND_ROWS.format(where=where)]
    floor = [HAND_COUNT.format(where=where), FLOOR_ROWS.format(where=where)]
    page = app()
    hand_rows = run(hand, params)
    assert [row[0] for row in hand_rows[1][: len(page.items)]] == [i.pk for i in page.items], label
    assert min(hand_rows[0][0][0], 1000) == page.count, label
    with CaptureQueriesContext(connection) as captured:
        app()
    rows_sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(MATCHES.format(where=where), params)
        matches = int(cursor.fetchone()[0])
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + rows_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    app_ms = median_ms(app, runs)
    hand_ms = median_ms(lambda: run(hand, params), runs)
    floor_ms = median_ms(lambda: run(floor, params), runs)
    gin_ms = (
        median_ms(lambda: run(floor, params, on_gin=True), runs) if filters.get("text") else None
    )
    best = min(floor_ms, gin_ms) if gin_ms is not None else floor_ms
    return {
        "search": label,
        "matches": matches,
        "queries": len(captured.captured_queries),
        "app_ms": app_ms,
        "hand_sql_ms": hand_ms,
        "floor_ms": floor_ms,
        "ratio_to_hand": app_ms / hand_ms,
        "ratio_to_floor": app_ms / floor_ms,
        "floor_on_gin_ms": gin_ms,
        "best_floor_ms": best,
        "ratio_to_best_floor": app_ms / best,
        "plan": plan,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each (9)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--plans", action="store_true", help="print every EXPLAIN")
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    load_seconds = ensure_items(args.items, regenerate=args.regenerate)
    user = bench_user()
    rows = [measure(user, label, filters, args.runs) for label, filters in searches()]
    say()
    say(
        f"{'search':<38}{'matches':>10}{'app ms':>9}{'hand ms':>9}{'floor ms':>10}"
        f"{'on GIN ms':>11}{'app/hand':>9}{'app/floor':>10}{'app/best':>9}"
    )
    for row in rows:
        gin = row["floor_on_gin_ms"]
        say(
            f"{row['search']:<38}{row['matches']:>10,}{row['app_ms']:>9.2f}"
            f"{row['hand_sql_ms']:>9.2f}{row['floor_ms']:>10.2f}"
            f"{(f'{gin:.2f}' if gin is not None else '-'):>11}{row['ratio_to_hand']:>9.2f}"
            f"{row['ratio_to_floor']:>10.2f}{row['ratio_to_best_floor']:>9.2f}"
        )
    judged = [
        row for row, (_label, filters) in zip(rows, searches(), strict=True) if filters.get("text")
    ]
    worst = max(judged, key=lambda row: row["ratio_to_best_floor"])
    slowest = max(rows, key=lambda row: row["app_ms"])
    for row in rows if args.plans else [slowest]:
        say()
        say(f"EXPLAIN of the app's rows query, {row['search']}:")
        say(row["plan"])
    say()
    verdict = "within" if worst["ratio_to_best_floor"] <= GOAL else "OVER"
    say(
        f"app / best floor, worst search: {worst['ratio_to_best_floor']:.2f} ({worst['search']}; "
        f"{verdict} the goal of {GOAL:g}x); queries per page: {rows[0]['queries']}."
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "items": args.items,
                "runs": args.runs,
                "load_seconds": load_seconds,
                "measures": [{k: v for k, v in row.items() if k != "plan"} for row in rows],
            },
            indent=2,
        )
    )
    return 0 if worst["ratio_to_best_floor"] <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
