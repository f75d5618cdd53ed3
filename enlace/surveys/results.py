"""The results of a study as one dict of figures, computed in SQL.

Every figure comes from a handful of GROUP BY queries over the answers joined to the responses
that count (`counted_responses_q`: submitted, not rejected, accepted where the study requires
review):

- the answers of the questions with a fixed set of values (scale, 0-10, Friends and Family,
  yes / no, single and multiple choice) counted per question, centre and value: the
  distributions, and from their counts the sums of x and x^2 of the scales (means and their
  intervals), the shares of 4-5 (CSAT), of promoters and detractors (NPS), of "very good" and
  "good" (FFT), of "yes" (a checklist's compliance);
- the numbers (NUMBER questions): COUNT, SUM(x) and SUM(x*x) per question and centre (SQLite
  has no STDDEV, so the variance is computed from these sums);
- the other questions (text, date, photo) and the multiple choices: the responses that answered
  them, COUNT(DISTINCT response) per question and centre;
- the checklists: each response's score (weight of the items answered yes over the weight of
  those answered yes or no) and its failed critical items in a subquery, summed per centre;
- the responses per centre against the sample target.

Python only assembles these aggregated rows (a few per question and centre: never one per
answer) into the result's shape and computes the intervals. Every cell (a question's figures
for a centre, a level of care or the whole study) carries `n`, `suppressed` (fewer than
`SUPPRESS_BELOW` answers: the figures are None, to protect the respondents) and `unreliable`
(fewer than `UNRELIABLE_BELOW`). A mystery-shopper round or a monitoring visit is the unit's own
evaluation of a centre, with no respondent to protect: its figures are never suppressed
(`suppress_below`), only flagged. Keys are stable codes; labels are in the request's language.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from enlace.directory.models import LevelOfCare
from enlace.surveys.models import (
    FFT_NEGATIVE,
    FFT_POSITIVE,
    TEXT_KINDS,
    Answer,
    FriendsAndFamily,
    Option,
    Question,
    QuestionKind,
    Response,
    Study,
    StudyCentre,
    StudyKind,
    StudyStatus,
    YesNo,
    counted_responses_q,
)

SUPPRESS_BELOW = 5  # a figure from fewer answers is not shown (privacy)
UNRELIABLE_BELOW = 30  # a figure from fewer answers is flagged as unreliable
Z = 1.96  # the normal's 97.5th percentile: 95% intervals
# Student's t, 97.5th percentile, by degrees of freedom (1 to 28); from n = 30 on, Z.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
)  # fmt: skip
HUNDREDTH = Decimal("0.01")
SCALE_VALUES = tuple(range(1, 6))
NPS_VALUES = tuple(range(11))
CSAT_FROM = 4  # satisfied: 4 or 5 on the 1-5 scale
PROMOTERS_FROM = 9  # 9-10 promoters, 0-6 detractors
DETRACTORS_TO = 6
# The kinds whose answers have a fixed list of values, counted per value.
DISCRETE_KINDS = frozenset(
    {
        QuestionKind.SCALE,
        QuestionKind.NPS,
        QuestionKind.FFT,
        QuestionKind.YES_NO,
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
    }
)
# The figure a question's kind is summed up by (the headline of a cross-tabulation).
HEADLINE = {
    QuestionKind.SCALE: "csat",
    QuestionKind.NPS: "nps",
    QuestionKind.FFT: "positive",
    QuestionKind.YES_NO: "yes",
    QuestionKind.NUMBER: "mean",
}
# What each headline figure is called on the page and in the files.
HEADLINE_NAMES = {
    "csat": gettext_lazy("CSAT (% answering 4 or 5)"),
    "nps": gettext_lazy("NPS (% promoters - % detractors)"),
    "positive": gettext_lazy("% positive (very good or good)"),
    "yes": gettext_lazy("% yes (of yes and no)"),
    "mean": gettext_lazy("Mean"),
}


# --- Small statistics --------------------------------------------------------------------------
def decimal(value: float | Decimal | None) -> str | None:
    """A figure as text with two decimals (half up), as every rendering prints it."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> str | None:
    """`part` as a percentage of `whole`, two decimals, exact (None of nothing)."""
    if not whole:
        return None
    return decimal(Decimal(part * 100) / Decimal(whole))


def t_critical(n: int) -> float:
    """The two-sided 95% critical value for a mean of n values: Student's t below 30, Z on."""
    if n >= 30:
        return Z
    return T_975[max(n - 1, 1) - 1]


def mean_interval(n: int, s1: float, s2: float) -> tuple[float, float, float] | None:
    """Mean and its 95% interval from n, the sum of x and the sum of x^2."""
    if n < 2:
        return None
    mean = s1 / n
    variance = max((s2 - s1 * s1 / n) / (n - 1), 0.0)
    half = t_critical(n) * math.sqrt(variance / n)
    return mean, mean - half, mean + half


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson interval of a proportion k/n, in percent."""
    p = k / n
    denominator = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denominator
    half = Z / denominator * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(centre - half, 0.0) * 100, min(centre + half, 1.0) * 100


def nps_interval(promoters: int, detractors: int, n: int) -> tuple[float, float, float]:
    """NPS (% promoters - % detractors) and its 95% interval: the variance of the +1/0/-1
    score is p_p + p_d - (p_p - p_d)^2."""
    pp, pd = promoters / n, detractors / n
    score = pp - pd
    se = math.sqrt(max(pp + pd - score * score, 0.0) / n)
    return score * 100, (score - Z * se) * 100, (score + Z * se) * 100


# --- Cells: what was counted for a question in one centre, level or the whole study ----------
@dataclass
class Cell:
    n: int = 0  # answers (responses that answered the question)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # value -> answers
    s1: float = 0.0  # NUMBER questions: sum of x
    s2: float = 0.0  # and of x^2

    def add(self, other: Cell) -> None:
        self.n += other.n
        for value, count in other.counts.items():
            self.counts[value] += count
        self.s1 += other.s1
        self.s2 += other.s2


def number_key(value: Decimal | float | None) -> str:
    """A number's value as a distribution's key ("4", "10")."""
    if value is None:
        return ""
    return str(int(Decimal(str(value))))


def figures(kind: str, cell: Cell) -> dict[str, Any]:
    """The figures of a question's kind for one cell (all None while suppressed)."""
    counts, n = cell.counts, cell.n
    if kind == QuestionKind.SCALE:
        s1 = sum(int(v) * c for v, c in counts.items())
        s2 = sum(int(v) ** 2 * c for v, c in counts.items())
        satisfied = sum(c for v, c in counts.items() if int(v) >= CSAT_FROM)
        mean = mean_interval(n, s1, s2) if n else None
        low, high = wilson(satisfied, n) if n else (None, None)
        return {
            "csat": percent(satisfied, n),
            "csat_low": decimal(low),
            "csat_high": decimal(high),
            "mean": decimal(s1 / n) if n else None,
            "mean_low": decimal(mean[1]) if mean else None,
            "mean_high": decimal(mean[2]) if mean else None,
        }
    if kind == QuestionKind.NPS:
        promoters = sum(c for v, c in counts.items() if int(v) >= PROMOTERS_FROM)
        detractors = sum(c for v, c in counts.items() if int(v) <= DETRACTORS_TO)
        nps = nps_interval(promoters, detractors, n) if n else None
        return {
            "nps": decimal(nps[0]) if nps else None,
            "nps_low": decimal(nps[1]) if nps else None,
            "nps_high": decimal(nps[2]) if nps else None,
            "promoters": percent(promoters, n),
            "passives": percent(n - promoters - detractors, n),
            "detractors": percent(detractors, n),
        }
    if kind == QuestionKind.FFT:
        positive = sum(counts.get(v, 0) for v in FFT_POSITIVE)
        negative = sum(counts.get(v, 0) for v in FFT_NEGATIVE)
        # As NHS England computes it: "don't know" stays in the denominator.
        return {"positive": percent(positive, n), "negative": percent(negative, n)}
    if kind == QuestionKind.YES_NO:
        yes, no = counts.get(YesNo.YES, 0), counts.get(YesNo.NO, 0)
        return {"yes": percent(yes, yes + no), "answered_yes_or_no": yes + no}
    if kind == QuestionKind.NUMBER:
        mean = mean_interval(n, cell.s1, cell.s2) if n else None
        return {
            "mean": decimal(cell.s1 / n) if n else None,
            "mean_low": decimal(mean[1]) if mean else None,
            "mean_high": decimal(mean[2]) if mean else None,
        }
    return {}


def suppress_below(kind: str) -> int:
    """The fewest answers a figure of a study of this kind is shown from: citizens' answers
    are protected; staff's evaluations of a centre (mystery shopper, visits) are not people's
    answers about themselves, and a centre's few visits must be seen."""
    return SUPPRESS_BELOW if kind == StudyKind.SATISFACTION else 1


def _blank(values: dict[str, Any]) -> dict[str, Any]:
    return dict.fromkeys(values)


def cell_out(
    kind: str, cell: Cell, values: list[tuple[str, str]], floor: int = SUPPRESS_BELOW
) -> dict[str, Any]:
    """A cell as the result shows it: n, the flags, the figures and the distribution (each
    value's count and share), the figures None and the distribution empty while suppressed
    (fewer than `floor` answers)."""
    suppressed = cell.n < floor
    shown = figures(kind, cell)
    distribution = [
        {
            "value": value,
            "label": label,
            "count": cell.counts.get(value, 0),
            "percent": percent(cell.counts.get(value, 0), cell.n),
        }
        for value, label in values
    ]
    return {
        "n": cell.n,
        "suppressed": suppressed,
        "unreliable": not suppressed and cell.n < UNRELIABLE_BELOW,
        "figures": _blank(shown) if suppressed else shown,
        "distribution": [] if suppressed else distribution,
    }


# --- The query layer ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """Which responses count in a result: the centres the user may see (None: all), one centre
    picked, one level of care, and days within the study's period."""

    dependency_ids: list[int] | None = None
    level_of_care: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "level_of_care": self.level_of_care or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


def counted_responses(study: Study, filters: Filters) -> QuerySet[Response]:
    responses = Response.objects.filter(counted_responses_q(), study=study)
    return _narrow(responses, filters, "")  # type: ignore[no-any-return]


def _narrow(queryset: Any, filters: Filters, prefix: str) -> Any:
    p = prefix
    if filters.dependency_ids is not None:
        queryset = queryset.filter(**{f"{p}dependency_id__in": filters.dependency_ids})
    if filters.level_of_care:
        queryset = queryset.filter(**{f"{p}dependency__level_of_care": filters.level_of_care})
    if filters.date_from:
        queryset = queryset.filter(**{f"{p}day__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{p}day__lte": filters.date_to})
    return queryset


def counted_answers(study: Study, filters: Filters) -> QuerySet[Answer]:
    """The answers of the responses that count, as a join (not IN): one pass over answers."""
    answers = Answer.objects.filter(counted_responses_q("response__"), response__study=study)
    return _narrow(answers, filters, "response__")  # type: ignore[no-any-return]


def value_labels(question: Question, options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every value a question's answer can take, in order, with its label."""
    if question.kind == QuestionKind.SCALE:
        labels = {1: question.low_label, 5: question.high_label}
        return [
            (str(v), f"{v} {labels[v]}".strip() if v in labels else str(v)) for v in SCALE_VALUES
        ]
    if question.kind == QuestionKind.NPS:
        return [(str(v), str(v)) for v in NPS_VALUES]
    if question.kind == QuestionKind.FFT:
        return [(str(v), str(label)) for v, label in FriendsAndFamily.choices]
    if question.kind == QuestionKind.YES_NO:
        return [(str(v), str(label)) for v, label in YesNo.choices]
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return options
    return []


def _cells(
    study: Study, filters: Filters, questions: list[Question]
) -> dict[tuple[int, int], Cell]:
    """(question id, centre id) -> Cell, from three GROUP BY queries."""
    answers = counted_answers(study, filters)
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    discrete = [q.pk for q in questions if q.kind in DISCRETE_KINDS]
    numbers = [q.pk for q in questions if q.kind == QuestionKind.NUMBER]
    multiple = {q.pk for q in questions if q.kind == QuestionKind.MULTIPLE}
    # Responses that answered (one per response, whatever the number of rows it has).
    distinct = [
        q.pk for q in questions if q.pk in multiple or q.kind not in DISCRETE_KINDS | {"number"}
    ]
    if discrete:
        rows = (
            answers.filter(question_id__in=discrete)
            .values_list("question_id", "response__dependency_id", "choice", "number")
            .annotate(count=Count("id"))
            .order_by()
        )
        for question_id, dependency_id, choice, number, count in rows:
            cell = cells[(question_id, dependency_id)]
            cell.counts[choice or number_key(number)] += count
            if question_id not in multiple:
                cell.n += count
    if numbers:
        rows = (
            answers.filter(question_id__in=numbers, number__isnull=False)
            .values_list("question_id", "response__dependency_id")
            .annotate(
                count=Count("id"),
                s1=Sum("number"),
                s2=Sum(F("number") * F("number"), output_field=DecimalField()),
            )
            .order_by()
        )
        for question_id, dependency_id, count, s1, s2 in rows:
            cell = cells[(question_id, dependency_id)]
            cell.n += count
            cell.s1 += float(s1 or 0)
            cell.s2 += float(s2 or 0)
    if distinct:
        rows = (
            answers.filter(question_id__in=distinct)
            .values_list("question_id", "response__dependency_id")
            .annotate(count=Count("response_id", distinct=True))
            .order_by()
        )
        for question_id, dependency_id, count in rows:
            cells[(question_id, dependency_id)].n += count
    return cells


def _centres(study: Study, filters: Filters) -> list[dict[str, Any]]:
    """The study's centres within the filters, with their targets and counted responses."""
    centres = StudyCentre.objects.filter(study=study)
    if filters.dependency_ids is not None:
        centres = centres.filter(dependency_id__in=filters.dependency_ids)
    if filters.level_of_care:
        centres = centres.filter(dependency__level_of_care=filters.level_of_care)
    counts = dict(
        counted_responses(study, filters)
        .values_list("dependency_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return [
        {
            "id": dependency_id,
            "code": code,
            "name": name,
            "level_of_care": level,
            "count": counts.get(dependency_id, 0),
            "target": target,
            "rate": percent(counts.get(dependency_id, 0), target),
        }
        for dependency_id, code, name, level, target in centres.order_by(
            "dependency__name"
        ).values_list(
            "dependency_id",
            "dependency__code",
            "dependency__name",
            "dependency__level_of_care",
            "target",
        )
    ]


def questions_of(study: Study) -> tuple[list[Question], dict[int, list[tuple[str, str]]]]:
    questions = list(
        Question.objects.filter(version_id=study.version_id)
        .select_related("section")
        .order_by("section__position", "position", "id")
    )
    options: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for question_id, value, label in (
        Option.objects.filter(question__version_id=study.version_id)
        .order_by("question_id", "position", "id")
        .values_list("question_id", "value", "label")
    ):
        options[question_id].append((value, label))
    return questions, options


def _levels(centres: list[dict[str, Any]]) -> list[tuple[str, str]]:
    present = {centre["level_of_care"] for centre in centres}
    return [(str(code), str(label)) for code, label in LevelOfCare.choices if code in present]


def study_results(study: Study, filters: Filters | None = None) -> dict[str, Any]:
    """The figures of `study` within `filters` (the caller applies the user's scope through
    `filters.dependency_ids`). A constant number of queries, whatever the number of answers."""
    filters = filters or Filters()
    questions, options = questions_of(study)
    centres = _centres(study, filters)
    cells = _cells(study, filters, questions)
    levels = _levels(centres)
    total_count = sum(centre["count"] for centre in centres)
    total_target = sum(centre["target"] for centre in centres)
    floor = suppress_below(study.kind)

    result_questions = []
    for question in questions:
        values = value_labels(question, options.get(question.pk, []))
        by_level: dict[str, Cell] = defaultdict(Cell)
        whole = Cell()
        by_centre = []
        for centre in centres:
            cell = cells.get((question.pk, centre["id"]), Cell())
            whole.add(cell)
            by_level[centre["level_of_care"]].add(cell)
            by_centre.append(
                {"code": centre["code"], "name": centre["name"]}
                | cell_out(question.kind, cell, values, floor)
            )
        result_questions.append(
            {
                "code": question.code,
                "text": question.text,
                "kind": question.kind,
                "section": question.section.title,
                "headline": HEADLINE.get(question.kind),  # type: ignore[call-overload]
                "weight": decimal(question.weight) if question.weight is not None else None,
                "critical": question.critical,
                **cell_out(question.kind, whole, values, floor),
                "by_centre": by_centre,
                "by_level_of_care": [
                    {"code": code, "name": name}
                    | cell_out(question.kind, by_level[code], values, floor)
                    for code, name in levels
                ],
            }
        )
    return {
        "study": {
            "id": study.pk,
            "name": study.name,
            "kind": study.kind,
            "status": study.status,
            "method": study.method,
            "continuous": study.continuous,
            "requires_review": study.requires_review,
            "period": {
                "from": study.period_start.isoformat(),
                "to": study.period_end.isoformat(),
            },
            "instrument": study.version.instrument.code,
            "instrument_kind": study.version.instrument.kind,
            "version": study.version.number,
        },
        "filters": filters.as_dict(),
        "thresholds": {"suppress_below": floor, "unreliable_below": UNRELIABLE_BELOW},
        "responses": {
            "count": total_count,
            "target": total_target,
            "rate": percent(total_count, total_target),
            "by_centre": [{k: v for k, v in c.items() if k != "id"} for c in centres],
            "by_level_of_care": [
                {
                    "code": code,
                    "name": name,
                    "count": sum(c["count"] for c in centres if c["level_of_care"] == code),
                    "target": sum(c["target"] for c in centres if c["level_of_care"] == code),
                }
                for code, name in levels
            ],
        },
        "questions": result_questions,
        "checklist": (
            _checklist(study, filters, centres, floor)
            if study.version.instrument.is_checklist
            else None
        ),
    }


# --- Checklists --------------------------------------------------------------------------------
def _score_cell(
    floor: int, count: int, scored: int, s1: float, s2: float, failed: int, critical_no: int
) -> dict[str, Any]:
    suppressed = count < floor
    mean = mean_interval(scored, s1, s2) if scored else None
    shown = {
        "mean_score": decimal(s1 * 100 / scored) if scored else None,
        # A score lies between 0 and 100: so does its interval.
        "mean_score_low": decimal(max(mean[1], 0.0) * 100) if mean else None,
        "mean_score_high": decimal(min(mean[2], 1.0) * 100) if mean else None,
        "failed": failed,
        "failed_percent": percent(failed, count),
        "critical_items_failed": critical_no,
    }
    return {
        "evaluations": count,
        "scored": scored,
        "suppressed": suppressed,
        "unreliable": not suppressed and count < UNRELIABLE_BELOW,
        **(_blank(shown) if suppressed else shown),
    }


def _checklist(
    study: Study, filters: Filters, centres: list[dict[str, Any]], floor: int
) -> dict[str, Any]:
    """Each response's score (weight answered yes over weight answered yes or no, "not
    applicable" left out) and whether a critical item was answered no (the evaluation fails,
    its score still shown), in a subquery; summed per centre by the outer query."""
    yes_no = Q(question__kind=QuestionKind.YES_NO, question__weight__isnull=False)
    weight = F("question__weight")
    per_response = (
        counted_answers(study, filters)
        .filter(yes_no)
        .values("response_id", dep=F("response__dependency_id"))
        .annotate(
            yes_weight=Coalesce(
                Sum(Case(When(choice=YesNo.YES, then=weight), output_field=DecimalField())),
                Decimal(0),
                output_field=DecimalField(),
            ),
            answered_weight=Sum(
                Case(When(choice__in=(YesNo.YES, YesNo.NO), then=weight)),
                output_field=DecimalField(),
            ),
            critical_no=Sum(
                Case(
                    When(question__critical=True, choice=YesNo.NO, then=1),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by()
    )
    inner, params = per_response.query.sql_with_params()
    # The score as a fraction, in floating point on both databases.
    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    score = f"(CAST(s.yes_weight AS {real}) / CAST(s.answered_weight AS {real}))"
    sql = f"""
        SELECT s.dep, COUNT(*), COUNT(s.answered_weight),
               SUM({score}), SUM({score} * {score}),
               SUM(CASE WHEN s.critical_no > 0 THEN 1 ELSE 0 END), SUM(s.critical_no)
        FROM ({inner}) s GROUP BY s.dep"""  # noqa: S608 - the ORM's own SQL, with its params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    by_centre = []
    totals = [0, 0, 0.0, 0.0, 0, 0]
    for centre in centres:
        count, scored, s1, s2, failed, critical_no = rows.get(centre["id"], (0, 0, 0, 0, 0, 0))
        values = [
            count,
            scored,
            float(s1 or 0),
            float(s2 or 0),
            int(failed or 0),
            int(critical_no or 0),
        ]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        by_centre.append(
            {"code": centre["code"], "name": centre["name"]} | _score_cell(floor, *values)
        )
    return {
        **_score_cell(floor, *totals),  # type: ignore[arg-type]
        "by_centre": by_centre,
    }


# --- Trends: the same question code across studies --------------------------------------------
def trends(
    code: str, studies: QuerySet[Study], *, dependency_ids: list[int] | None = None
) -> dict[str, Any]:
    """The headline figure of the question `code` in each of `studies` that asks it, in the
    order of their periods: one GROUP BY (study, value) over the counted answers, and one of
    sums for numbers. Says whether the studies used different instruments or versions (the
    question may have changed between them) or kinds of question."""
    questions = list(
        Question.objects.filter(code=code, version__studies__in=studies)
        .values_list("version_id", "kind", "text")
        .distinct()
    )
    by_version = {version_id: (kind, text) for version_id, kind, text in questions}
    chosen = list(
        studies.filter(version_id__in=by_version)
        .select_related("version__instrument")
        .order_by("period_start", "id")
    )
    answers = Answer.objects.filter(
        counted_responses_q("response__"), question__code=code, response__study__in=chosen
    )
    if dependency_ids is not None:
        answers = answers.filter(response__dependency_id__in=dependency_ids)
    cells: dict[int, Cell] = defaultdict(Cell)
    for study_id, choice, number, count in (
        answers.exclude(question__kind=QuestionKind.NUMBER)
        .filter(question__kind__in=DISCRETE_KINDS - {QuestionKind.MULTIPLE})
        .values_list("response__study_id", "choice", "number")
        .annotate(count=Count("id"))
        .order_by()
    ):
        cell = cells[study_id]
        cell.counts[choice or number_key(number)] += count
        cell.n += count
    for study_id, count, s1, s2 in (
        answers.filter(question__kind=QuestionKind.NUMBER, number__isnull=False)
        .values_list("response__study_id")
        .annotate(
            count=Count("id"),
            s1=Sum("number"),
            s2=Sum(F("number") * F("number"), output_field=DecimalField()),
        )
        .order_by()
    ):
        cell = cells[study_id]
        cell.n += count
        cell.s1 += float(s1 or 0)
        cell.s2 += float(s2 or 0)
    rows = []
    for study in chosen:
        kind, text = by_version[study.version_id]
        out = cell_out(kind, cells.get(study.pk, Cell()), [])
        headline = HEADLINE.get(kind)  # type: ignore[call-overload]
        rows.append(
            {
                "id": study.pk,
                "name": study.name,
                "period": {
                    "from": study.period_start.isoformat(),
                    "to": study.period_end.isoformat(),
                },
                "instrument": study.version.instrument.code,
                "version": study.version.number,
                "kind": kind,
                "text": text,
                "headline": headline,
                "value": out["figures"].get(headline) if headline else None,
                **{key: out[key] for key in ("n", "suppressed", "unreliable", "figures")},
            }
        )
    versions = {(row["instrument"], row["version"]) for row in rows}
    return {
        "code": code,
        "studies": rows,
        "versions_differ": len(versions) > 1,
        "kinds_differ": len({row["kind"] for row in rows}) > 1,
        "thresholds": {"suppress_below": SUPPRESS_BELOW, "unreliable_below": UNRELIABLE_BELOW},
    }


# --- Comments ----------------------------------------------------------------------------------
def comments(study: Study, filters: Filters, search: str = "") -> QuerySet[Answer]:
    """The free-text answers of the counted responses, newest first; `search` is looked for
    anywhere in the text (case-insensitive). Only for who may read comments
    (queries.can_read_comments): a person may be named in them."""
    answers = counted_answers(study, filters).filter(question__kind__in=TEXT_KINDS).exclude(text="")
    if search.strip():
        answers = answers.filter(text__icontains=search.strip())
    return answers.select_related("question", "response__dependency").order_by(
        "-response__submitted_at", "-id"
    )


# --- The dashboard's headline ------------------------------------------------------------------
HEADLINE_ORDER = (QuestionKind.SCALE, QuestionKind.FFT, QuestionKind.NPS)


def satisfaction_headline(
    start: date, end: date, *, dependency_ids: list[int] | None = None
) -> dict[str, Any] | None:
    """The headline satisfaction per centre for a period: of the satisfaction studies in
    fieldwork or closed whose period meets it (at those centres), the one with the most counted
    responses (the latest on a tie), and its first 1-5 scale
    (CSAT), else its Friends and Family question (% positive), else its 0-10 question (NPS),
    by centre, suppressed and flagged as everywhere. None without such a study. Four queries."""
    studies = Study.objects.filter(
        kind=StudyKind.SATISFACTION,
        status__in=(StudyStatus.FIELDWORK, StudyStatus.CLOSED),
        period_start__lte=end,
        period_end__gte=start,
    )
    if dependency_ids is not None:
        studies = studies.filter(centres__dependency_id__in=dependency_ids)
    study = (
        studies.annotate(
            counted=Count("responses", filter=counted_responses_q("responses__"), distinct=True)
        )
        .order_by("-counted", "-period_end", "-id")
        .first()
    )
    if study is None:
        return None
    questions = list(
        Question.objects.filter(version_id=study.version_id, kind__in=HEADLINE_ORDER).order_by(
            "section__position", "position", "id"
        )
    )
    chosen = next(
        (q for kind in HEADLINE_ORDER for q in questions if q.kind == kind),
        None,
    )
    if chosen is None:
        return None
    filters = Filters(dependency_ids=dependency_ids)
    centres = StudyCentre.objects.filter(study=study)
    if dependency_ids is not None:
        centres = centres.filter(dependency_id__in=dependency_ids)
    cells = _cells(study, filters, [chosen])
    figure = HEADLINE[QuestionKind(chosen.kind)]
    whole = Cell()
    rows = []
    for dependency_id, name in centres.order_by("dependency__name").values_list(
        "dependency_id", "dependency__name"
    ):
        cell = cells.get((chosen.pk, dependency_id), Cell())
        whole.add(cell)
        rows.append({"name": name, **_headline_of(chosen.kind, figure, cell)})
    return {
        "study": {"id": study.pk, "name": study.name},
        "question": {"code": chosen.code, "text": chosen.text},
        "figure": figure,
        "figure_name": HEADLINE_NAMES[figure],
        "total": _headline_of(chosen.kind, figure, whole),
        "by_centre": rows,
    }


def _headline_of(kind: str, figure: str, cell: Cell) -> dict[str, Any]:
    out = cell_out(kind, cell, [])
    found = out["figures"]
    return {
        "n": out["n"],
        "suppressed": out["suppressed"],
        "unreliable": out["unreliable"],
        "value": found.get(figure),
        "low": found.get(f"{figure}_low"),
        "high": found.get(f"{figure}_high"),
    }
