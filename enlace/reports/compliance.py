"""Deadline compliance per centre and period, computed in SQL.

For the answers given in the period: how many, how many within their deadline, the share, and
the median business days taken; and, today, how many open cases are past their answer date.
The median is taken with window functions (ROW_NUMBER and COUNT over each centre), which
SQLite and PostgreSQL both run, so the figures are the same on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from enlace.cases.models import CaseDeadline, DeadlineStatus, DeadlineStep
from enlace.directory.models import Dependency

ANSWERED_SQL = """
WITH answered AS (
    SELECT c.dependency_id AS dependency_id,
           d.business_days_taken AS days,
           d.status AS status,
           ROW_NUMBER() OVER (PARTITION BY c.dependency_id ORDER BY d.business_days_taken) AS rn,
           COUNT(*) OVER (PARTITION BY c.dependency_id) AS n
    FROM cases_casedeadline d
    JOIN cases_case c ON c.id = d.case_id
    WHERE d.step = %s AND d.status IN (%s, %s) AND d.met_at >= %s AND d.met_at < %s
          {scope}
)
SELECT dependency_id,
       MAX(n) AS answered,
       SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) AS in_time,
       AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN days END) AS median_days
FROM answered
GROUP BY dependency_id
"""


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


def deadline_compliance(
    date_from: date, date_to: date, *, dependency_ids: list[int] | None = None
) -> list[CentreCompliance]:
    """One row per centre with answers in [date_from, date_to] (local dates) or open overdue
    cases now; `dependency_ids` limits it to those centres. Sorted by centre name."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tz)
    scope_sql, scope_params = "", list[int]()
    if dependency_ids is not None:
        if not dependency_ids:
            return []
        scope_sql = f"AND c.dependency_id IN ({', '.join(['%s'] * len(dependency_ids))})"
        scope_params = list(dependency_ids)
    params: list[str | int | datetime] = [
        DeadlineStep.ANSWER,
        DeadlineStatus.MET,
        DeadlineStatus.MET_LATE,
        start,
        end,
        *scope_params,
        DeadlineStatus.MET,
    ]
    with connection.cursor() as cursor:
        cursor.execute(ANSWERED_SQL.format(scope=scope_sql), params)
        answered = {row[0]: row[1:] for row in cursor.fetchall()}

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
                median_business_days=None if median is None else Decimal(str(median)),
                open_overdue=int(overdue.get(dep_id, 0)),
            )
        )
    return sorted(rows, key=lambda row: (row.name == "", row.name))
