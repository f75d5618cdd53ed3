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

from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.cases import rollups
from enlace.cases.lifecycle import CaseKind
from enlace.catalogues.models import Channel, ChannelGroup, InquiryTopic, Limitante, OpinionType
from enlace.core.shares import percentages
from enlace.directory.models import Dependency, LevelOfCare
from enlace.participation.figures import information_media, social_figures
from enlace.participation.models import AUDIENCE_BANDS, AudienceDimension

COMPLAINT_TYPES = ("reclamo", "queja")
OPINION, INQUIRY = CaseKind.OPINION.value, CaseKind.INQUIRY.value
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


def section_counts(
    slice_: rollups.Slice,
    period: Period,
    *,
    dependency_ids: list[int] | None = None,
    by_month: bool = False,
    keep: tuple[str, ...] | None = None,
    from_rollups: bool | None = None,
) -> dict[tuple[Any, ...], int]:
    """A slice's counts for the period (enlace/cases/rollups.py)."""
    return rollups.counts(
        slice_,
        period.start,
        period.end,
        dependency_ids=dependency_ids,
        by_month=by_month,
        keep=keep,
        from_rollups=from_rollups,
    )


def participation_report(
    period: Period, *, dependency_ids: list[int] | None = None, from_rollups: bool | None = None
) -> dict[str, Any]:
    """The report's figures for `period`; `dependency_ids` limits it to those centres (a
    liaison's own report). Cases received in the period count, neither void (registered by
    mistake) nor merged into another (the case it was merged into counts once).

    Every section is a list of rows {code, name, count, percent}: the code is stable (the same
    in every language), the name is in the request's language, and the percent (two decimals,
    as text) is computed here once, so the page, the PDF, the XLSX and the JSON print the same
    figures. Each section's rows add up to its total (an "Otros" or "Por clasificar" line
    holds what no other line does). The counts come from the rollups: a few hundred grouped
    rows per section whatever the number of cases; Python only arranges them."""
    if from_rollups is None:
        from_rollups = rollups.ready()
    scope: dict[str, Any] = {"dependency_ids": dependency_ids, "from_rollups": from_rollups}
    # Each section groups by only what it shows (in SQL): few rows whatever the history.
    channels = section_counts(rollups.CHANNELS, period, keep=("kind", "channel_id"), **scope)
    channel_rows = list(Channel.objects.values_list("id", "code", "name", "report_group"))
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "opinions": _opinions(
            {channel: n for (kind, channel), n in channels.items() if kind == OPINION},
            section_counts(rollups.OPINIONS, period, **scope),
            section_counts(
                rollups.LIMITANTES,
                period,
                keep=("level_of_care", "opinion_type_id", "limitante_id"),
                **scope,
            ),
            channel_rows,
        ),
        "inquiries": _inquiries(
            {channel: n for (kind, channel), n in channels.items() if kind == INQUIRY},
            section_counts(rollups.TOPICS, period, keep=("topic_id",), **scope),
            channel_rows,
        ),
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


def _added(counts: dict[Any, int], key: Any) -> dict[Any, int]:
    """`counts` added up by `key(counted key)`, keys mapped to None left out."""
    found: dict[Any, int] = {}
    for counted, n in counts.items():
        picked = key(counted)
        if picked is not None:
            found[picked] = found.get(picked, 0) + n
    return found


def _largest(items: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """(*names, count) rows, the largest count first, then by the names."""
    return sorted(items, key=lambda item: (-item[-1], *(str(part) for part in item[:-1])))


def _opinions(
    channels: dict[int, int],
    types: dict[tuple[int, str, int, bool], int],
    limitantes: dict[tuple[str, int, int], int],
    channel_rows: list[tuple[int, str, str, str]],
) -> dict[str, Any]:
    """The opinions' sections from the counts per channel, per (centre, level, type,
    answered) and per (level, type, limitante)."""
    type_rows = list(OpinionType.objects.values_list("id", "code", "name"))
    type_codes = {pk: code for pk, code, _name in type_rows}
    type_names = {code: name for _pk, code, name in type_rows}
    channel_of = {pk: (code, name, group) for pk, code, name, group in channel_rows}
    level_names = {code: str(label) for code, label in LevelOfCare.choices}
    complaint_ids = {pk for pk, code in type_codes.items() if code in COMPLAINT_TYPES}

    total = sum(types.values())
    answered = sum(n for (_d, _l, _t, is_answered), n in types.items() if is_answered)
    complaints = sum(n for (_d, _l, type_id, _a), n in types.items() if type_id in complaint_ids)

    by_type = [
        (code or TO_CLASSIFY, type_names.get(code, "") if code else str(_("To classify")), n)
        for code, n in _largest(list(_added(types, lambda k: type_codes.get(k[2], "")).items()))
    ]
    named = [(channel_of[pk], n) for pk, n in channels.items() if pk in channel_of]
    channel_counts = _largest([(group, code, n) for (code, _name, group), n in named])
    channel_names = {code: name for (code, name, _group), _n in named}
    group_totals: dict[str, int] = {}
    for group, _code, n in channel_counts:
        group_totals[group] = group_totals.get(group, 0) + n
    groups = _largest(list(group_totals.items()))
    by_group = rows([(g, str(ChannelGroup(g).label), n) for g, n in groups], total)
    for row in by_group:
        row["channels"] = rows(
            [(c, channel_names.get(c, c), n) for g, c, n in channel_counts if g == row["code"]],
            total,
        )

    complaint_limitantes = {k: n for k, n in limitantes.items() if k[1] in complaint_ids}
    limitante_rows = Limitante.objects.filter(
        pk__in={k[2] for k in complaint_limitantes}
    ).values_list("id", "code", "name")
    limitante_of = {pk: (code, name) for pk, code, name in limitante_rows}
    by_limitante = _largest(
        [
            (*limitante_of[pk], n)
            for pk, n in _added(complaint_limitantes, lambda k: k[2]).items()
            if pk in limitante_of
        ]
    )
    without = complaints - sum(n for _c, _n, n in by_limitante)
    if without:
        by_limitante.append((NO_LIMITANTE, str(_("No limitante recorded")), without))

    centres = _added(types, lambda k: (k[0], k[1]) if k[0] else None)
    centre_types = _added(types, lambda k: (k[0], k[1], type_codes.get(k[2], "")) if k[0] else None)
    centre_rows = Dependency.objects.filter(pk__in={dep for dep, _level in centres})
    centre_names = {
        pk: (code, name) for pk, code, name in centre_rows.values_list("id", "code", "name")
    }
    by_dependency = [
        {
            "code": centre_names[dep][0],
            "name": centre_names[dep][1],
            "level_of_care": level,
            "total": n,
            "by_type": {
                code: centre_types[(dep, level, code)]
                for code in type_names
                if centre_types.get((dep, level, code))
            },
        }
        for (dep, level), n in sorted(
            centres.items(), key=lambda item: (-item[1], centre_names[item[0][0]][1], item[0])
        )
        if dep in centre_names
    ]
    per_level = _largest(
        [
            (level, *limitante_of[pk], n)
            for (level, pk), n in _added(
                complaint_limitantes, lambda k: (k[0], k[2]) if k[0] else None
            ).items()
            if pk in limitante_of
        ]
    )
    levels = [
        (code or NO_CENTRE, level_names.get(code, code) if code else str(_("No centre")), n)
        for code, n in _largest(list(_added(types, lambda k: k[1]).items()))
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
        "answered": {"count": answered, "percent": share(answered, total)},
        "by_type": rows(_last(by_type, TO_CLASSIFY), total),
        "by_channel_group": by_group,
        "by_channel": rows(
            [
                (c, channel_names.get(c, c), n)
                for _g, c, n in sorted(channel_counts, key=lambda row: (-row[2], row[1]))
            ],
            total,
        ),
        "complaints": {
            "count": complaints,
            "percent": share(complaints, total),
            "by_limitante": rows(by_limitante, complaints),
        },
        "by_level_of_care": by_level,
        "by_dependency": by_dependency,
    }


def _inquiries(
    channels: dict[int, int],
    topics: dict[tuple[int], int],
    channel_rows: list[tuple[int, str, str, str]],
) -> dict[str, Any]:
    """The inquiries' sections from the counts per channel and per topic."""
    group_of = {pk: group for pk, _code, _name, group in channel_rows}
    groups = _largest(list(_added(channels, lambda k: group_of.get(k)).items()))
    total = sum(n for _g, n in groups)
    per_topic = _added(topics, lambda k: k[0] or None)
    topic_of = {
        pk: (code, name)
        for pk, code, name in InquiryTopic.objects.filter(pk__in=per_topic).values_list(
            "id", "code", "name"
        )
    }
    ranked = _largest([(*topic_of[pk], n) for pk, n in per_topic.items() if pk in topic_of])
    listed = ranked[:FREQUENT_TOPICS]
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
