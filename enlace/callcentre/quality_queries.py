"""Every read of the call centre's quality evaluations: who sees which, the evaluation forms,
whose written answer a case holds, and the figures, computed in SQL from the answers' rows.

The score of an evaluation (never stored) is that of a checklist in enlace/surveys/results.py:

    score = 100 x (sum of the weights of the items answered "yes")
                / (sum of the weights of the items answered "yes" or "no")

"not applicable" leaves an item out of both sums; an evaluation whose every item is "not
applicable" has no score. A **critical** item answered "no" **fails** the evaluation: its score
is still shown, but in the agent's quality score it counts as 0. The scores are shown with two
decimals, rounded half up.

An agent's (or the call centre's) **quality score** over a period is the mean, over the
evaluations made in that period (`evaluated_at`, local days), of the score that counts: 0 for a
failed evaluation, else its score; evaluations without a score are counted but not in the mean.
Each evaluation's sums come from one GROUP BY over its answers, in a subquery; the outer query
sums them per agent: one query for every agent, whatever the number of evaluations.

**Calibration**: two evaluators who evaluated the same call (or the same written answer) are a
pair; their item agreement is the share of the items both answered (matched by the item's
code, so two versions of a form compare) with the same value, and their score difference is
the absolute difference of the two scores that count. A pair belongs to the period of the later
of its two evaluations.

Who sees what: whoever supervises the call centre (`Capability.SUPERVISE_CALLS`) sees every
evaluation and evaluates; a call-centre agent sees only their own; everyone else none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.callcentre.models import Call, Evaluation, EvaluationAnswer
from enlace.callcentre.periods import Period
from enlace.callcentre.queries import CONSOLE_ROLES, sees_call_figures, sees_own_figures_only
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.surveys.models import (
    InstrumentKind,
    InstrumentVersion,
    Question,
    QuestionKind,
    VersionStatus,
    YesNo,
)
from enlace.surveys.results import decimal, percent

EVALUATION_LIST_LIMIT = 200
CALIBRATION_LIMIT = 200
SAMPLE_SIZE = 5  # calls (and written answers) offered to evaluate next
SAMPLE_MAX = 20
# The events that carry the answer a case gave the citizen, and who wrote it (`note`).
ANSWER_EVENTS = (EventKind.ANSWERED, EventKind.CLOSED)


# --- Who sees what --------------------------------------------------------------------------


def evaluates(user: User) -> bool:
    """Whoever supervises the call centre evaluates its agents and reads every evaluation."""
    return sees_call_figures(user)


def sees_own_evaluations_only(user: User) -> bool:
    """A call-centre agent reads their own evaluations (and acknowledges them)."""
    return sees_own_figures_only(user)


def reads_quality(user: User) -> bool:
    return evaluates(user) or sees_own_evaluations_only(user)


def visible_evaluations(user: User) -> QuerySet[Evaluation]:
    if evaluates(user):
        return Evaluation.objects.all()
    if sees_own_evaluations_only(user):
        return Evaluation.objects.filter(agent=user)
    return Evaluation.objects.none()


def access_evaluation_for_user(user: User, evaluation_id: int) -> Evaluation:
    """The evaluation, if `user` may see it (any for a supervisor, their own for an agent),
    annotated with its sums (`scored`); else 404, so another agent's evaluation is not
    revealed."""
    try:
        return (
            scored(visible_evaluations(user))
            .select_related("agent", "evaluator", "call", "case", "version__instrument")
            .get(pk=evaluation_id)
        )
    except Evaluation.DoesNotExist:
        raise Http404(_("No such evaluation.")) from None


def call_centre_users() -> QuerySet[User]:
    """The people whose work is evaluated: the call centre's agents and supervisors."""
    return User.objects.filter(role__in=CONSOLE_ROLES).order_by("username")


# --- Evaluation forms -----------------------------------------------------------------------


def evaluation_forms() -> list[InstrumentVersion]:
    """The latest published version of each checklist instrument, by the instrument's name:
    the forms a supervisor may evaluate on (one query)."""
    forms: dict[int, InstrumentVersion] = {}
    for version in (
        InstrumentVersion.objects.filter(
            status=VersionStatus.PUBLISHED, instrument__kind=InstrumentKind.CHECKLIST
        )
        .select_related("instrument")
        .order_by("instrument__name", "instrument_id", "-number")
    ):
        forms.setdefault(version.instrument_id, version)
    return list(forms.values())


def last_used_form_id() -> int | None:
    """The instrument of the latest evaluation: the form offered first."""
    row = Evaluation.objects.order_by("-evaluated_at", "-id").values("version__instrument").first()
    return row["version__instrument"] if row else None


def items_of(version: InstrumentVersion) -> list[Question]:
    """The items of an evaluation form: its yes / no questions, in order (a checklist's other
    questions, a photo or a text, are not part of an evaluation)."""
    return list(
        Question.objects.filter(version=version, kind=QuestionKind.YES_NO)
        .select_related("section")
        .order_by("section__position", "position", "id")
    )


# --- Whose written answer -------------------------------------------------------------------


def _answer_events(case: OuterRef | int) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.filter(case=case, kind__in=ANSWER_EVENTS)
        .exclude(note="")
        .order_by("-at", "-id")
    )


def answer_writer(case: Case) -> User | None:
    """Who wrote the answer the case gave the citizen: the person of its latest "answered" or
    "closed" event that carries the answer (one query); None without an answer."""
    if not case.answer.strip():
        return None
    event = _answer_events(case.pk).select_related("actor").first()
    return event.actor if event is not None else None


# --- Scores ---------------------------------------------------------------------------------

_YES = Q(answers__value=YesNo.YES)
_ANSWERED = Q(answers__value__in=(YesNo.YES, YesNo.NO))
_CRITICAL_NO = Q(answers__value=YesNo.NO, answers__question__critical=True)


def _sums() -> dict[str, Any]:
    """Per evaluation: the weight answered yes, the weight answered yes or no (None when every
    item was n/a) and the critical items answered no."""
    weight = "answers__question__weight"
    return {
        "yes_weight": Coalesce(
            Sum(weight, filter=_YES), Value(Decimal(0)), output_field=DecimalField()
        ),
        "answered_weight": Sum(weight, filter=_ANSWERED),
        "critical_no": Count("answers", filter=_CRITICAL_NO),
    }


def scored(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """The evaluations with their sums (`yes_weight`, `answered_weight`, `critical_no`):
    one GROUP BY over their answers."""
    return evaluations.annotate(**_sums())


@dataclass(frozen=True)
class Score:
    """An evaluation's score (0-100, two decimals; None when every item was n/a) and whether a
    critical item failed it."""

    score: str | None
    failed: bool

    @property
    def counted(self) -> str | None:
        """What counts in the agent's quality score: 0 for a failed evaluation."""
        return "0.00" if self.failed else self.score


def score_of(evaluation: Evaluation) -> Score:
    """The score of an evaluation annotated by `scored` (its aggregated row, not its answers)."""
    yes: Decimal | None = getattr(evaluation, "yes_weight", None)
    answered: Decimal | None = getattr(evaluation, "answered_weight", None)
    critical_no: int = getattr(evaluation, "critical_no", 0)
    value = None
    if answered:
        value = decimal(Decimal(yes or 0) * 100 / Decimal(answered))
    return Score(value, critical_no > 0)


def _real() -> str:
    return "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"


def _counted_sql(alias: str) -> str:
    """The score that counts of a row of per-evaluation sums, as a fraction of 100 in floating
    point (NULL when the evaluation has no score and did not fail)."""
    real = _real()
    return (
        f"CASE WHEN {alias}.critical_no > 0 THEN 0 "
        f"WHEN {alias}.answered_weight > 0 THEN CAST({alias}.yes_weight AS {real}) * 100 "
        f"/ CAST({alias}.answered_weight AS {real}) END"
    )


@dataclass(frozen=True)
class AgentScore:
    """An agent's evaluations over a period and their quality score."""

    agent_id: int
    name: str
    evaluations: int
    scored: int  # those in the mean: with a score, or failed
    failed: int
    total: float  # the sum of the scores that count

    @property
    def mean(self) -> str | None:
        """The quality score: the mean of the scores that count (a failed evaluation is 0)."""
        if not self.scored:
            return None
        return decimal(self.total / self.scored)


def agent_scores(evaluations: QuerySet[Evaluation]) -> list[AgentScore]:
    """The quality score of each agent of `evaluations`, by name. One query: the sums of each
    evaluation in a subquery, summed per agent outside."""
    inner = (
        evaluations.order_by()
        .values(
            eid=F("id"),
            aid=F("agent_id"),
            username=F("agent__username"),
            fname=F("agent__first_name"),
            lname=F("agent__last_name"),
        )
        .annotate(**_sums())
    )
    sql, params = inner.query.sql_with_params()
    counted = _counted_sql("s")
    query = f"""
        SELECT s.aid, s.username, s.fname, s.lname, COUNT(*), COUNT({counted}),
               SUM(CASE WHEN s.critical_no > 0 THEN 1 ELSE 0 END), SUM({counted})
        FROM ({sql}) s GROUP BY s.aid, s.username, s.fname, s.lname"""  # noqa: S608 - the ORM's own SQL, with its params
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    found = [
        AgentScore(
            agent_id=aid,
            name=f"{first} {last}".strip() or username,
            evaluations=count,
            scored=in_mean,
            failed=int(failed or 0),
            total=float(total or 0),
        )
        for aid, username, first, last, count, in_mean, failed, total in rows
    ]
    return sorted(found, key=lambda row: (row.name.lower(), row.agent_id))


def overall(scores: list[AgentScore]) -> AgentScore:
    """The call centre's quality score: the agents' rows summed (their means are not averaged:
    every evaluation weighs the same)."""
    return AgentScore(
        agent_id=0,
        name="",
        evaluations=sum(row.evaluations for row in scores),
        scored=sum(row.scored for row in scores),
        failed=sum(row.failed for row in scores),
        total=sum(row.total for row in scores),
    )


def period_evaluations(period: Period, agent: User | None = None) -> QuerySet[Evaluation]:
    """The evaluations made in the period (an index range of `evaluated_at`, or of
    `(agent, evaluated_at)`)."""
    start, end = period.bounds()
    evaluations = Evaluation.objects.filter(evaluated_at__gte=start, evaluated_at__lt=end)
    if agent is not None:
        evaluations = evaluations.filter(agent=agent)
    return evaluations


def quality_by_agent(period: Period, agent: User | None = None) -> list[AgentScore]:
    """The figures' quality score: each agent's over the period (one query)."""
    return agent_scores(period_evaluations(period, agent))


# --- Calibration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rated:
    """One of the two evaluations of a calibration pair."""

    evaluation_id: int
    evaluator: str
    score: Score


@dataclass(frozen=True)
class CalibrationPair:
    call_id: int | None
    case_id: int | None
    what: str  # the call's PBX id or the case's tracking code
    agent: str
    first: Rated
    second: Rated
    items: int  # compared: answered in both evaluations
    agreed: int  # with the same value

    @property
    def agreement(self) -> str | None:
        return percent(self.agreed, self.items)

    @property
    def difference(self) -> str | None:
        """The absolute difference of the two scores that count."""
        one, two = self.first.score.counted, self.second.score.counted
        if one is None or two is None:
            return None
        return decimal(abs(Decimal(one) - Decimal(two)))


@dataclass(frozen=True)
class Calibration:
    pairs: list[CalibrationPair]

    @property
    def agreement(self) -> str | None:
        """Over every pair: the items with the same value over the items compared."""
        return percent(sum(p.agreed for p in self.pairs), sum(p.items for p in self.pairs))

    @property
    def mean_difference(self) -> str | None:
        differences = [Decimal(p.difference) for p in self.pairs if p.difference is not None]
        if not differences:
            return None
        return decimal(sum(differences) / len(differences))


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def calibration(period: Period, agent: User | None = None) -> Calibration:
    """The pairs of evaluations of the same call or written answer by two evaluators, the later
    of the two made in the period (of one agent's work, when given): their item agreement and
    score difference. Two queries: the pairs' items compared in SQL (a self-join of the answers
    on the item's code), then the pairs' evaluations with their sums."""
    start, end = period.bounds()
    quote = connection.ops.quote_name
    evaluation = quote(Evaluation._meta.db_table)
    answer = quote(EvaluationAnswer._meta.db_table)
    question = quote(Question._meta.db_table)
    params: list[Any] = [end, end, start, start]
    by_agent = ""
    if agent is not None:
        by_agent = "AND e1.agent_id = %s"
        params.append(agent.pk)
    params.append(CALIBRATION_LIMIT)
    query = f"""
        SELECT e1.id, e2.id, COUNT(*),
               SUM(CASE WHEN a1.value = a2.value THEN 1 ELSE 0 END)
        FROM {evaluation} e1
        JOIN {evaluation} e2
          ON e2.id > e1.id AND (e2.call_id = e1.call_id OR e2.case_id = e1.case_id)
        JOIN {answer} a1 ON a1.evaluation_id = e1.id
        JOIN {question} q1 ON q1.id = a1.question_id
        JOIN {answer} a2 ON a2.evaluation_id = e2.id
        JOIN {question} q2 ON q2.id = a2.question_id AND q2.code = q1.code
        WHERE e1.evaluated_at < %s AND e2.evaluated_at < %s
          AND (e1.evaluated_at >= %s OR e2.evaluated_at >= %s) {by_agent}
        GROUP BY e1.id, e2.id
        ORDER BY e1.id DESC, e2.id DESC
        LIMIT %s"""  # noqa: S608 - table names from the models; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    ids = {pk for row in rows for pk in row[:2]}
    evaluations = {
        item.pk: item
        for item in scored(Evaluation.objects.filter(pk__in=ids)).select_related(
            "agent", "evaluator", "call", "case"
        )
    }
    pairs = []
    for first_id, second_id, items, agreed in rows:
        one, two = evaluations[first_id], evaluations[second_id]
        pairs.append(
            CalibrationPair(
                call_id=one.call_id,
                case_id=one.case_id,
                what=one.call.pbx_call_id if one.call else one.case.display_code,  # type: ignore[union-attr]
                agent=_name(one.agent),
                first=Rated(one.pk, _name(one.evaluator), score_of(one)),
                second=Rated(two.pk, _name(two.evaluator), score_of(two)),
                items=items,
                agreed=int(agreed or 0),
            )
        )
    return Calibration(pairs)


# --- What to evaluate next ------------------------------------------------------------------


def sample_calls(agent: User, period: Period, size: int = SAMPLE_SIZE) -> list[Call]:
    """`size` of the agent's calls of the period, inbound and outbound, answered and over, that
    nobody has evaluated yet, drawn at random by the database (one query)."""
    start, end = period.bounds()
    return list(
        Call.objects.filter(
            agent=agent,
            started_at__gte=start,
            started_at__lt=end,
            answered_at__isnull=False,
            ended_at__isnull=False,
        )
        .filter(~Exists(Evaluation.objects.filter(call=OuterRef("pk"))))
        .order_by("?")[: max(0, min(size, SAMPLE_MAX))]
    )


def sample_answers(agent: User, period: Period, size: int = SAMPLE_SIZE) -> list[Case]:
    """`size` of the cases closed in the period whose answer the agent wrote (the latest event
    carrying the answer is theirs), that nobody has evaluated yet, at random (one query: the
    cases closed in the period are a range of the index on `closed_at`; the writer of each is
    read from the index of its events)."""
    start, end = period.bounds()
    latest = _answer_events(OuterRef("pk"))
    return list(
        Case.objects.filter(closed_at__gte=start, closed_at__lt=end)
        .exclude(answer="")
        .annotate(writer=Subquery(latest.values("actor_id")[:1]))
        .filter(writer=agent.pk)
        .filter(~Exists(Evaluation.objects.filter(case=OuterRef("pk"))))
        .order_by("?")[: max(0, min(size, SAMPLE_MAX))]
    )
