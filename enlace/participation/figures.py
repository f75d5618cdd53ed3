"""The figures of the participation mechanisms for a period, counted by the database.

`mechanisms_table()` is seed 002's yearly table: for each mechanism its description and what
measures it in the period — its events (how many, the distinct centres that supported them, the
places and their share by zone, attendance), the opinions of its channel groups, and its
social-network accounts (interactions in the period, followers at its start and end). Each part
is one GROUP BY over indexed columns for all mechanisms at once; Python assembles the rows.

`social_figures()` and `information_media()` are the sections seed 003's participation report
adds: the accounts' figures at the period's end, and the inventory of information media.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from enlace.cases import rollups
from enlace.cases.lifecycle import CaseKind
from enlace.catalogues.models import Channel, ChannelGroup
from enlace.core.shares import percentages
from enlace.directory.models import LevelOfCare, Region
from enlace.participation.models import (
    AccountFigures,
    AudienceShare,
    EventCentre,
    InformationMedium,
    Mechanism,
    MediumKind,
    ParticipationEvent,
    ReportingYear,
    SocialAccount,
)

# Up to this many events are listed one by one (date and place), as seed 002 lists the two
# transparency fairs; up to this many places are named, as it names the festivals' 18.
LISTED_EVENTS = 5
NAMED_PLACES = 30


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )


def year_windows(year: int) -> tuple[Window, Window, date | None]:
    """The year, the window its opinions are counted over, and the day the table is stated
    at (the unit's ReportingYear, else the whole year)."""
    whole = Window(date(year, 1, 1), date(year, 12, 31))
    stated = ReportingYear.objects.filter(year=year).first()
    if stated is None:
        return whole, whole, None
    return whole, Window(stated.opinions_from, stated.opinions_to), stated.stated_on


def _rows(items: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    shares = percentages([count for _code, _name, count in items])
    return [
        {"code": code, "name": name, "count": count, "percent": str(share)}
        for (code, name, count), share in zip(items, shares, strict=True)
    ]


def _events(period: Window) -> dict[int, dict[str, Any]]:
    """Per mechanism: its events in the period and what they reached."""
    events = ParticipationEvent.objects.filter(starts_on__range=(period.start, period.end))
    totals = {
        row["mechanism_id"]: row
        for row in events.values("mechanism_id").annotate(
            count=Count("id"),
            attendance=Sum("attendance"),
            services=Sum("services"),
            places=Count("municipality_id", distinct=True),
        )
    }
    centres = EventCentre.objects.filter(starts_on__range=(period.start, period.end))
    centre_counts = dict(
        centres.values_list("mechanism_id").annotate(n=Count("dependency_id", distinct=True))
    )
    by_level: dict[int, list[tuple[str, str, int]]] = {}
    level_names = dict(LevelOfCare.choices)
    for mechanism_id, level, n in (
        centres.values_list("mechanism_id", "dependency__level_of_care")
        .annotate(n=Count("dependency_id", distinct=True))
        .order_by("mechanism_id", "-n", "dependency__level_of_care")
    ):
        by_level.setdefault(mechanism_id, []).append((level, str(level_names.get(level, level)), n))
    regions: dict[int, dict[str, int]] = {}
    for mechanism_id, region, n in events.values_list("mechanism_id", "region").annotate(
        n=Count("municipality_id", distinct=True)
    ):
        regions.setdefault(mechanism_id, {})[region] = n
    places: dict[int, list[str]] = {}
    named = {m: row["places"] for m, row in totals.items() if row["places"] <= NAMED_PLACES}
    if named:
        for mechanism_id, name in (
            events.filter(mechanism_id__in=named)
            .values_list("mechanism_id", "municipality__name")
            .distinct()
            .order_by("mechanism_id", "municipality__name")
        ):
            places.setdefault(mechanism_id, []).append(name)
    listed: dict[int, list[dict[str, Any]]] = {}
    few = [m for m, row in totals.items() if row["count"] <= LISTED_EVENTS]
    for event in (
        events.filter(mechanism_id__in=few)
        .select_related("municipality")
        .order_by("mechanism_id", "starts_on", "id")
    ):
        listed.setdefault(event.mechanism_id, []).append(
            {
                "name": event.name,
                "starts_on": event.starts_on.isoformat(),
                "ends_on": event.ends_on.isoformat(),
                "venue": event.venue,
                "municipality": event.municipality.name,
                "department": event.municipality.get_department_display(),
            }
        )
    result: dict[int, dict[str, Any]] = {}
    for mechanism_id, row in totals.items():
        zones = regions.get(mechanism_id, {})
        region_rows = [(code, str(label), zones.get(code, 0)) for code, label in Region.choices]
        result[mechanism_id] = {
            "count": row["count"],
            "attendance": row["attendance"] or 0,
            "services": row["services"] or 0,
            "centres": centre_counts.get(mechanism_id, 0),
            "centres_by_level": [
                {"code": code, "name": name, "count": n}
                for code, name, n in by_level.get(mechanism_id, [])
            ],
            "places": row["places"],
            "place_names": places.get(mechanism_id, []),
            # Each zone's share of the distinct places (a municipality counted once per zone).
            "by_region": _rows(region_rows),
            "listed": listed.get(mechanism_id, []),
        }
    return result


def _opinions(window: Window) -> dict[str, int]:
    """Opinions per channel group in the window (void and merged cases not counted), from
    the rollups (enlace/cases/rollups.py)."""
    group_of = dict(Channel.objects.values_list("id", "report_group"))
    found: dict[str, int] = {}
    for (kind, channel_id), n in rollups.counts(
        rollups.CHANNELS, window.start, window.end, keep=("kind", "channel_id")
    ).items():
        if kind == CaseKind.OPINION and channel_id in group_of:
            found[group_of[channel_id]] = found.get(group_of[channel_id], 0) + n
    return found


def _figures_on(day: date, field: str = "followers") -> Subquery:
    """An account's `field` in its last figures recorded on or before `day`."""
    return Subquery(
        AccountFigures.objects.filter(account=OuterRef("pk"), on__lte=day)
        .order_by("-on")
        .values(field)[:1],
        output_field=IntegerField(),
    )


def _last_on(day: date) -> Subquery:
    return Subquery(
        AccountFigures.objects.filter(account=OuterRef("pk"), on__lte=day)
        .order_by("-on")
        .values("on")[:1]
    )


def _social(period: Window) -> dict[int, list[dict[str, Any]]]:
    """Per mechanism: its accounts' interactions in the period and follower growth."""
    accounts = (
        SocialAccount.objects.filter(mechanism__isnull=False)
        .annotate(
            interactions=Sum(
                "figures__interactions",
                filter=Q(figures__on__range=(period.start, period.end)),
            ),
            followers_from=_figures_on(period.start),
            from_on=_last_on(period.start),
            followers_to=_figures_on(period.end),
            to_on=_last_on(period.end),
        )
        .order_by("sort_order", "handle")
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for account in accounts:
        assert account.mechanism_id is not None
        start, end = account.followers_from, account.followers_to
        result.setdefault(account.mechanism_id, []).append(
            {
                "handle": account.handle,
                "name": account.name,
                "network": account.network,
                "network_name": str(account.get_network_display()),
                "interactions": account.interactions or 0,
                "followers_from": start,
                "from_on": account.from_on.isoformat() if account.from_on else None,
                "followers_to": end,
                "to_on": account.to_on.isoformat() if account.to_on else None,
                "growth": end - start if start is not None and end is not None else None,
            }
        )
    return result


def mechanisms_table(period: Window, opinions_window: Window | None = None) -> dict[str, Any]:
    """Seed 002's table for `period`: every active mechanism (one counted by its events only
    when it held some), its description and the figures of its events, opinions and accounts.
    The opinions are counted over `opinions_window` (default: the period)."""
    opinions_window = opinions_window or period
    events = _events(period)
    opinions = _opinions(opinions_window)
    social = _social(period)
    group_names = dict(ChannelGroup.choices)
    mechanisms = []
    for mechanism in Mechanism.objects.filter(is_active=True):
        groups = [g for g in mechanism.channel_groups if g in group_names]
        if mechanism.has_events and mechanism.pk not in events and not groups:
            continue  # a mechanism of events that held none in the period was not implemented
        mechanisms.append(
            {
                "code": mechanism.code,
                "name": mechanism.name,
                "objective": mechanism.objective,
                "requirements": mechanism.requirements,
                "location": mechanism.location,
                "source": mechanism.source,
                "events": events.get(mechanism.pk, _no_events()) if mechanism.has_events else None,
                "opinions": (
                    {
                        "count": sum(opinions.get(g, 0) for g in groups),
                        "by_channel_group": [
                            {"code": g, "name": str(group_names[g]), "count": opinions.get(g, 0)}
                            for g in groups
                        ],
                    }
                    if groups
                    else None
                ),
                "accounts": social.get(mechanism.pk, []),
            }
        )
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "opinions_period": {
            "from": opinions_window.start.isoformat(),
            "to": opinions_window.end.isoformat(),
        },
        "mechanisms": mechanisms,
    }


def _no_events() -> dict[str, Any]:
    return {
        "count": 0,
        "attendance": 0,
        "services": 0,
        "centres": 0,
        "centres_by_level": [],
        "places": 0,
        "place_names": [],
        "by_region": [],
        "listed": [],
    }


def social_figures(day: date) -> list[dict[str, Any]]:
    """Every active account's figures as of `day` (its last record on or before it), with the
    audience of that record: seed 003's "Redes sociales" section at the period's end."""
    accounts = (
        SocialAccount.objects.filter(is_active=True)
        .annotate(
            last_id=Subquery(
                AccountFigures.objects.filter(account=OuterRef("pk"), on__lte=day)
                .order_by("-on")
                .values("id")[:1]
            )
        )
        .filter(last_id__isnull=False)
        .order_by("sort_order", "handle")
    )
    rows = list(accounts)
    figures = AccountFigures.objects.in_bulk([a.last_id for a in rows])
    audience: dict[int, list[dict[str, Any]]] = {}
    for share in AudienceShare.objects.filter(figures_id__in=figures).order_by(
        "figures_id", "dimension", "-percent", "band"
    ):
        audience.setdefault(share.figures_id, []).append(
            {"dimension": share.dimension, "band": share.band, "percent": str(share.percent)}
        )
    result = []
    for account in rows:
        record = figures[account.last_id]
        result.append(
            {
                "handle": account.handle,
                "name": account.name,
                "network": account.network,
                "network_name": str(account.get_network_display()),
                "on": record.on.isoformat(),
                "followers": record.followers,
                "posts": record.posts,
                "views": record.views,
                "audience": audience.get(record.pk, []),
            }
        )
    return result


def information_media(day: date) -> list[dict[str, Any]]:
    """The information media in place on `day`, per kind: how many, how many in the
    administrative offices and in the care centres, and in how many centres."""
    in_place = InformationMedium.objects.filter(
        Q(since__isnull=True) | Q(since__lte=day), Q(until__isnull=True) | Q(until__gt=day)
    )
    offices = Q(dependency__level_of_care=LevelOfCare.ADMINISTRATIVO)
    centres = Q(dependency__isnull=False) & ~offices
    kinds = dict(MediumKind.choices)
    return [
        {
            "code": row["kind"],
            "name": str(kinds.get(row["kind"], row["kind"])),
            "total": row["total"] or 0,
            "in_offices": row["in_offices"] or 0,
            "in_centres": row["in_centres"] or 0,
            "centres": row["centres"],
        }
        for row in in_place.values("kind")
        .annotate(
            total=Sum("quantity"),
            in_offices=Sum("quantity", filter=offices),
            in_centres=Sum("quantity", filter=centres),
            centres=Count("dependency_id", filter=centres, distinct=True),
        )
        .order_by("kind")
    ]


def growth(account: SocialAccount, start: date, end: date) -> dict[str, Any]:
    """An account's followers on two days (its last records on or before each) and the
    difference."""
    values: dict[str, Any] = dict(
        SocialAccount.objects.filter(pk=account.pk)
        .annotate(
            a=_figures_on(start), b=_figures_on(end), a_on=_last_on(start), b_on=_last_on(end)
        )
        .values("a", "b", "a_on", "b_on")
        .get()
    )
    first, last = values["a"], values["b"]
    return {
        "from": first,
        "from_on": values["a_on"],
        "to": last,
        "to_on": values["b_on"],
        "growth": last - first if first is not None and last is not None else None,
    }
