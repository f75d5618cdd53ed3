"""The reports dashboard ("Tablero"): the figures of a period at a glance, computed in SQL.

The headline figures are the participation report's (`participation_report`) and the deadline
compliance's (`deadline_compliance`); this module adds what neither has: the month-by-month trend
(the rollups' counts per local calendar month, kind and opinion type, enlace/cases/rollups.py)
and the number of open cases. Python only shapes the few aggregated rows, filling the months
without cases with zeros, so the number of queries and the rows read back do not grow with the
number of cases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from enlace.cases import rollups
from enlace.cases.lifecycle import OPEN_STATUSES, CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import OpinionType
from enlace.core.shares import percentages
from enlace.reports.compliance import CentreCompliance, deadline_compliance
from enlace.reports.participation import (
    COMPLAINT_TYPES,
    Period,
    participation_report,
    section_counts,
)
from enlace.surveys.results import satisfaction_headline


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day of the calendar month (local time)
    opinions: int = 0
    inquiries: int = 0
    opinions_by_type: dict[str, int] = field(default_factory=dict)  # opinion type code -> count

    @property
    def complaints(self) -> int:
        return sum(self.opinions_by_type.get(code, 0) for code in COMPLAINT_TYPES)

    @property
    def complaints_percent(self) -> Decimal | None:
        """Complaints (reclamo and queja) as a share of the month's opinions; None without any."""
        if not self.opinions:
            return None
        return percentages([self.complaints, self.opinions - self.complaints])[0]


def months_of(period: Period) -> list[date]:
    """The first day of every calendar month the period touches, in order."""
    months = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_trend(
    period: Period, *, dependency_ids: list[int] | None = None, from_rollups: bool | None = None
) -> list[MonthFigures]:
    """Opinions (per type) and inquiries received in each calendar month of `period`, by local
    time; a month without cases is all zeros. `dependency_ids` limits it to those centres, as
    `participation_report` does."""
    scope: dict[str, Any] = {"dependency_ids": dependency_ids, "by_month": True}
    scope["from_rollups"] = rollups.ready() if from_rollups is None else from_rollups
    channels: dict[tuple[Any, ...], int]
    types: dict[tuple[Any, ...], int]
    if dependency_ids is None:  # every centre: the national rollup, a few rows a month
        channels, types = Counter(), Counter()
        for (month, kind, type_id), n in section_counts(rollups.TREND, period, **scope).items():
            channels[(month, kind)] += n
            if kind == CaseKind.OPINION:
                types[(month, type_id)] += n
    else:
        channels = section_counts(rollups.CHANNELS, period, keep=("kind",), **scope)
        types = section_counts(rollups.OPINIONS, period, keep=("opinion_type_id",), **scope)
    type_codes = dict(OpinionType.objects.values_list("id", "code"))
    opinions: dict[date, int] = {}
    inquiries: dict[date, int] = {}
    by_type: dict[date, dict[str, int]] = {}
    for (month, kind), n in channels.items():
        if kind == CaseKind.OPINION:
            opinions[month] = opinions.get(month, 0) + n
        elif kind == CaseKind.INQUIRY:
            inquiries[month] = inquiries.get(month, 0) + n
    for (month, type_id), n in types.items():
        code = type_codes.get(type_id, "")
        month_types = by_type.setdefault(month, {})
        month_types[code] = month_types.get(code, 0) + n
    return [
        MonthFigures(
            month=month,
            opinions=opinions.get(month, 0),
            inquiries=inquiries.get(month, 0),
            opinions_by_type=by_type.get(month, {}),
        )
        for month in months_of(period)
    ]


def open_cases(*, dependency_ids: list[int] | None = None) -> int:
    """How many cases are open now (any kind, whenever received), in those centres."""
    cases = Case.objects.filter(status__in=OPEN_STATUSES)
    if dependency_ids is not None:
        cases = cases.filter(dependency_id__in=dependency_ids)
    return cases.count()


@dataclass(frozen=True)
class Dashboard:
    period: Period
    participation: dict[str, Any]  # participation_report(period)
    trend: list[MonthFigures]
    compliance: list[CentreCompliance]  # deadline_compliance(period), one row per centre
    open_cases: int  # now
    opinion_types: list[tuple[str, str]]  # (code, name): complaints first, then the others
    # The headline satisfaction per centre (enlace.surveys.results.satisfaction_headline).
    satisfaction: dict[str, Any] | None = None

    @property
    def opinions(self) -> int:
        return int(self.participation["opinions"]["total"])

    @property
    def inquiries(self) -> int:
        return int(self.participation["inquiries"]["total"])

    @property
    def complaints(self) -> int:
        return int(self.participation["opinions"]["complaints"]["count"])

    @property
    def complaints_percent(self) -> Decimal | None:
        if not self.opinions:
            return None
        return Decimal(self.participation["opinions"]["complaints"]["percent"])

    @property
    def answered(self) -> int:
        return sum(row.answered for row in self.compliance)

    @property
    def answered_in_time(self) -> int:
        return sum(row.in_time for row in self.compliance)

    @property
    def percent_in_time(self) -> Decimal | None:
        if not self.answered:
            return None
        return percentages([self.answered_in_time, self.answered - self.answered_in_time])[0]

    @property
    def overdue(self) -> int:
        """Open cases past their answer date now (not counting those waiting for the citizen)."""
        return sum(row.open_overdue for row in self.compliance)


def dashboard(period: Period, *, dependency_ids: list[int] | None = None) -> Dashboard:
    """Every figure of the dashboard for `period`; `dependency_ids` limits them to those
    centres (a liaison's, or the one centre an analyst picked). A constant number of queries."""
    complaint_order = {code: index for index, code in enumerate(COMPLAINT_TYPES)}
    types = sorted(
        OpinionType.objects.values_list("code", "name"),
        key=lambda item: complaint_order.get(item[0], len(COMPLAINT_TYPES)),
    )
    scope: dict[str, Any] = {"dependency_ids": dependency_ids, "from_rollups": rollups.ready()}
    return Dashboard(
        period=period,
        participation=participation_report(period, **scope),
        trend=monthly_trend(period, **scope),
        compliance=deadline_compliance(period.start, period.end, **scope),
        open_cases=open_cases(dependency_ids=dependency_ids),
        opinion_types=list(types),
        satisfaction=satisfaction_headline(period.start, period.end, dependency_ids=dependency_ids),
    )
