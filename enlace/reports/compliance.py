"""Deadline compliance per centre and period.

For the answers given in the period: how many, how many within their deadline, the share, and
the median business days taken; and, today, how many open cases are past their answer date.
The answers come from the compliance rollup (enlace/cases/rollups.py: answers per day, centre,
business days taken and in time), so the time does not grow with the answers behind them; the
median is read off that histogram. The open overdue cases are counted now, in SQL, over the
open deadlines only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enlace.cases import rollups
from enlace.cases.models import NO_DAYS, CaseDeadline, DeadlineStatus, DeadlineStep
from enlace.directory.models import Dependency


@dataclass(frozen=True)
class CentreCompliance:
    dependency_id: int | None
    code: str
    name: str
    answered: int
    in_time: int
    median_business_days: Decimal | None
    open_overdue: int

    @property
    def percent_in_time(self) -> Decimal | None:
        if not self.answered:
            return None
        share = Decimal(self.in_time * 100) / Decimal(self.answered)
        return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _median(by_days: dict[int, list[int]]) -> Decimal | None:
    """The median business days of a histogram {days: [answers, in time]} (answers whose days
    were not recorded left out): the middle value, or the mean of the two middle ones."""
    values = sorted((days, counts[0]) for days, counts in by_days.items() if days != NO_DAYS)
    total = sum(n for _days, n in values)
    if not total:
        return None
    wanted = sorted({(total + 1) // 2, (total + 2) // 2})  # 1-based positions of the middle
    middle: list[int] = []
    seen = 0
    for days, n in values:
        middle += [days for position in wanted if seen < position <= seen + n]
        seen += n
    return Decimal(sum(middle)) / Decimal(len(middle))


def deadline_compliance(
    date_from: date,
    date_to: date,
    *,
    dependency_ids: list[int] | None = None,
    from_rollups: bool | None = None,
) -> list[CentreCompliance]:
    """One row per centre with answers in [date_from, date_to] (local dates) or open overdue
    cases now; `dependency_ids` limits it to those centres. Sorted by centre name."""
    if dependency_ids is not None and not dependency_ids:
        return []
    histogram: dict[int, dict[int, list[int]]] = {}  # centre -> business days -> [all, in time]
    for (centre, days, in_time), n in rollups.counts(
        rollups.ANSWERS,
        date_from,
        date_to,
        dependency_ids=dependency_ids,
        from_rollups=from_rollups,
    ).items():
        counts = histogram.setdefault(centre, {}).setdefault(days, [0, 0])
        counts[0] += n
        counts[1] += n if in_time else 0
    answered = {
        centre or None: (
            sum(all_ for all_, _in_time in by_days.values()),
            sum(in_time for _all, in_time in by_days.values()),
            _median(by_days),
        )
        for centre, by_days in histogram.items()
    }

    overdue_rows = CaseDeadline.objects.filter(
        step=DeadlineStep.ANSWER,
        status=DeadlineStatus.OPEN,
        due_on__lt=timezone.localdate(),
        case__paused_on__isnull=True,
    )
    if dependency_ids is not None:
        overdue_rows = overdue_rows.filter(case__dependency_id__in=dependency_ids)
    overdue = dict(
        overdue_rows.values_list("case__dependency_id").annotate(n=Count("id")).order_by()
    )
    ids = set(answered) | set(overdue)
    names = {
        d.pk: (d.code, d.name) for d in Dependency.objects.filter(pk__in=[i for i in ids if i])
    }
    rows = []
    for dep_id in ids:
        count, in_time, median = answered.get(dep_id, (0, 0, None))
        code, name = names.get(dep_id, ("", "")) if dep_id else ("", "")
        rows.append(
            CentreCompliance(
                dependency_id=dep_id,
                code=code,
                name=name,
                answered=int(count or 0),
                in_time=int(in_time or 0),
                median_business_days=median,
                open_overdue=int(overdue.get(dep_id, 0)),
            )
        )
    return sorted(rows, key=lambda row: (row.name == "", row.name))


# --- The table: its columns, and its order ---------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A column of the report's table (the page's and the files'): the name it is sorted by in
    the address (?orden=<key>, ?orden=-<key> for the other way), its heading, its value."""

    key: str
    label: StrOrPromise
    value: Callable[[CentreCompliance], Any]
    numeric: bool = True


COLUMNS = (
    Column("centro", _("Centre"), lambda row: row.name or None, numeric=False),
    Column("respondidas", _("Cases answered"), lambda row: row.answered),
    Column("en_plazo", _("Within the deadline"), lambda row: row.in_time),
    Column("porcentaje", "%", lambda row: row.percent_in_time),
    Column("mediana", _("Median business days"), lambda row: row.median_business_days),
    Column("vencidos", _("Open and overdue"), lambda row: row.open_overdue),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_ORDER = "centro"


@dataclass(frozen=True)
class Order:
    key: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str | None) -> Order:
        """`centro`, `-porcentaje`...; anything not a column is the default (by centre)."""
        text = (text or "").strip()
        descending = text.startswith("-")
        key = text.removeprefix("-")
        if key not in BY_KEY:
            return cls(DEFAULT_ORDER)
        return cls(key, descending)

    def __str__(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort_compliance(rows: list[CentreCompliance], order: Order) -> list[CentreCompliance]:
    """The rows by one column, ascending or descending; rows without a value there (no
    answers: no share, no median; the cases of no centre) last either way, and rows of the
    same value by centre name."""
    value = BY_KEY[order.key].value
    by_name = sorted(rows, key=lambda row: (row.name == "", row.name))
    known = [row for row in by_name if value(row) is not None]
    known.sort(key=value, reverse=order.descending)  # stable: ties stay by name
    return known + [row for row in by_name if value(row) is None]
