"""The analysis of what the media published about the institute in a period, as one object the
page, the PDF, the workbook (and the scheduled e-mail) render and never query on their own.

An item counts in the period of its publication date (both ends included). Five grouped
queries over one range of the index on `published_on`, whatever the number of items: by
medium, outlet, topic and centre mentioned, each with its split by tone (COUNT ... FILTER), and
the trend by week (periods shorter than WEEKLY_UP_TO_DAYS) or by month. The totals and the
tone's rows are the sums of the medium's rows. Shares are computed once here, with two
decimals adding up to 100.00 (`core.shares.percentages`, largest remainders)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from enlace.core.shares import percentages
from enlace.media import rules
from enlace.media.models import Medium, NewsItem, Tone

TONES = (Tone.POSITIVE, Tone.NEUTRAL, Tone.NEGATIVE)
NO_CENTRE = "none"


@dataclass(frozen=True)
class Row:
    """One line of a section: what it counts (`key`, stable in every language), its name in
    the request's language, its items, their share of the section's total (two decimals, as
    text) and its items by tone."""

    key: str
    label: str
    count: int
    percent: str
    positive: int
    neutral: int
    negative: int

    @property
    def tones(self) -> tuple[int, int, int]:
        return self.positive, self.neutral, self.negative


@dataclass(frozen=True)
class TrendRow:
    start: date  # the week's Monday or the month's first day
    label: str
    count: int
    positive: int
    neutral: int
    negative: int


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # "Items by tone"
    heading: str  # of the table's first column: "Tone"
    rows: list[Row]


@dataclass(frozen=True)
class MediaAnalysis:
    start: date
    end: date
    total: int
    by_tone: list[Row]
    by_medium: list[Row]
    by_outlet: list[Row]
    by_topic: list[Row]
    by_centre: list[Row]
    trend_unit: str  # rules.Unit.WEEK or rules.Unit.MONTH
    trend: list[TrendRow]

    @property
    def sections(self) -> list[Section]:
        """Every section, in the order every rendering prints them."""
        return [
            Section("tone", _("Items by tone"), _("Tone"), self.by_tone),
            Section("medium", _("Items by medium"), _("Type of medium"), self.by_medium),
            Section("outlet", _("Items by outlet"), _("Outlet"), self.by_outlet),
            Section("topic", _("Items by topic"), _("Topic"), self.by_topic),
            Section("centre", _("Items by centre mentioned"), _("Centre"), self.by_centre),
        ]


def items_between(start: date, end: date) -> QuerySet[NewsItem]:
    return NewsItem.objects.filter(published_on__gte=start, published_on__lte=end)


def _by_tone() -> dict[str, Any]:
    return {tone.value: Count("id", filter=Q(tone=tone.value)) for tone in TONES}


def _grouped(items: QuerySet[NewsItem], *fields: str) -> list[dict[str, Any]]:
    return list(items.order_by().values(*fields).annotate(n=Count("id"), **_by_tone()))


def _rows(found: Iterable[tuple[str, str, int, Mapping[str, int]]]) -> list[Row]:
    """Rows from (key, label, count, counts by tone), largest first (then by name), with their
    shares."""
    ordered = sorted(found, key=lambda row: (-row[2], row[1].casefold(), row[0]))
    shares = percentages([count for _key, _label, count, _tones in ordered])
    return [
        Row(
            key=key,
            label=label,
            count=count,
            percent=str(share),
            positive=tones.get(Tone.POSITIVE, 0),
            neutral=tones.get(Tone.NEUTRAL, 0),
            negative=tones.get(Tone.NEGATIVE, 0),
        )
        for (key, label, count, tones), share in zip(ordered, shares, strict=True)
    ]


def _tones_of(row: Mapping[str, Any]) -> dict[str, int]:
    return {tone.value: int(row[tone.value]) for tone in TONES}


def media_analysis(start: date, end: date) -> MediaAnalysis:
    """The figures of the items published from `start` to `end`, both included."""
    items = items_between(start, end)
    media = _grouped(items, "medium")
    outlets = _grouped(items, "outlet_id", "outlet__name")
    topics = _grouped(items, "topic_id", "topic__name")
    centres = _grouped(items, "dependency_id", "dependency__name")
    unit = rules.trend_unit(start, end)
    truncate = TruncWeek if unit == rules.Unit.WEEK else TruncMonth
    trend_rows: list[dict[str, Any]] = [
        dict(row)
        for row in items.order_by()
        .annotate(bucket=truncate("published_on"))
        .values("bucket")
        .annotate(n=Count("id"), **_by_tone())
    ]

    medium_labels = dict(Medium.choices)
    by_medium = _rows(
        (
            row["medium"],
            str(medium_labels.get(row["medium"], row["medium"])),
            row["n"],
            _tones_of(row),
        )
        for row in media
    )
    tone_totals = {
        tone.value: sum(row.tones[i] for row in by_medium) for i, tone in enumerate(TONES)
    }
    # The tones in their own order (positive, neutral, negative), every one shown.
    tone_counts = [tone_totals[tone.value] for tone in TONES]
    by_tone = [
        Row(
            key=tone.value,
            label=str(tone.label),
            count=count,
            percent=str(share),
            positive=count if tone == Tone.POSITIVE else 0,
            neutral=count if tone == Tone.NEUTRAL else 0,
            negative=count if tone == Tone.NEGATIVE else 0,
        )
        for tone, count, share in zip(TONES, tone_counts, percentages(tone_counts), strict=True)
    ]
    by_trend: dict[date, dict[str, Any]] = {}
    for row in trend_rows:
        bucket = row["bucket"]
        day = bucket.date() if hasattr(bucket, "date") else bucket
        by_trend[rules.bucket_of(day, unit)] = row
    trend = []
    for bucket_start in rules.buckets(start, end, unit):
        row = by_trend.get(bucket_start, {})
        trend.append(
            TrendRow(
                start=bucket_start,
                label=_bucket_label(bucket_start, unit),
                count=int(row.get("n", 0)),
                positive=int(row.get(Tone.POSITIVE, 0)),
                neutral=int(row.get(Tone.NEUTRAL, 0)),
                negative=int(row.get(Tone.NEGATIVE, 0)),
            )
        )
    return MediaAnalysis(
        start=start,
        end=end,
        total=sum(tone_counts),
        by_tone=by_tone,
        by_medium=by_medium,
        by_outlet=_rows(
            (str(row["outlet_id"]), row["outlet__name"], row["n"], _tones_of(row))
            for row in outlets
        ),
        by_topic=_rows(
            (str(row["topic_id"]), row["topic__name"], row["n"], _tones_of(row)) for row in topics
        ),
        by_centre=_rows(
            (
                str(row["dependency_id"] or NO_CENTRE),
                row["dependency__name"] or _("No centre mentioned"),
                row["n"],
                _tones_of(row),
            )
            for row in centres
        ),
        trend_unit=unit,
        trend=trend,
    )


def _bucket_label(start: date, unit: str) -> str:
    if unit == rules.Unit.WEEK:
        return _("Week of %(date)s") % {"date": date_format(start, "SHORT_DATE_FORMAT")}
    return date_format(start, "YEAR_MONTH_FORMAT")
