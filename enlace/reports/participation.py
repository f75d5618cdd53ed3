"""The participation report ("Medios de participación ciudadana", seed 003) as one query layer.

Every figure is an aggregate computed by the database (GROUP BY over indexed columns; the
counts per type for each centre are conditional counts in the same query); Python only
assembles the handful of aggregated rows into the report's shape and rounds the percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case
from enlace.cases.queries import counted_between
from enlace.catalogues.models import Channel, ChannelGroup, OpinionType
from enlace.core.shares import percentages
from enlace.directory.models import LevelOfCare
from enlace.participation.figures import information_media, social_figures
from enlace.participation.models import AUDIENCE_BANDS, AudienceDimension

COMPLAINT_TYPES = ("reclamo", "queja")
# An opinion is answered once its answer went to the citizen (and closed after it).
ANSWERED_STATUSES = (CaseStatus.ANSWERED, CaseStatus.CLOSED)
# The codes of the lines that hold what no other line of their section does.
TO_CLASSIFY = "to_classify"
NO_LIMITANTE = "none"
NO_CENTRE = "none"
OTHERS = "others"
FREQUENT = 5  # complaints listed per level of care
FREQUENT_TOPICS = 10
ZERO = Decimal("0.00")


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


def counted_cases(period: Period, *, dependency_ids: list[int] | None = None) -> QuerySet[Case]:
    """The cases a report counts for `period`: received in it, neither void (registered by
    mistake) nor merged into another (the case it was merged into counts once)."""
    cases = counted_between(*period.bounds())
    if dependency_ids is not None:
        cases = cases.filter(dependency_id__in=dependency_ids)
    return cases


def participation_report(
    period: Period, *, dependency_ids: list[int] | None = None
) -> dict[str, Any]:
    """The report's figures for `period`; `dependency_ids` limits it to those centres (a
    liaison's own report).

    Every section is a list of rows {code, name, count, percent}: the code is stable (the same
    in every language), the name is in the request's language, and the percent (two decimals,
    as text) is computed here once, so the page, the PDF, the XLSX and the JSON print the same
    figures. Each section's rows add up to its total (an "Otros" or "Por clasificar" line
    holds what no other line does)."""
    cases = counted_cases(period, dependency_ids=dependency_ids)
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "opinions": _opinions(cases.filter(kind=CaseKind.OPINION)),
        "inquiries": _inquiries(cases.filter(kind=CaseKind.INQUIRY)),
        # The institute's social networks and information media at the period's end.
        "social_networks": social_figures(period.end),
        "information_media": information_media(period.end),
    }


def rows(items: list[tuple[str, str, int]], total: int | None = None) -> list[dict[str, Any]]:
    """Section rows from (code, name, count), each with its share of `total` (default: of the
    rows' sum), the shares adding up to 100.00 when the rows hold the whole total."""
    counts = [count for _code, _name, count in items]
    whole = sum(counts) if total is None else total
    shares = percentages([*counts, whole - sum(counts)])[: len(counts)] if whole else []
    return [
        {"code": code, "name": name, "count": count, "percent": str(share)}
        for (code, name, count), share in zip(items, shares or [ZERO] * len(items), strict=True)
    ]


def _last(items: list[tuple[str, str, int]], code: str) -> list[tuple[str, str, int]]:
    """The line of `code` (what no other line holds) moved to the end of its section."""
    return [item for item in items if item[0] != code] + [i for i in items if i[0] == code]


def share(part: int, whole: int) -> str:
    """`part` as a percentage of `whole` with two decimals, as text ("0.00" of nothing)."""
    return str(percentages([part, whole - part])[0]) if whole else str(ZERO)


def _grouped(queryset: QuerySet[Case], *fields: str) -> list[tuple[Any, ...]]:
    """(*fields, count) rows, the largest first."""
    return list(queryset.values_list(*fields).annotate(n=Count("id")).order_by("-n", *fields))


def _opinions(opinions: QuerySet[Case]) -> dict[str, Any]:
    type_names = dict(OpinionType.objects.values_list("code", "name"))
    channel_names = dict(Channel.objects.values_list("code", "name"))
    level_names = {code: str(label) for code, label in LevelOfCare.choices}
    figures = opinions.aggregate(
        total=Count("id"),
        answered=Count("id", filter=Q(status__in=ANSWERED_STATUSES)),
        complaints=Count("id", filter=Q(opinion_type__code__in=COMPLAINT_TYPES)),
    )
    total, complaints = figures["total"], figures["complaints"]

    by_type = [
        (code or TO_CLASSIFY, type_names.get(code, "") if code else str(_("To classify")), n)
        for code, n in _grouped(opinions, "opinion_type__code")
    ]
    channels = _grouped(opinions, "channel__report_group", "channel__code")
    group_totals: dict[str, int] = {}
    for group, _code, n in channels:
        group_totals[group] = group_totals.get(group, 0) + n
    groups = sorted(group_totals.items(), key=lambda item: (-item[1], item[0]))
    by_group = rows([(g, str(ChannelGroup(g).label), n) for g, n in groups], total)
    for row in by_group:
        row["channels"] = rows(
            [(c, channel_names.get(c, c), n) for g, c, n in channels if g == row["code"]], total
        )

    complaint_cases = opinions.filter(opinion_type__code__in=COMPLAINT_TYPES)
    limitantes = [
        (code, name, n)
        for code, name, n in _grouped(
            complaint_cases.filter(limitante__isnull=False), "limitante__code", "limitante__name"
        )
    ]
    without = complaints - sum(n for _c, _n, n in limitantes)
    if without:
        limitantes.append((NO_LIMITANTE, str(_("No limitante recorded")), without))

    per_type = {code: Count("id", filter=Q(opinion_type__code=code)) for code in type_names}
    dependencies = (
        opinions.filter(dependency__isnull=False)
        .values("dependency__code", "dependency__name", "level_of_care")
        .annotate(total=Count("id"), **{f"type_{code}": n for code, n in per_type.items()})
        .order_by("-total", "dependency__name")
    )
    by_dependency = [
        {
            "code": row["dependency__code"],
            "name": row["dependency__name"],
            "level_of_care": row["level_of_care"],
            "total": row["total"],
            "by_type": {code: row[f"type_{code}"] for code in type_names if row[f"type_{code}"]},
        }
        for row in _plain(dependencies)
    ]
    per_level = _grouped(
        complaint_cases.filter(limitante__isnull=False).exclude(level_of_care=""),
        "level_of_care",
        "limitante__code",
        "limitante__name",
    )
    levels = [
        (code or NO_CENTRE, level_names.get(code, code) if code else str(_("No centre")), n)
        for code, n in _grouped(opinions, "level_of_care")
    ]
    by_level = rows(_last(levels, NO_CENTRE), total)
    for level in by_level:
        level["centres"] = [d for d in by_dependency if d["level_of_care"] == level["code"]]
        # The most frequent complaints of the level, as the seed lists them.
        level["complaints"] = [
            {"code": code, "name": name, "count": n}
            for lvl, code, name, n in sorted(per_level, key=lambda r: (-r[3], r[2]))
            if lvl == level["code"]
        ][:FREQUENT]
    return {
        "total": total,
        "answered": {"count": figures["answered"], "percent": share(figures["answered"], total)},
        "by_type": rows(_last(by_type, TO_CLASSIFY), total),
        "by_channel_group": by_group,
        "by_channel": rows(
            [
                (c, channel_names.get(c, c), n)
                for _g, c, n in sorted(channels, key=lambda row: (-row[2], row[1]))
            ],
            total,
        ),
        "complaints": {
            "count": complaints,
            "percent": share(complaints, total),
            "by_limitante": rows(limitantes, complaints),
        },
        "by_level_of_care": by_level,
        "by_dependency": by_dependency,
    }


def _plain(rows: Any) -> list[dict[str, Any]]:
    """values() rows as plain dicts (their per-type keys are made at run time)."""
    return [dict(row) for row in rows]


def _inquiries(inquiries: QuerySet[Case]) -> dict[str, Any]:
    groups = _grouped(inquiries, "channel__report_group")
    total = sum(n for _g, n in groups)
    topics = _grouped(inquiries.filter(topic__isnull=False), "topic__code", "topic__name")
    listed = topics[:FREQUENT_TOPICS]
    others = total - sum(n for _c, _n, n in listed)
    if others:
        listed.append((OTHERS, str(_("Others")), others))
    return {
        "total": total,
        "by_channel_group": rows([(g, str(ChannelGroup(g).label), n) for g, n in groups], total),
        # The ten most frequent topics, as shares of all inquiries; "Otros" holds the rest
        # (other topics and inquiries without one).
        "topics": rows(listed, total),
    }


def centre_levels(opinions: dict[str, Any]) -> list[dict[str, Any]]:
    """The levels of care whose centres the report lists (not the "no centre" line)."""
    return [level for level in opinions["by_level_of_care"] if level["centres"]]


def type_columns(opinions: dict[str, Any]) -> list[tuple[str, str]]:
    """The opinion types of the centres' tables: (code, name), most frequent first."""
    return [(row["code"], row["name"]) for row in opinions["by_type"] if row["code"] != TO_CLASSIFY]


def audience_text(audience: list[dict[str, Any]]) -> str:
    """An account's audience in words: "Women 61.00%, men 39.00%; most frequent age: 25-34"."""
    sexes = [row for row in audience if row["dimension"] == AudienceDimension.SEX]
    ages = [row for row in audience if row["dimension"] == AudienceDimension.AGE]
    names = AUDIENCE_BANDS[AudienceDimension.SEX]
    parts = []
    if sexes:
        parts.append(
            ", ".join(f"{names.get(row['band'], row['band'])} {row['percent']}%" for row in sexes)
        )
    if ages:
        top = max(ages, key=lambda row: Decimal(row["percent"]))
        parts.append(_("most frequent age: %(band)s years") % {"band": top["band"]})
    return "; ".join(parts)


def social_rows(report: dict[str, Any]) -> list[list[str]]:
    """The social-network section as table rows (account, followers, posts, views, audience),
    the same for the page, the PDF and the workbook."""
    return [
        [
            f"{row['network_name']} {row['handle']}",
            f"{row['followers']:,}",
            f"{row['posts']:,}" if row["posts"] is not None else "—",
            f"{row['views']:,}" if row["views"] is not None else "—",
            audience_text(row["audience"]),
        ]
        for row in report["social_networks"]
    ]


def media_rows(report: dict[str, Any]) -> list[list[str]]:
    """The information media as table rows (kind, total, in the offices, in the centres, in how
    many centres)."""
    return [
        [
            row["name"],
            f"{row['total']:,}",
            f"{row['in_offices']:,}",
            f"{row['in_centres']:,}",
            f"{row['centres']:,}",
        ]
        for row in report["information_media"]
    ]


def social_header() -> list[str]:
    return [_("Account"), _("Followers or subscribers"), _("Posts"), _("Views"), _("Audience")]


def media_header() -> list[str]:
    return [
        _("Information medium"),
        _("Total"),
        _("In the administrative offices"),
        _("In the care centres"),
        _("Centres"),
    ]
