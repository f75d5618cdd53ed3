"""The call centre's management figures for a period (and optionally one agent), computed in SQL
from the call log (`Call` rows, built from the PBX's CTI events).

A call belongs to the period of its `started_at` (the earliest moment the PBX reported), in the
institute's time zone; the period's calls are one range of the index on `started_at` (or of
the one on `(agent, started_at)` for an agent). Every figure comes from five aggregate queries
over that range, whatever the number of calls: the totals, the same by hour of the day and by
day, the answered calls by agent and by wrap-up code; and a sixth reads the targets. Python
only turns the aggregated rows (at most a few dozen) into percentages and means.

The definitions, with T = `CALLCENTRE_SERVICE_LEVEL_SECONDS` (20) and S =
`CALLCENTRE_SHORT_ABANDON_SECONDS` (5):

- offered: every call of the period;
- answered: with `answered_at`; answered within T: `answered_at - started_at <= T`;
- abandoned: never answered, and ended (`ended_at` set, `answered_at` not); a call neither
  answered nor ended is still waiting (or lost its hangup): offered, and neither of these;
- short abandons: abandoned with `ended_at - started_at <= S`;
- service level = answered within T / (offered - short abandons) x 100;
- abandon rate = (abandoned - short abandons) / (offered - short abandons) x 100;
- ASA (average speed of answer) = the mean of `answered_at - started_at` over answered calls;
- AHT (average handling time) = the mean, over the answered calls that ended ("handled"), of
  talk (`ended_at - answered_at`) plus after-call work (`wrapped_up_at - ended_at`), the
  latter counted only when the agent wrapped the call up after the hangup and within the
  console's wrap-up window (queries.WRAP_UP_WINDOW, 30 minutes): a wrap-up given or corrected
  later from the call log is not after-call work, and counts 0;
- first-contact resolution = the answered calls whose case is an inquiry answered on the call
  (`Case.resolved_at_first_contact`) / the answered calls whose case is an inquiry x 100.
  Calls with no case, or with an opinion (which always goes to a centre), are not in it.

The quality score is not computed from the call log but from the quality evaluations made in
the period (quality_queries.py): the mean of their scores, a failed evaluation (a critical item
answered "no") counting 0; of the agent's evaluations for an agent, and per agent in the table by
agent. One seventh query reads it for every agent at once.

Percentages and means are decimal text with two places, rounded half up (the surveys' helpers);
None where the denominator is zero. By agent counts the answered calls of each agent; by
wrap-up, the answered calls of each code (and those not wrapped up). The CTI events carry no
queue, so there are no figures by queue. An agent's figures are those of the calls the PBX gave
them (rang for them or answered by them): a call abandoned in the queue before the PBX chose an
agent is in the centre's figures only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import ExtractHour, TruncDate
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import User
from enlace.callcentre.models import (
    UNITS,
    Better,
    Call,
    Direction,
    Indicator,
    IndicatorTarget,
    Unit,
    WrapUp,
)
from enlace.callcentre.periods import Period as Period  # the figures' period, re-exported
from enlace.callcentre.quality_queries import AgentScore, overall, quality_by_agent
from enlace.callcentre.queries import POP_WINDOW, WRAP_UP_WINDOW
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.surveys.results import decimal, percent

MICROSECONDS = Decimal(1_000_000)
NOT_WRAPPED_UP = gettext_lazy("Not wrapped up")
# The indicators computed from the call log (quality is computed from the evaluations).
FROM_CALLS = (
    Indicator.SERVICE_LEVEL,
    Indicator.ABANDON_RATE,
    Indicator.ASA,
    Indicator.AHT,
    Indicator.FIRST_CONTACT_RESOLUTION,
)


@dataclass(frozen=True)
class Figures:
    """The indicators of a set of calls (the period's, an hour's, a day's, an agent's)."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_in_time: int
    handled: int  # answered and ended: the calls AHT is the mean of
    inquiries: int  # answered calls whose case is an inquiry
    resolved_at_first_contact: int  # ... answered on the call
    service_level: str | None
    abandon_rate: str | None
    asa: str | None  # seconds
    aht: str | None  # seconds
    first_contact_resolution: str | None

    @property
    def waiting(self) -> int:
        """Neither answered nor ended: still in the queue, or its hangup never came."""
        return self.offered - self.answered - self.abandoned

    def value(self, indicator: str) -> str | None:
        if indicator not in FROM_CALLS:
            return None
        text: str | None = getattr(self, indicator)
        return text


@dataclass(frozen=True)
class HourFigures:
    hour: int  # 0-23, local time
    figures: Figures


@dataclass(frozen=True)
class DayFigures:
    day: date
    figures: Figures


@dataclass(frozen=True)
class AgentFigures:
    agent_id: int | None
    name: str  # empty for calls answered on an extension no user has
    figures: Figures
    share: str | None  # of the period's answered calls, %
    quality_score: str | None = None  # of the agent's evaluations in the period, %


@dataclass(frozen=True)
class WrapUpCount:
    code: str  # empty: not wrapped up
    label: StrOrPromise
    count: int
    share: str | None  # of the period's answered calls, %


@dataclass(frozen=True)
class TopicCount:
    """The inquiries registered from the period's calls, by topic."""

    code: str
    label: str
    count: int
    share: str | None  # of those inquiries, %


def show(value: str | Decimal | None, unit: Unit) -> str:
    """A figure as every rendering prints it: "80.00%", "12.50 s", "—" when there is none."""
    if value is None:
        return "\N{EM DASH}"
    return f"{value}%" if unit == Unit.PERCENT else f"{value} s"


@dataclass(frozen=True)
class Assessment:
    """An indicator's figure against the target in force."""

    indicator: str
    label: StrOrPromise
    unit: Unit
    value: str | None
    target: IndicatorTarget | None

    @property
    def met(self) -> bool | None:
        """Whether the figure (as shown, two decimals) meets the target; None without both."""
        if self.value is None or self.target is None:
            return None
        value = Decimal(self.value)
        if self.target.better == Better.HIGHER:
            return value >= self.target.target
        return value <= self.target.target

    @property
    def shown_value(self) -> str:
        return show(self.value, self.unit)

    @property
    def shown_target(self) -> str:
        """The target with its direction: "≥ 80.00%", "≤ 20.00 s"."""
        return self.target_text()

    def target_text(self, *, ascii_only: bool = False) -> str:
        """The target with its direction; `ascii_only` for the PDF's font, which has no "≥"
        (">= 80.00%")."""
        if self.target is None:
            return "\N{EM DASH}"
        signs = (
            (">=", "<=")
            if ascii_only
            else ("\N{GREATER-THAN OR EQUAL TO}", "\N{LESS-THAN OR EQUAL TO}")
        )
        sign = signs[0] if self.target.better == Better.HIGHER else signs[1]
        return f"{sign} {show(self.target.target, self.unit)}"


@dataclass(frozen=True)
class CallFigures:
    period: Period
    agent: User | None
    service_level_seconds: int
    short_abandon_seconds: int
    totals: Figures
    by_hour: list[HourFigures]
    by_day: list[DayFigures]
    by_agent: list[AgentFigures]
    by_wrap_up: list[WrapUpCount]
    by_topic: list[TopicCount]
    assessments: list[Assessment]
    quality: AgentScore  # the period's evaluations (of the agent), their count and mean

    @property
    def assessed(self) -> dict[str, Assessment]:
        return {assessment.indicator: assessment for assessment in self.assessments}


@dataclass(frozen=True)
class Column:
    """A column of the tables by hour, day and agent, the same in every rendering."""

    key: str  # an attribute of Figures
    label: StrOrPromise
    unit: Unit | None = None  # None: a count


ROW_COLUMNS = (
    Column("offered", gettext_lazy("Offered")),
    Column("answered", gettext_lazy("Answered")),
    Column("abandoned", gettext_lazy("Abandoned")),
    Column("short_abandoned", gettext_lazy("Short abandons")),
    Column("service_level", gettext_lazy("Service level"), Unit.PERCENT),
    Column("abandon_rate", gettext_lazy("Abandon rate"), Unit.PERCENT),
    Column("asa", gettext_lazy("ASA"), Unit.SECONDS),
    Column("aht", gettext_lazy("AHT"), Unit.SECONDS),
)
AGENT_COLUMNS = (
    Column("answered", gettext_lazy("Answered")),
    Column("asa", gettext_lazy("ASA"), Unit.SECONDS),
    Column("aht", gettext_lazy("AHT"), Unit.SECONDS),
    Column("first_contact_resolution", gettext_lazy("First-contact resolution"), Unit.PERCENT),
)


def cell(figures: Figures, column: Column) -> str:
    """A table's cell as printed: a count, or a figure with its unit."""
    value = getattr(figures, column.key)
    return str(value) if column.unit is None else show(value, column.unit)


def summary_counts(figures: CallFigures) -> list[tuple[str, int]]:
    """The counts under the indicators, labelled with the thresholds in force."""
    totals = figures.totals
    return [
        (gettext("Calls offered"), totals.offered),
        (gettext("Calls answered"), totals.answered),
        (
            gettext("Answered within %(seconds)s s") % {"seconds": figures.service_level_seconds},
            totals.answered_in_time,
        ),
        (gettext("Calls abandoned"), totals.abandoned),
        (
            gettext("Short abandons (within %(seconds)s s)")
            % {"seconds": figures.short_abandon_seconds},
            totals.short_abandoned,
        ),
        (gettext("Neither answered nor ended"), totals.waiting),
        (gettext("Answered calls registered as an inquiry"), totals.inquiries),
        (gettext("Inquiries answered on the call"), totals.resolved_at_first_contact),
    ]


def definitions(figures: CallFigures) -> str:
    """How the indicators are computed, with the thresholds in force (every rendering says it)."""
    calls = gettext(
        "Service level: calls answered within %(sl)s s over calls offered less short abandons "
        "(abandoned within %(short)s s). Abandon rate: calls abandoned less short abandons, "
        "over calls offered less short abandons. ASA: mean time from the start of the call "
        "to its answer. AHT: mean talk time plus after-call work (up to the wrap-up, when "
        "given within %(window)s minutes of the end). First-contact resolution: inquiries "
        "answered on the call over the answered calls registered as an inquiry."
    ) % {
        "sl": figures.service_level_seconds,
        "short": figures.short_abandon_seconds,
        "window": int(WRAP_UP_WINDOW.total_seconds() // 60),
    }
    quality = gettext(
        "Quality score: the mean score of the %(count)s quality evaluations made in the period "
        "(%(failed)s of them failed by a critical item answered no, each counted as 0)."
    ) % {"count": figures.quality.evaluations, "failed": figures.quality.failed}
    return f"{calls} {quality}"


def _duration(expression: Any) -> ExpressionWrapper[Any]:
    return ExpressionWrapper(expression, output_field=DurationField())


def _seconds(seconds: float | timedelta) -> Value:
    span = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
    return Value(span, output_field=DurationField())


# The durations the aggregates read, computed in SQL from each row's moments.
WAIT = _duration(F("answered_at") - F("started_at"))  # to the answer
RING = _duration(F("ended_at") - F("started_at"))  # to the hangup (of an abandoned call)
TALK = _duration(F("ended_at") - F("answered_at"))
AFTER = _duration(F("wrapped_up_at") - F("ended_at"))  # after-call work


def _calls(period: Period, agent: User | None) -> QuerySet[Call]:
    """The period's calls: one range of an index."""
    start, end = period.bounds()
    # The line's figures are of the calls it received; a campaign's calls out have their own.
    calls = Call.objects.filter(
        started_at__gte=start, started_at__lt=end, direction=Direction.INBOUND
    )
    if agent is not None:
        calls = calls.filter(agent=agent)
    return calls.order_by()


def _aggregates() -> dict[str, Aggregate]:
    """The counts and sums every row of figures is made of (one pass over its calls)."""
    answered = Q(answered_at__isnull=False)
    abandoned = Q(answered_at__isnull=True, ended_at__isnull=False)
    handled = Q(answered_at__isnull=False, ended_at__isnull=False)
    short = abandoned & Q(
        LessThanOrEqual(RING, _seconds(settings.CALLCENTRE_SHORT_ABANDON_SECONDS))
    )
    in_time = answered & Q(
        LessThanOrEqual(WAIT, _seconds(settings.CALLCENTRE_SERVICE_LEVEL_SECONDS))
    )
    after_call_work = (
        handled
        & Q(wrapped_up_at__isnull=False)
        & Q(GreaterThanOrEqual(AFTER, _seconds(0)))
        & Q(LessThanOrEqual(AFTER, _seconds(WRAP_UP_WINDOW)))
    )
    inquiry = answered & Q(case__kind=CaseKind.INQUIRY)
    return {
        "offered": Count("id"),
        "answered": Count("id", filter=answered),
        "abandoned": Count("id", filter=abandoned),
        "short": Count("id", filter=short),
        "in_time": Count("id", filter=in_time),
        "handled": Count("id", filter=handled),
        "wait": Sum(WAIT, filter=answered),
        "talk": Sum(TALK, filter=handled),
        "after": Sum(AFTER, filter=after_call_work),
        "inquiries": Count("id", filter=inquiry),
        "resolved": Count("id", filter=inquiry & Q(case__resolved_at_first_contact=True)),
    }


def _microseconds(total: timedelta | None) -> int:
    if total is None:
        return 0
    return (total.days * 86_400 + total.seconds) * 1_000_000 + total.microseconds


def mean_seconds(total_microseconds: int, count: int) -> str | None:
    """A mean duration in seconds, two decimals half up (None of no calls)."""
    if not count:
        return None
    return decimal(Decimal(total_microseconds) / MICROSECONDS / Decimal(count))


def figures_of(row: Mapping[str, Any]) -> Figures:
    """One aggregated row as its indicators."""
    offered, short = row["offered"], row["short"]
    counted = offered - short  # the calls offered, short abandons left out
    return Figures(
        offered=offered,
        answered=row["answered"],
        abandoned=row["abandoned"],
        short_abandoned=short,
        answered_in_time=row["in_time"],
        handled=row["handled"],
        inquiries=row["inquiries"],
        resolved_at_first_contact=row["resolved"],
        service_level=percent(row["in_time"], counted),
        abandon_rate=percent(row["abandoned"] - short, counted),
        asa=mean_seconds(_microseconds(row["wait"]), row["answered"]),
        aht=mean_seconds(_microseconds(row["talk"]) + _microseconds(row["after"]), row["handled"]),
        first_contact_resolution=percent(row["resolved"], row["inquiries"]),
    )


def targets_on(day: date) -> dict[str, IndicatorTarget]:
    """The target of each indicator in force on `day` (one query over a small table)."""
    found: dict[str, IndicatorTarget] = {}
    for target in IndicatorTarget.objects.filter(valid_from__lte=day).order_by(
        "indicator", "-valid_from"
    ):
        found.setdefault(target.indicator, target)
    return found


def assessments(
    totals: Figures, quality: str | None, targets: Mapping[str, IndicatorTarget]
) -> list[Assessment]:
    return [
        Assessment(
            indicator=indicator.value,
            label=indicator.label,
            unit=UNITS[indicator],
            value=quality if indicator == Indicator.QUALITY_SCORE else totals.value(indicator),
            target=targets.get(indicator),
        )
        for indicator in Indicator
    ]


def agent_name(row: Mapping[str, Any]) -> str:
    full = f"{row['agent__first_name']} {row['agent__last_name']}".strip()
    return full or row["agent__username"] or ""


def call_figures(period: Period, *, agent: User | None = None) -> CallFigures:
    """The period's figures (one agent's, when given). Eight queries, whatever the calls and
    the evaluations."""
    zone = timezone.get_default_timezone()
    calls = _calls(period, agent)
    aggregates = _aggregates()
    totals = figures_of(calls.aggregate(**aggregates))
    hours = (
        calls.annotate(hour=ExtractHour("started_at", tzinfo=zone))
        .values("hour")
        .annotate(**aggregates)
        .order_by("hour")
    )
    days = (
        calls.annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day")
        .annotate(**aggregates)
        .order_by("day")
    )
    answered = calls.filter(answered_at__isnull=False)
    agents = (
        answered.values("agent_id", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(**aggregates)
        .order_by("agent__username")
    )
    wrap_ups = {
        row["wrap_up"]: row["count"]
        for row in answered.values("wrap_up").annotate(count=Count("id")).order_by()
    }
    # The inquiries registered from the answered calls, by topic (one GROUP BY over the join).
    topics = list(
        Case.objects.filter(calls__in=answered, kind=CaseKind.INQUIRY, topic__isnull=False)
        .values("topic__code", "topic__name")
        .annotate(count=Count("id", distinct=True))
        .order_by("-count", "topic__name")
    )
    inquiries = sum(row["count"] for row in topics)
    quality_rows = quality_by_agent(period, agent)
    quality_of = {row.agent_id: row.mean for row in quality_rows}
    quality = overall(quality_rows)
    by_agent = []
    for row in agents:
        answered_by_agent = figures_of(row)
        by_agent.append(
            AgentFigures(
                agent_id=row["agent_id"],
                name=agent_name(row) if row["agent_id"] else "",
                figures=answered_by_agent,
                share=percent(answered_by_agent.answered, totals.answered),
                quality_score=quality_of.get(row["agent_id"]),
            )
        )
    by_agent.sort(key=lambda item: (-item.figures.answered, item.name))
    labels: dict[str, StrOrPromise] = dict(WrapUp.choices)
    by_wrap_up = [
        WrapUpCount(code, labels[code], count, percent(count, totals.answered))
        for code in WrapUp.values
        if (count := wrap_ups.get(code, 0))
    ]
    not_wrapped = sum(count for code, count in wrap_ups.items() if code not in labels)
    if not_wrapped:
        by_wrap_up.append(
            WrapUpCount("", NOT_WRAPPED_UP, not_wrapped, percent(not_wrapped, totals.answered))
        )
    return CallFigures(
        period=period,
        agent=agent,
        service_level_seconds=settings.CALLCENTRE_SERVICE_LEVEL_SECONDS,
        short_abandon_seconds=settings.CALLCENTRE_SHORT_ABANDON_SECONDS,
        totals=totals,
        by_hour=[HourFigures(row["hour"], figures_of(row)) for row in hours],
        by_day=_every_day([DayFigures(row["day"], figures_of(row)) for row in days]),
        by_agent=by_agent,
        by_wrap_up=by_wrap_up,
        by_topic=[
            TopicCount(
                row["topic__code"],
                row["topic__name"],
                row["count"],
                percent(row["count"], inquiries),
            )
            for row in topics
        ],
        assessments=assessments(totals, quality.mean, targets_on(period.end)),
        quality=quality,
    )


def _every_day(days: list[DayFigures]) -> list[DayFigures]:
    """The days from the first with calls to the last, a day without calls at zero."""
    if not days:
        return []
    found = {item.day: item for item in days}
    empty = figures_of(EMPTY_ROW)
    span = (days[-1].day - days[0].day).days
    return [
        found.get(day, DayFigures(day, empty))
        for day in (days[0].day + timedelta(days=n) for n in range(span + 1))
    ]


EMPTY_ROW: dict[str, Any] = {
    "offered": 0,
    "answered": 0,
    "abandoned": 0,
    "short": 0,
    "in_time": 0,
    "handled": 0,
    "wait": None,
    "talk": None,
    "after": None,
    "inquiries": 0,
    "resolved": 0,
}


@dataclass(frozen=True)
class FloorNow:
    """The calls in the queue and on the line at a moment (for the wall board)."""

    waiting: int
    talking: int


def floor_now(now: datetime | None = None) -> FloorNow:
    """Calls ringing (in the queue) and answered but not ended, that started within the
    console's window (an older one lost its hangup). One query over an index range."""
    now = now or timezone.now()
    row = Call.objects.filter(
        started_at__gte=now - POP_WINDOW,
        started_at__lte=now,
        ended_at__isnull=True,
        direction=Direction.INBOUND,
    ).aggregate(
        waiting=Count("id", filter=Q(answered_at__isnull=True)),
        talking=Count("id", filter=Q(answered_at__isnull=False)),
    )
    return FloorNow(waiting=row["waiting"], talking=row["talking"])
