"""The participation report ("Medios de participación ciudadana", seed 003) as one query layer.

Every figure is an aggregate computed by the database (GROUP BY over indexed columns; the
counts per type for each centre are conditional counts in the same query); Python only
assembles the handful of aggregated rows into the report's shape and rounds the percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import ChannelGroup, OpinionType

COMPLAINT_TYPES = ("reclamo", "queja")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tz),
        )


def percentages(counts: list[int]) -> list[Decimal]:
    """Shares with two decimals that add up to exactly 100.00, as the seed prints them: each
    share is rounded down, and the hundredths left over go to the largest remainders."""
    total = sum(counts)
    if not total:
        return [Decimal("0.00") for _ in counts]
    exact = [Decimal(n) * 100 / Decimal(total) for n in counts]
    floors = [value.quantize(HUNDREDTH, rounding=ROUND_DOWN) for value in exact]
    missing = int((Decimal(100) - sum(floors)) / HUNDREDTH)
    order = sorted(
        range(len(counts)), key=lambda i: (exact[i] - floors[i], counts[i]), reverse=True
    )
    for index in order[:missing]:
        floors[index] += HUNDREDTH
    return floors


def participation_report(
    period: Period, *, dependency_ids: list[int] | None = None
) -> dict[str, Any]:
    """The report's figures for `period`; `dependency_ids` limits it to those centres (a
    liaison's own report)."""
    start, end = period.bounds()
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    if dependency_ids is not None:
        cases = cases.filter(dependency_id__in=dependency_ids)
    opinions = cases.filter(kind=CaseKind.OPINION)
    inquiries = cases.filter(kind=CaseKind.INQUIRY)
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "opinions": _opinions(opinions),
        "inquiries": _inquiries(inquiries),
    }


def _counts(queryset: QuerySet[Case], field: str) -> dict[str, int]:
    rows = queryset.values_list(field).annotate(n=Count("id")).order_by("-n", field)
    return {str(key or ""): n for key, n in rows}


def _opinions(opinions: QuerySet[Case]) -> dict[str, Any]:
    type_codes = list(OpinionType.objects.values_list("code", flat=True))
    per_type = {code: Count("id", filter=Q(opinion_type__code=code)) for code in type_codes}
    dependencies = (
        opinions.filter(dependency__isnull=False)
        .values("dependency__code", "dependency__name", "level_of_care")
        .annotate(total=Count("id"), **{f"type_{code}": n for code, n in per_type.items()})
        .order_by("-total", "dependency__name")
    )
    groups = _counts(opinions, "channel__report_group")
    limitantes = (
        opinions.filter(opinion_type__code__in=COMPLAINT_TYPES, limitante__isnull=False)
        .values("limitante__code", "limitante__name")
        .annotate(count=Count("id"))
        .order_by("-count", "limitante__name")
    )
    per_level = (
        opinions.filter(opinion_type__code__in=COMPLAINT_TYPES, limitante__isnull=False)
        .exclude(level_of_care="")
        .values("level_of_care", "limitante__code", "limitante__name")
        .annotate(count=Count("id"))
        .order_by("level_of_care", "-count", "limitante__name")
    )
    limitantes_by_level: dict[str, list[dict[str, Any]]] = {}
    for row in per_level:
        limitantes_by_level.setdefault(row["level_of_care"], []).append(
            {"code": row["limitante__code"], "name": row["limitante__name"], "count": row["count"]}
        )
    return {
        "total": opinions.count(),
        "by_type": _counts(opinions, "opinion_type__code"),
        "by_channel": _counts(opinions, "channel__code"),
        "by_channel_group": {str(ChannelGroup(g).label): n for g, n in groups.items() if g},
        "by_level_of_care": _counts(opinions.exclude(level_of_care=""), "level_of_care"),
        "by_dependency": [
            {
                "code": row["dependency__code"],
                "name": row["dependency__name"],
                "level_of_care": row["level_of_care"],
                "total": row["total"],
                "by_type": {
                    code: row[f"type_{code}"] for code in type_codes if row[f"type_{code}"]
                },
            }
            for row in _plain(dependencies)
        ],
        "limitantes": [
            {"code": row["limitante__code"], "name": row["limitante__name"], "count": row["count"]}
            for row in limitantes
        ],
        # The most frequent complaints of each level of care, as the seed lists them.
        "limitantes_by_level": limitantes_by_level,
    }


def _plain(rows: Any) -> list[dict[str, Any]]:
    """values() rows as plain dicts (their per-type keys are made at run time)."""
    return [dict(row) for row in rows]


def _inquiries(inquiries: QuerySet[Case]) -> dict[str, Any]:
    groups = list(_counts(inquiries, "channel__report_group").items())
    shares = percentages([n for _, n in groups])
    topics = (
        inquiries.filter(topic__isnull=False)
        .values("topic__code", "topic__name")
        .annotate(count=Count("id"))
        .order_by("-count", "topic__name")
    )
    return {
        "total": sum(n for _, n in groups),
        "by_channel_group": [
            {"group": str(ChannelGroup(group).label), "total": n, "percent": str(share)}
            for (group, n), share in zip(groups, shares, strict=True)
        ],
        "topics": [
            {"code": row["topic__code"], "name": row["topic__name"], "count": row["count"]}
            for row in topics
        ],
    }
