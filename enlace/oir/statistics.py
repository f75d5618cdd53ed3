"""The OIR's figures for a period, as the IAIP asks for them, computed in SQL and returned as
one dict that the page, the XLSX and the JSON API render (none of them queries on its own).

What each figure counts:
- requests, their items, extensions, channels and the requester's profile: the requests
  *received* in the period;
- the items' outcomes: the items of the requests *resolved* in the period (an item is decided
  when its request is resolved), so that the outcomes add up over the same requests as the
  resolved ones and the answer times;
- business days to answer (average and median, for the 10-day rule and for information more
  than five years old): the requests *resolved* in the period, from the integer stored on
  resolution; the median with window functions (ROW_NUMBER, COUNT) that SQLite and PostgreSQL
  both run, as in enlace/reports/compliance.py;
- the notification medium: the requests *notified* in the period;
- appeals and complaints: those *filed* in the period, and their results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from enlace.oir.actions import APPEAL_OUTCOMES
from enlace.oir.models import (
    Appeal,
    AppealKind,
    AppealOutcome,
    Gender,
    InformationRequest,
    NotificationMedium,
    Outcome,
    PersonType,
    RequestChannel,
    RequestItem,
    RequestStatus,
)

ANSWER_TIME_SQL = """
WITH resolved AS (
    SELECT {group} AS grp,
           business_days_to_answer AS days,
           ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY business_days_to_answer) AS rn,
           COUNT(*) OVER (PARTITION BY {group}) AS n
    FROM oir_informationrequest
    WHERE resolved_on >= %s AND resolved_on <= %s AND business_days_to_answer IS NOT NULL
)
SELECT grp,
       MAX(n) AS resolved,
       AVG(days * 1.0) AS average_days,
       AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN days * 1.0 END) AS median_days
FROM resolved
GROUP BY grp
"""


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date


def _round(value: object) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _counts(queryset: QuerySet[Any], field: str, choices: list[tuple[str, Any]]) -> dict[str, int]:
    """Every choice with its count (zero included), in the order of the choices."""
    found = dict(queryset.values_list(field).annotate(n=Count("id")).order_by())
    return {value: int(found.get(value, 0)) for value, _label in choices}


def _answer_times(period: Period) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for key, group in (("all", "1"), ("by_age", "old_information")):
        with connection.cursor() as cursor:
            cursor.execute(ANSWER_TIME_SQL.format(group=group), [period.date_from, period.date_to])
            for grp, resolved, average, median in cursor.fetchall():
                name = key if key == "all" else ("old_information" if grp else "ten_days")
                rows[name] = {
                    "resolved": int(resolved or 0),
                    "average_business_days": _round(average),
                    "median_business_days": _round(median),
                }
    empty = {"resolved": 0, "average_business_days": None, "median_business_days": None}
    return {name: rows.get(name, dict(empty)) for name in ("all", "ten_days", "old_information")}


def oir_statistics(period: Period) -> dict[str, Any]:
    received = InformationRequest.objects.filter(
        received_on__gte=period.date_from, received_on__lte=period.date_to
    )
    items = RequestItem.objects.filter(request__in=received)
    resolved = InformationRequest.objects.filter(
        resolved_on__gte=period.date_from, resolved_on__lte=period.date_to
    )
    notified = InformationRequest.objects.filter(
        notified_on__gte=period.date_from, notified_on__lte=period.date_to
    )
    appeals = Appeal.objects.filter(filed_on__gte=period.date_from, filed_on__lte=period.date_to)

    totals = received.aggregate(
        total=Count("id"),
        extended=Count("id", filter=Q(extended=True)),
        old_information=Count("id", filter=Q(old_information=True)),
    )
    resolved_totals = resolved.aggregate(
        total=Count("id"),
        in_time=Count("id", filter=Q(resolved_on__lte=F("due_on"))),
    )
    outcomes = _counts(
        RequestItem.objects.filter(request__in=resolved).exclude(outcome=""),
        "outcome",
        list(Outcome.choices),
    )
    by_kind_outcome: dict[str, dict[str, int]] = {kind: {} for kind in AppealKind.values}
    for kind, outcome, n in (
        appeals.values_list("kind", "outcome").annotate(n=Count("id")).order_by()
    ):
        by_kind_outcome[kind][outcome or "pending"] = int(n)
    return {
        "period": {"from": period.date_from.isoformat(), "to": period.date_to.isoformat()},
        "requests": {
            "received": int(totals["total"]),
            "by_status": _counts(received, "status", list(RequestStatus.choices)),
            "by_channel": _counts(received, "channel", list(RequestChannel.choices)),
            "by_person_type": _counts(received, "person_type", list(PersonType.choices)),
            "by_gender": _counts(received, "gender", list(Gender.choices)),
            "extended": int(totals["extended"]),
            "old_information": int(totals["old_information"]),
        },
        "items": {
            "total": items.count(),
            "decided": sum(outcomes.values()),
            "by_outcome": outcomes,
        },
        "answer_time": {
            **_answer_times(period),
            "resolved": int(resolved_totals["total"]),
            "resolved_in_time": int(resolved_totals["in_time"]),
        },
        "notification": {
            "notified": notified.count(),
            "by_medium": _counts(notified, "notification_medium", list(NotificationMedium.choices)),
        },
        "appeals": {
            "filed": appeals.count(),
            "by_kind": _counts(appeals, "kind", list(AppealKind.choices)),
            "results": {
                kind: {
                    "pending": by_kind_outcome[kind].get("pending", 0),
                    **{
                        value: by_kind_outcome[kind].get(value, 0)
                        for value, _label in AppealOutcome.choices
                        if value in APPEAL_OUTCOMES[AppealKind(kind)]
                    },
                }
                for kind in AppealKind.values
            },
        },
    }


def labels() -> dict[str, dict[str, str]]:
    """The display names of the codes in the dict, in the active language."""
    return {
        "status": {v: str(label) for v, label in RequestStatus.choices},
        "channel": {v: str(label) for v, label in RequestChannel.choices},
        "person_type": {v: str(label) for v, label in PersonType.choices},
        "gender": {v: str(label) for v, label in Gender.choices},
        "outcome": {v: str(label) for v, label in Outcome.choices},
        "medium": {v: str(label) for v, label in NotificationMedium.choices},
        "appeal_kind": {v: str(label) for v, label in AppealKind.choices},
        "appeal_outcome": {
            "pending": _("Pending"),
            **{v: str(label) for v, label in AppealOutcome.choices},
        },
    }
