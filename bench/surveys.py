"""Speed of a study's results at 100,000 responses x 10 questions (1,000,000 answers), on
PostgreSQL, beside hand-written SQL computing the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/surveys.py

(`make bench` runs exactly that.) It reuses bench/case_list.py for the database, the schema and
the reference data (not its cases), then, unless a study `bench-resultados` with that many
responses is already there (`--regenerate` makes it again):

- designs and publishes through the real actions a questionnaire of 10 questions, one of each
  kind that has figures (three 1-5 scales, the 0-10 recommendation, the Friends and Family
  question, two yes / no / n.a., a single choice, a number of minutes, a comment), and opens a
  study of it at 10 care centres (target 10,000 each);
- writes `--responses` responses (default 100,000) in one INSERT ... SELECT over
  generate_series (2 % rejected on review, spread over the study's days and centres) and their
  answers, one per question, in a second (values drawn by setseed'ed random()).

Then it times, medians of `--runs` (7) after a warm-up:

- `study_results()` (enlace/surveys/results.py): the query layer behind the page, the PDF, the
  XLSX and the JSON, its figures assembled in Python from the aggregated rows;
- the hand SQL as a person writes it in psql: the responses per centre, each question's
  distribution per centre (GROUP BY value), and the figures per question and centre with
  FILTER (CSAT, promoters and detractors, FFT positive and negative, yes and no, sums of x and
  x^2), run bare on the same connection;
- the least hand SQL that gives every figure: the responses per centre, one GROUP BY (question,
  centre, value) of the answers with fixed values, the numbers' sums, the texts' counts.

It first checks that the hand SQL gives the result's figures (CSAT, NPS, FFT, % yes, the mean
of the number), prints both ratios (goal: the results within 2x of the hand SQL) and, with
`--try-index`, measures all three again with a covering index on the answers created for the
run and dropped after it (models.py is not changed here), and `EXPLAIN (ANALYZE, BUFFERS)` of
the main GROUP BY. Results go to bench/results/surveys.json. It refuses SQLite (exit status 2).
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
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "surveys.json"
GOAL = 2.0
STUDY_NAME = "bench-resultados"
INSTRUMENT_CODE = "bench-satisfaccion"
CENTRES = 10
# (code, kind, extra) of the 10 questions.
QUESTIONS = [
    ("trato", "scale"),
    ("limpieza", "scale"),
    ("tiempo", "scale"),
    ("recomienda", "nps"),
    ("experiencia", "fft"),
    ("resuelto", "yes_no"),
    ("informado", "yes_no"),
    ("servicio", "single"),
    ("espera", "number"),
    ("comentario", "long_text"),
]
INDEX = "bench_answer_question_cover"
# What counts (counted_responses_q for a study without review).
COUNTED = "r.study_id = %(study)s AND r.status = 'submitted' AND r.review_state <> 'rejected'"
HAND_SQL = {
    "responses_by_centre": f"""
        SELECT r.dependency_id, COUNT(*) FROM surveys_response r WHERE {COUNTED}
        GROUP BY r.dependency_id""",  # noqa: S608 - module constants only
    "distributions": f"""
        SELECT a.question_id, r.dependency_id, a.choice, a.number, COUNT(*)
        FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
        WHERE {COUNTED} AND a.question_id = ANY(%(discrete)s)
        GROUP BY a.question_id, r.dependency_id, a.choice, a.number""",  # noqa: S608
    "figures": f"""
        SELECT a.question_id, r.dependency_id, COUNT(*),
               SUM(a.number), SUM(a.number * a.number),
               COUNT(*) FILTER (WHERE a.question_id = ANY(%(scales)s) AND a.number >= 4),
               COUNT(*) FILTER (WHERE a.question_id = ANY(%(nps)s) AND a.number >= 9),
               COUNT(*) FILTER (WHERE a.question_id = ANY(%(nps)s) AND a.number <= 6),
               COUNT(*) FILTER (WHERE a.choice IN ('very_good', 'good')),
               COUNT(*) FILTER (WHERE a.choice IN ('poor', 'very_poor')),
               COUNT(*) FILTER (WHERE a.choice = 'yes'),
               COUNT(*) FILTER (WHERE a.choice = 'no')
        FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
        WHERE {COUNTED} AND a.question_id = ANY(%(figures)s)
        GROUP BY a.question_id, r.dependency_id""",  # noqa: S608
    "texts": f"""
        SELECT a.question_id, r.dependency_id, COUNT(DISTINCT a.response_id)
        FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
        WHERE {COUNTED} AND a.question_id = ANY(%(texts)s)
        GROUP BY a.question_id, r.dependency_id""",  # noqa: S608
}
# The least SQL that gives every figure: the distributions hold the counts behind CSAT, NPS,
# FFT and yes/no; the numbers need their sums.
MINIMAL_SQL = [
    HAND_SQL["responses_by_centre"],
    HAND_SQL["distributions"],
    f"""
        SELECT a.question_id, r.dependency_id, COUNT(*), SUM(a.number), SUM(a.number * a.number)
        FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
        WHERE {COUNTED} AND a.question_id = ANY(%(numbers)s) AND a.number IS NOT NULL
        GROUP BY a.question_id, r.dependency_id""",  # noqa: S608
    HAND_SQL["texts"],
]


def say(message: str = "") -> None:
    print(message, flush=True)


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: plans cached, pages in memory, as for results asked twice
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_sql(statements: list[str], params: dict[str, Any]) -> list[list[tuple[Any, ...]]]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = []
        for statement in statements:
            cursor.execute(statement, params)
            found.append(cursor.fetchall())
        return found


# --- Data --------------------------------------------------------------------------------------
def build_study(responses: int, *, regenerate: bool) -> Any:
    """The study and its responses: reused when already there with that many responses."""
    from django.db import connection, transaction
    from django.utils import timezone

    from enlace.accounts.models import Role, User
    from enlace.directory.models import Dependency
    from enlace.surveys.actions import design, studies
    from enlace.surveys.models import (
        Answer,
        Instrument,
        InstrumentKind,
        QuestionKind,
        Response,
        Study,
        StudyEvent,
        StudyKind,
        StudyMethod,
    )

    study = Study.objects.filter(name=STUDY_NAME).first()
    if study is not None and not regenerate and study.responses.count() == responses:
        say(f"Study {STUDY_NAME}: {responses:,} responses already there.")
        return study
    started = time.perf_counter()
    if study is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM surveys_answer a USING surveys_response r "
                "WHERE r.id = a.response_id AND r.study_id = %s",
                [study.pk],
            )
        Response.objects.filter(study=study).delete()
        StudyEvent.objects.filter(study=study).delete()
        study.centres.all().delete()
        study.delete()
    user, _created = User.objects.get_or_create(
        username="bench.surveys", defaults={"role": Role.RESOLUTION}
    )
    instrument = Instrument.objects.filter(code=INSTRUMENT_CODE).first()
    if instrument is None:
        instrument = design.do_create_instrument(
            name="Satisfacción (bench)",
            kind=InstrumentKind.QUESTIONNAIRE,
            code=INSTRUMENT_CODE,
            acting_user=user,
        )
        version = instrument.versions.get()
        section = version.sections.get()
        for code, kind in QUESTIONS:
            options = (
                [("consulta", "Consulta"), ("farmacia", "Farmacia"), ("laboratorio", "Lab")]
                if kind == QuestionKind.SINGLE
                else []
            )
            design.do_save_question(
                version,
                design.QuestionSpec(
                    section=section, code=code, text=code, kind=kind, options=options
                ),
            )
        design.do_publish_version(version, acting_user=user)
    version = instrument.versions.get(status="published")
    centres = list(
        Dependency.objects.filter(kind="care_centre", is_active=True).order_by("code")[:CENTRES]
    )
    today = timezone.localdate()
    plan = studies.StudyPlan(
        name=STUDY_NAME,
        kind=StudyKind.SATISFACTION,
        version=version,
        method=StudyMethod.LINK,
        period_start=today.replace(day=1).replace(month=1),
        period_end=today.replace(month=12, day=31),
        centres=[(centre, responses // CENTRES) for centre in centres],
    )
    study = studies.do_start_fieldwork(
        studies.do_create_study(plan, acting_user=user), acting_user=user
    )
    ids = [centre.pk for centre in centres]
    questions = dict(version.questions.values_list("code", "id"))
    days = (plan.period_end - plan.period_start).days + 1
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.16)")
        cursor.execute(
            """
            INSERT INTO surveys_response (study_id, version_id, dependency_id, mode, status,
                review_state, review_note, device_key, idempotency_key, started_at,
                submitted_at, day, updated_at)
            SELECT %(study)s, %(version)s, (%(centres)s::bigint[])[1 + g %% %(n)s], 'link',
                'submitted', CASE WHEN g %% 50 = 0 THEN 'rejected' ELSE 'received' END, '', '',
                '', t, t, t::date, t
            FROM generate_series(1, %(responses)s) g,
                LATERAL (SELECT %(start)s::timestamptz
                    + ((g * 7919) %% (%(days)s * 86400)) * interval '1 second' AS t) moment
            """,
            {
                "study": study.pk,
                "version": version.pk,
                "centres": ids,
                "n": len(ids),
                "responses": responses,
                "start": plan.period_start.isoformat(),
                "days": days,
            },
        )
        q = questions
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, choice, number, date, text,
                photo)
            SELECT r.id, q.id,
                CASE q.code
                    WHEN 'experiencia' THEN (ARRAY['very_good', 'very_good', 'good', 'good',
                        'good', 'neutral', 'poor', 'very_poor', 'dont_know'])
                        [(1 + floor(x * 9))::int]
                    WHEN 'resuelto' THEN (ARRAY['yes', 'yes', 'yes', 'no', 'na'])
                        [(1 + floor(x * 5))::int]
                    WHEN 'informado' THEN (ARRAY['yes', 'no', 'na'])[(1 + floor(x * 3))::int]
                    WHEN 'servicio' THEN (ARRAY['consulta', 'farmacia', 'laboratorio'])
                        [(1 + floor(x * 3))::int]
                    ELSE '' END,
                CASE q.kind
                    WHEN 'scale' THEN 1 + floor(sqrt(x) * 5)
                    WHEN 'nps' THEN floor(sqrt(x) * 11)
                    WHEN 'number' THEN round((5 + x * 115)::numeric, 2)
                    END,
                NULL,
                CASE WHEN q.kind = 'long_text' THEN 'Comentario número ' || r.id ELSE '' END,
                ''
            FROM surveys_response r
            CROSS JOIN surveys_question q
            CROSS JOIN LATERAL (SELECT random() + 0 * r.id + 0 * q.id AS x) draw
            WHERE r.study_id = %(study)s AND q.version_id = %(version)s
            """,
            {"study": study.pk, "version": version.pk},
        )
        del q
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE surveys_response")
        cursor.execute("VACUUM ANALYZE surveys_answer")
    answers = Answer.objects.filter(response__study=study).count()
    say(
        f"Study {STUDY_NAME}: {responses:,} responses and {answers:,} answers written "
        f"({time.perf_counter() - started:.1f} s)."
    )
    return study


# --- The check: the hand SQL gives the result's figures ----------------------------------------
def check_same_figures(results: dict[str, Any], params: dict[str, Any]) -> None:
    from enlace.surveys.models import Question
    from enlace.surveys.results import decimal, nps_interval, percent

    by_centre, _distributions, figures, _texts = run_sql(list(HAND_SQL.values()), params)
    assert sum(n for _d, n in by_centre) == results["responses"]["count"], "responses differ"
    totals: dict[int, list[Any]] = {}
    for question_id, _centre, *values in figures:
        row = totals.setdefault(question_id, [0] * len(values))
        for i, value in enumerate(values):
            row[i] += value or 0
    code_of = dict(Question.objects.filter(id__in=totals).values_list("id", "code"))
    found = {code_of[qid]: row for qid, row in totals.items()}
    shown = {question["code"]: question["figures"] for question in results["questions"]}
    n, s1, _s2, csat, *_rest = found["trato"]
    assert percent(csat, n) == shown["trato"]["csat"], "CSAT differs"
    assert decimal(Decimal(s1) / n) == shown["trato"]["mean"], "mean differs"
    n, _s1, _s2, _c, promoters, detractors, *_rest = found["recomienda"]
    assert decimal(nps_interval(promoters, detractors, n)[0]) == shown["recomienda"]["nps"]
    n, *_middle, positive, negative, _y, _no = found["experiencia"]
    assert percent(positive, n) == shown["experiencia"]["positive"], "FFT differs"
    assert percent(negative, n) == shown["experiencia"]["negative"], "FFT differs"
    *_head, yes, no = found["resuelto"]
    assert percent(yes, yes + no) == shown["resuelto"]["yes"], "% yes differs"
    n, s1, *_rest = found["espera"]
    assert decimal(Decimal(s1) / n) == shown["espera"]["mean"], "number's mean differs"


def explain(params: dict[str, Any]) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + HAND_SQL["distributions"], params)
        return "\n".join(row[0] for row in cursor.fetchall())


def question_params(study: Any) -> dict[str, Any]:
    """The study and its questions' ids by kind, as the hand SQL names them (a person reads
    them once from surveys_question, as study_results() does)."""
    from enlace.surveys.models import Question

    kinds: dict[str, list[int]] = {}
    for question_id, kind in Question.objects.filter(version_id=study.version_id).values_list(
        "id", "kind"
    ):
        kinds.setdefault(kind, []).append(question_id)

    def of(*names: str) -> list[int]:
        return [pk for name in names for pk in kinds.get(name, [])]

    return {
        "study": study.pk,
        "discrete": of("scale", "nps", "fft", "yes_no", "single", "multiple"),
        "scales": of("scale"),
        "nps": of("nps"),
        "figures": of("scale", "nps", "fft", "yes_no", "number"),
        "numbers": of("number"),
        "texts": of("short_text", "long_text", "date", "photo"),
    }


def explain_sql(statement: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(study: Any, runs: int, params: dict[str, Any]) -> dict[str, float]:
    from enlace.surveys.results import study_results

    results_ms = median_ms(functools.partial(study_results, study), runs)
    hand_ms = median_ms(functools.partial(run_sql, list(HAND_SQL.values()), params), runs)
    minimal_ms = median_ms(functools.partial(run_sql, MINIMAL_SQL, params), runs)
    return {
        "results_ms": results_ms,
        "hand_sql_ms": hand_ms,
        "ratio": results_ms / hand_ms,
        "minimal_sql_ms": minimal_ms,
        "ratio_to_minimal": results_ms / minimal_ms,
    }


def show(label: str, row: dict[str, float]) -> None:
    say(
        f"{label:<22}{row['results_ms']:>11.0f}{row['hand_sql_ms']:>13.0f}{row['ratio']:>7.2f}"
        f"{row['minimal_sql_ms']:>15.0f}{row['ratio_to_minimal']:>7.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (7)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--try-index", action="store_true", help="measure again with a covering index"
    )
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    study = build_study(args.responses, regenerate=args.regenerate)

    from django.db import connection, reset_queries

    from enlace.surveys.results import study_results

    params = question_params(study)
    results = study_results(study)
    check_same_figures(results, params)
    say("The hand SQL gives the result's figures.")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        study_results(study)
    queries = [query["sql"] for query in captured.captured_queries]
    slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))["sql"]
    reset_queries()
    answers = sum(q["n"] for q in results["questions"])
    say(
        f"{results['responses']['count']:,} counted responses, {answers:,} counted answers; "
        f"study_results() makes {len(queries)} queries."
    )
    say()
    say(
        f"{'':<22}{'results ms':>11}{'hand SQL ms':>13}{'ratio':>7}{'least SQL ms':>15}{'ratio':>7}"
    )
    rows = {"as is": measure(study, args.runs, params)}
    show("as is", rows["as is"])
    plan = explain(params)
    if args.try_index:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX {INDEX} ON surveys_answer (question_id) "
                "INCLUDE (response_id, choice, number)"
            )
            cursor.execute("VACUUM ANALYZE surveys_answer")
        try:
            rows["covering index"] = measure(study, args.runs, params)
            show("covering index", rows["covering index"])
            plan_with_index = explain(params)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        say()
        say("EXPLAIN of the distributions' GROUP BY, with the covering index:")
        say(plan_with_index)
    say()
    say("EXPLAIN of the distributions' GROUP BY, as is:")
    say(plan)
    say()
    say("EXPLAIN of study_results()'s slowest statement:")
    say(explain_sql(slowest))
    worst = rows["as is"]["ratio"]
    verdict = "within" if worst <= GOAL else "OVER"
    say(f"results / hand SQL: {worst:.2f} ({verdict} the goal of {GOAL:g}x)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "responses": args.responses,
                "counted_responses": results["responses"]["count"],
                "runs": args.runs,
                "queries": len(queries),
                "measures": rows,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
