"""Rollups: how many counted cases (and answers given) share each key, per day, month and
year, kept exact as cases change, so the reports' time depends on the periods and keys they
show, not on the cases.

- **Writes** append `RollupDelta` rows (-1 for the key a case no longer counts as, +1 for the
  new one) in the transaction that changes the case (`Case.save()`), and `AnswerDelta` rows
  for the answers given (`CaseDeadline.save()`), never touching a shared counter: concurrent
  registrations at one centre never wait on each other.
- **The fold** (`fold()`, run by the sweeper every minute) moves the deltas into the rollups,
  per slice and grain, with an upsert that adds to the stored count, and deletes them, in one
  transaction: a reader sees every change either as a delta or in a rollup, never both. One
  folder runs at a time (a PostgreSQL advisory lock; SQLite serialises writers).
- **Readers** (`counts()`) add, in one statement, the year rows of the years a period covers
  whole, the month rows of the whole months left, the day rows of the days at its edges and
  the deltas of its days.
- **The checker** (`verify()`, nightly from the sweeper and `manage.py verify_rollups`)
  compares each month with a full GROUP BY over its cases (and answers), then each year with
  its months, and repairs a difference;
  `rebuild()` (`manage.py rebuild_rollups`) builds them all after a restore or a bulk load.

A slice is a rollup model (enlace/cases/models.py) with the dimensions it keeps and the cases it
holds. Each dimension is a column of the delta and has an expression over the cases, which is
how the checker and `raw_counts()` count the same thing straight from the cases.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import DatabaseError, connections, models, transaction
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Conditional
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from enlace.cases.counted import (
    ANSWERED_STATUSES,
    NONE,
    NOT_COUNTED,
    Counted,
)
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import (
    MET_STATUSES,
    NO_DAYS,
    AnswerDelta,
    AnswerRollup,
    Case,
    CaseDeadline,
    ChannelRollup,
    DeadlineStatus,
    DeadlineStep,
    Grain,
    LimitanteRollup,
    OpinionRollup,
    Rollup,
    RollupCheck,
    RollupDelta,
    TopicRollup,
    TrendRollup,
)

log = logging.getLogger("enlace.rollups")

FOLD_BATCH = 2000
LOCK_KEY = 0x454E4C52  # the fold's PostgreSQL advisory lock ("ENLR")
VERIFY_DAYS = 7  # the nightly check looks at the months these last days touch


class Busy(RuntimeError):
    """Another process holds the fold's lock (folding, checking or rebuilding)."""


@dataclass(frozen=True)
class Slice:
    model: type[Rollup]
    # The deltas (and cases) the slice holds, as filters on the delta's columns.
    holds: dict[str, Any] = field(default_factory=dict)
    excludes: dict[str, Any] = field(default_factory=dict)
    # What it counts: cases (by the day received, RollupDelta) or answers given (met answer
    # deadlines, by the day met, AnswerDelta).
    delta: type[models.Model] = RollupDelta

    @property
    def name(self) -> str:
        return self.model._meta.model_name or ""

    @property
    def dimensions(self) -> tuple[str, ...]:
        return self.model.DIMENSIONS

    def deltas(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(**self.holds).exclude(**self.excludes)

    def deltas_between(self, start: date, end: date) -> QuerySet[Any]:
        return self.deltas(self.delta._default_manager.filter(day__gte=start, day__lte=end))


CHANNELS = Slice(ChannelRollup)
OPINIONS = Slice(OpinionRollup, holds={"kind": CaseKind.OPINION})
LIMITANTES = Slice(
    LimitanteRollup, holds={"kind": CaseKind.OPINION}, excludes={"limitante_id": NONE}
)
TOPICS = Slice(TopicRollup, holds={"kind": CaseKind.INQUIRY})
ANSWERS = Slice(AnswerRollup, delta=AnswerDelta)
TREND = Slice(TrendRollup)  # national: no centre, so never read for some centres only
SLICES = (CHANNELS, OPINIONS, LIMITANTES, TOPICS, ANSWERS, TREND)
DELTAS: tuple[type[models.Model], ...] = (RollupDelta, AnswerDelta)


# -- The cases' side: each dimension as an expression over `cases_case` ---------------------


def _case_dimension(name: str) -> Expression | F:
    if name in ("kind", "level_of_care"):
        return F(name)
    if name == "answered":
        return Conditional(
            When(status__in=ANSWERED_STATUSES, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    return Coalesce(F(name), Value(NONE))


def counted_cases(start: date, end: date) -> QuerySet[Case]:
    """The cases received on the local days [start, end], neither void nor merged."""
    tz = timezone.get_current_timezone()
    return Case.objects.filter(
        received_at__gte=datetime.combine(start, time.min, tz),
        received_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
    ).exclude(status__in=NOT_COUNTED)


def _case_filter(slice_: Slice) -> Q:
    condition = Q(**slice_.holds)
    for name, value in slice_.excludes.items():
        condition &= ~Q(**{name: value}) & Q(**{f"{name}__isnull": False})
    return condition


def answers_given(start: date, end: date) -> QuerySet[CaseDeadline]:
    """The answer deadlines met on the local days [start, end]: the answers given."""
    tz = timezone.get_current_timezone()
    return CaseDeadline.objects.filter(
        step=DeadlineStep.ANSWER,
        status__in=MET_STATUSES,
        met_at__gte=datetime.combine(start, time.min, tz),
        met_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
    )


ANSWER_EXPRESSIONS: dict[str, Any] = {
    "dependency_id": Coalesce(F("case__dependency_id"), Value(NONE)),
    "business_days": Coalesce(F("business_days_taken"), Value(NO_DAYS)),
    "in_time": Conditional(
        When(status=DeadlineStatus.MET, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    ),
}


def raw_counts(
    slice_: Slice,
    start: date,
    end: date,
    *,
    dependency_ids: Iterable[int] | None = None,
    by: str = "",
    keep: tuple[str, ...] | None = None,
) -> dict[tuple[Any, ...], int]:
    """The slice's counts for the days [start, end] by a full GROUP BY over the cases (or the
    answer deadlines): what the rollups must hold. `by` = "day" or "month" puts the day or the
    month first in each key; `dependency_ids` keeps those centres; `keep` names the
    dimensions the keys hold (default: all the slice's)."""
    dimensions = keep if keep is not None else slice_.dimensions
    tz = timezone.get_current_timezone()
    rows: QuerySet[Any]
    if slice_.delta is AnswerDelta:
        rows = answers_given(start, end)
        if dependency_ids is not None:
            rows = rows.filter(case__dependency_id__in=list(dependency_ids))
        expressions = {f"d_{name}": ANSWER_EXPRESSIONS[name] for name in dimensions}
        day = TruncDate("met_at", tzinfo=tz)
    else:
        rows = counted_cases(start, end).filter(_case_filter(slice_))
        if dependency_ids is not None:
            rows = rows.filter(dependency_id__in=list(dependency_ids))
        expressions = {f"d_{name}": _case_dimension(name) for name in dimensions}
        day = TruncDate("received_at", tzinfo=tz)
    names = list(expressions)
    rows = rows.annotate(**expressions)
    if by:
        rows = rows.annotate(d_day=day)
        names.insert(0, "d_day")
    found: Counter[tuple[Any, ...]] = Counter()
    for *key, n in rows.values_list(*names).annotate(n=Count("id")).order_by():
        if by == "month":
            key[0] = key[0].replace(day=1)
        found[tuple(key)] += n
    return dict(found)


# -- Reading --------------------------------------------------------------------------------


def _cover(
    start: date, end: date, *, years: bool = True
) -> tuple[list[date], list[date], list[tuple[date, date]]]:
    """How to read [start, end]: the years it covers whole (their first days, when `years`),
    the whole months left (their first days) and the day ranges left over."""
    whole_years: list[date] = []
    months: list[date] = []
    edges: list[tuple[date, date]] = []
    day = start
    while day <= end:
        if years and day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= end:
            whole_years.append(day)
            day = date(day.year + 1, 1, 1)
            continue
        first = day.replace(day=1)
        last = _month_end(first)
        if day == first and last <= end:
            months.append(first)
        else:
            edges.append((day, min(last, end)))
        day = last + timedelta(days=1)
    return whole_years, months, edges


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def counts(
    slice_: Slice,
    start: date,
    end: date,
    *,
    dependency_ids: Iterable[int] | None = None,
    by_month: bool = False,
    keep: tuple[str, ...] | None = None,
    from_rollups: bool | None = None,
) -> dict[tuple[Any, ...], int]:
    """What the reports read: the slice's counts for the days [start, end] from the rollups
    once they hold every case (`ready()`, unless the caller already asked: `from_rollups`),
    else straight from the cases (the same keys and figures, at the cost of reading them).
    `keep` names the dimensions the keys hold (default: all the slice's), added up in SQL."""
    if dependency_ids is not None and "dependency_id" not in slice_.dimensions:
        raise ValueError(f"{slice_.name} counts every centre together")
    scope: dict[str, Any] = {"dependency_ids": dependency_ids, "keep": keep}
    if ready() if from_rollups is None else from_rollups:
        return rollup_counts(slice_, start, end, by_month=by_month, **scope)
    return raw_counts(slice_, start, end, by="month" if by_month else "", **scope)


def rollup_counts(
    slice_: Slice,
    start: date,
    end: date,
    *,
    dependency_ids: Iterable[int] | None = None,
    by_month: bool = False,
    keep: tuple[str, ...] | None = None,
) -> dict[tuple[Any, ...], int]:
    """The slice's counts for the days [start, end], keyed by its dimensions (or those in
    `keep`; the month's first day first when `by_month`), keys with no case left out;
    `dependency_ids` keeps those centres. One statement: the month rows, the edge days' rows
    and the deltas, each grouped by the key in SQL."""
    # By month, a whole year is read as its months.
    years, months, edges = _cover(start, end, years=not by_month)
    period = Q(pk__in=[])
    if years:
        period |= Q(grain=Grain.YEAR, period__in=years)
    if months:
        period |= Q(grain=Grain.MONTH, period__in=months)
    for first, last in edges:
        period |= Q(grain=Grain.DAY, period__gte=first, period__lte=last)
    stored = slice_.model._default_manager.filter(period)
    deltas = slice_.deltas_between(start, end)
    if dependency_ids is not None:  # a per-centre slice (`counts` refuses a national one)
        centres = Q(dependency_id__in=list(dependency_ids))
        stored = stored.filter(centres)
        deltas = deltas.filter(centres)
    names: list[str] = list(keep if keep is not None else slice_.dimensions)
    if by_month:
        # A month row's period is its first day; a day row's and a delta's day is mapped to
        # its month here, in Python, over the handful of grouped rows.
        stored_rows = stored.values_list("period", *names).annotate(total=Sum("n")).order_by()
        delta_rows = deltas.values_list("day", *names).annotate(total=Sum("n")).order_by()
    else:
        stored_rows = stored.values_list(*names).annotate(total=Sum("n")).order_by()
        delta_rows = deltas.values_list(*names).annotate(total=Sum("n")).order_by()
    found: Counter[tuple[Any, ...]] = Counter()
    for *key, total in stored_rows.union(delta_rows, all=True):
        if by_month:
            key[0] = key[0].replace(day=1)
        found[tuple(key)] += total
    return {key: n for key, n in found.items() if n}


def ready() -> bool:
    """Whether the rollups hold every case: built when the first migration found no cases, or
    rebuilt since. Until then the reports count the cases themselves."""
    return RollupCheck.objects.filter(
        kind__in=(RollupCheck.Kind.EMPTY, RollupCheck.Kind.REBUILT)
    ).exists()


# -- Writing --------------------------------------------------------------------------------


DELTA_DIMENSIONS = Counted._fields[1:]  # a case's key after its day (enlace/cases/counted.py)


def record_inserted(cases: QuerySet[Case]) -> int:
    """The deltas of cases inserted in SQL (the historical import), grouped by key in the
    database: one delta row per key, not per case. Call it in the inserting transaction."""
    tz = timezone.get_current_timezone()
    grouped = (
        cases.exclude(status__in=NOT_COUNTED)
        .annotate(
            d_day=TruncDate("received_at", tzinfo=tz),
            **{f"d_{name}": _case_dimension(name) for name in DELTA_DIMENSIONS},
        )
        .values_list("d_day", *(f"d_{name}" for name in DELTA_DIMENSIONS))
        .annotate(total=Count("id"))
        .order_by()
    )
    rows = [
        RollupDelta(day=day, n=total, **dict(zip(DELTA_DIMENSIONS, key, strict=True)))
        for day, *key, total in grouped
    ]
    RollupDelta.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@contextmanager
def _folding(*, snapshot: bool = False) -> Iterator[bool]:
    """A transaction holding the fold's lock; yields False when another process holds it.

    With `snapshot`, on PostgreSQL every statement of the transaction reads the database as it
    was at its first (REPEATABLE READ), so the cases and the rollups plus deltas compared and
    replaced are of one moment, while writers go on appending deltas that stay for the next
    fold. (Inside an outer transaction, as in the tests, the outer one decides.) Should a fold
    commit in the instant between that first read and the lock, PostgreSQL refuses the
    replacement with a serialisation error rather than count a delta twice; the check is then
    tried again at the next sweep. SQLite serialises writers and refuses a write from an old
    snapshot the same way."""
    connection = connections["default"]
    isolate = snapshot and connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if isolate:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                (locked,) = cursor.fetchone()
            yield bool(locked)
        else:
            yield True


def fold(*, batch_size: int = FOLD_BATCH) -> int:
    """Move every delta into the rollups; how many deltas it folded (0 while another process
    folds)."""
    folded = 0
    for delta in DELTAS:
        slices = [slice_ for slice_ in SLICES if slice_.delta is delta]
        while True:
            with _folding() as locked:
                if not locked:
                    return folded
                claimed = delta._default_manager.order_by("id").values_list("id", flat=True)
                ids = list(claimed[:batch_size])
                batch = delta._default_manager.filter(id__in=ids)
                for slice_ in slices if ids else []:
                    names = slice_.dimensions
                    rows = slice_.deltas(batch).values_list("day", *names)
                    by_day: Counter[tuple[Any, ...]] = Counter()
                    by_month: Counter[tuple[Any, ...]] = Counter()
                    by_year: Counter[tuple[Any, ...]] = Counter()
                    for day, *key, total in rows.annotate(total=Sum("n")).order_by():
                        by_day[(day, *key)] += total
                        by_month[(day.replace(day=1), *key)] += total
                        by_year[(date(day.year, 1, 1), *key)] += total
                    _add(slice_.model, Grain.DAY, by_day)
                    _add(slice_.model, Grain.MONTH, by_month)
                    _add(slice_.model, Grain.YEAR, by_year)
                batch.delete()
                folded += len(ids)
            if len(ids) < batch_size:
                break
    return folded


def _add(model: type[Rollup], grain: str, rows: Counter[tuple[Any, ...]]) -> None:
    """Add each row's count to the stored one (inserting the keys not stored yet)."""
    rows = Counter({key: n for key, n in rows.items() if n})
    if not rows:
        return
    connection = connections["default"]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_columns = ["grain", "period", *model.DIMENSIONS]
    columns = ", ".join(quote(name) for name in [*key_columns, "n"])
    keys = ", ".join(quote(name) for name in key_columns)
    items = sorted(rows.items(), key=lambda item: tuple(str(part) for part in item[0]))
    width = len(key_columns) + 1
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        params = [value for key, n in chunk for value in (grain, *key, n)]
        with connection.cursor() as cursor:
            # Only the model's own table and column names are formatted in; values are parameters.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT ({keys}) DO UPDATE SET n = {table}.n + excluded.n",
                params,
            )


# -- Checking and rebuilding ----------------------------------------------------------------


def _months_between(start: date, end: date) -> list[date]:
    months, first = [], start.replace(day=1)
    while first <= end:
        months.append(first)
        first = _month_end(first) + timedelta(days=1)
    return months


def _stored(slice_: Slice, grain: str, first: date, last: date) -> Counter[tuple[Any, ...]]:
    """The slice's rows of `grain` for the months [first, last], plus the deltas of those
    days mapped to the grain."""
    names = slice_.dimensions
    found: Counter[tuple[Any, ...]] = Counter()
    rows = slice_.model._default_manager.filter(grain=grain, period__gte=first, period__lte=last)
    for period, *key, n in rows.values_list("period", *names, "n"):
        found[(period, *key)] += n
    deltas = slice_.deltas_between(first, last)
    for day, *key, n in deltas.values_list("day", *names).annotate(total=Sum("n")).order_by():
        found[(day if grain == Grain.DAY else day.replace(day=1), *key)] += n
    return Counter({key: n for key, n in found.items() if n})


def _expected(slice_: Slice, first: date, last: date) -> tuple[Counter[Any], Counter[Any]]:
    by_day = Counter(raw_counts(slice_, first, last, by="day"))
    by_month: Counter[tuple[Any, ...]] = Counter()
    for (day, *key), n in by_day.items():
        by_month[(day.replace(day=1), *key)] += n
    return by_day, by_month


def _replace(
    slice_: Slice, first: date, last: date, by_day: Counter[Any], by_month: Counter[Any]
) -> None:
    rows_of_month = slice_.model._default_manager.filter(period__gte=first, period__lte=last)
    rows_of_month.filter(grain__in=(Grain.DAY, Grain.MONTH)).delete()
    names = slice_.dimensions
    for grain, rows in ((Grain.DAY, by_day), (Grain.MONTH, by_month)):
        slice_.model._default_manager.bulk_create(
            [
                slice_.model(
                    grain=grain, period=key[0], n=n, **dict(zip(names, key[1:], strict=True))
                )
                for key, n in rows.items()
                if n
            ],
            batch_size=2000,
        )


def _check_years(years: list[int], *, repair: bool) -> int:
    """Each year's rows against the sum of its month rows (a fold writes both at once, and a
    month repaired or rebuilt changes only its month): how many keys differed; repaired by
    writing the sums (when `repair`)."""
    differences = 0
    for year in years:
        first, last = date(year, 1, 1), date(year, 12, 31)
        with _folding(snapshot=True) as locked:
            if not locked:
                raise Busy("another process is folding the rollups; try again")
            for slice_ in SLICES:
                names = slice_.dimensions
                manager = slice_.model._default_manager
                stored = Counter(
                    {
                        tuple(key): n
                        for *key, n in manager.filter(grain=Grain.YEAR, period=first).values_list(
                            *names, "n"
                        )
                        if n
                    }
                )
                months = manager.filter(grain=Grain.MONTH, period__gte=first, period__lte=last)
                summed = Counter(
                    {
                        tuple(key): n
                        for *key, n in months.values_list(*names)
                        .annotate(total=Sum("n"))
                        .order_by()
                        if n
                    }
                )
                wrong = set(stored) ^ set(summed) | {k for k in summed if stored[k] != summed[k]}
                differences += len(wrong)
                if wrong and repair:
                    manager.filter(grain=Grain.YEAR, period=first).delete()
                    manager.bulk_create(
                        [
                            slice_.model(
                                grain=Grain.YEAR,
                                period=first,
                                n=n,
                                **dict(zip(names, key, strict=True)),
                            )
                            for key, n in summed.items()
                        ],
                        batch_size=2000,
                    )
    return differences


def verify(start: date, end: date, *, repair: bool = True) -> int:
    """Compare the rollups of the months [start, end] touches with the cases, month by month;
    repair the months that differ (when `repair`). Returns how many keys differed, and records
    the check."""
    differences = 0
    months = _months_between(start, end)
    for first in months:
        last = _month_end(first)
        with _folding(snapshot=True) as locked:
            if not locked:
                raise Busy("another process is folding the rollups; try again")
            month_differences = 0
            expected = {}
            for slice_ in SLICES:
                by_day, by_month = _expected(slice_, first, last)
                expected[slice_.name] = (by_day, by_month)
                for grain, rows in ((Grain.DAY, by_day), (Grain.MONTH, by_month)):
                    stored = _stored(slice_, grain, first, last)
                    wrong = set(stored) ^ set(rows) | {k for k in rows if stored.get(k) != rows[k]}
                    month_differences += len(wrong)
            if month_differences and repair:
                for delta in DELTAS:
                    delta._default_manager.filter(day__gte=first, day__lte=last).delete()
                for slice_ in SLICES:
                    _replace(slice_, first, last, *expected[slice_.name])
            differences += month_differences
    differences += _check_years(sorted({month.year for month in months}), repair=repair)
    RollupCheck.objects.create(
        kind=RollupCheck.Kind.VERIFIED,
        at=timezone.now(),
        period_from=months[0] if months else start,
        period_to=_month_end(months[-1]) if months else end,
        differences=differences,
    )
    if differences:
        log.error(
            "rollups differed from the cases on %d keys between %s and %s%s",
            differences,
            start,
            end,
            "; repaired" if repair else "",
            extra={"rollup_differences": differences},
        )
    return differences


def case_days() -> tuple[date, date] | None:
    """The first and last local day a counted case was received or an answer given on (None
    without cases)."""
    received = Case.objects.exclude(status__in=NOT_COUNTED).aggregate(
        first=Min("received_at"), last=Max("received_at")
    )
    answers = CaseDeadline.objects.filter(step=DeadlineStep.ANSWER, status__in=MET_STATUSES)
    answered = answers.aggregate(first=Min("met_at"), last=Max("met_at"))
    moments = [m for m in (*received.values(), *answered.values()) if m is not None]
    if not moments:
        return None
    return timezone.localdate(min(moments)), timezone.localdate(max(moments))


def rebuild() -> int:
    """Build every rollup from the cases (after a restore or a bulk load), one month per
    transaction, so a report read meanwhile sees each month either as it was or rebuilt.
    Returns how many months hold cases."""
    span = case_days()
    months = _months_between(*span) if span is not None else []
    for first in months:
        last = _month_end(first)
        with _folding(snapshot=True) as locked:
            if not locked:
                raise Busy("another process is folding the rollups; try again")
            for delta in DELTAS:
                delta._default_manager.filter(day__gte=first, day__lte=last).delete()
            for slice_ in SLICES:
                _replace(slice_, first, last, *_expected(slice_, first, last))
    _check_years(sorted({month.year for month in months}), repair=True)  # the sums of months
    with _folding() as locked:  # what lies outside the months with cases counts nothing
        outside = Q(period__lt=months[0]) | Q(period__gt=_month_end(months[-1])) if months else Q()
        if months:  # a year's row is dated its first day, maybe before the first month
            outside = (
                (outside & ~Q(grain=Grain.YEAR))
                | Q(grain=Grain.YEAR, period__lt=date(months[0].year, 1, 1))
                | Q(grain=Grain.YEAR, period__gt=months[-1])
            )
        delta_outside = Q(day__lt=months[0]) | Q(day__gt=_month_end(months[-1])) if months else Q()
        for delta in DELTAS:
            delta._default_manager.filter(delta_outside).delete()
        for slice_ in SLICES:
            slice_.model._default_manager.filter(outside).delete()
        RollupCheck.objects.create(
            kind=RollupCheck.Kind.REBUILT,
            at=timezone.now(),
            period_from=months[0] if months else None,
            period_to=_month_end(months[-1]) if months else None,
        )
    return len(months)


def sweep(now: datetime) -> dict[str, int]:
    """The sweeper's job: fold the deltas; once a day, check the months of the last days."""
    found = {"rollup_deltas_folded": fold()}
    today = timezone.localdate(now)
    checked_today = RollupCheck.objects.filter(
        kind=RollupCheck.Kind.VERIFIED, at__gte=_start_of(today)
    ).exists()
    if ready() and not checked_today:
        try:
            found["rollup_differences"] = verify(today - timedelta(days=VERIFY_DAYS), today)
        except (Busy, DatabaseError) as error:
            # Another sweeper is checking, or a fold committed under this check's snapshot
            # (PostgreSQL refused the repair): the next round checks again.
            log.warning("rollups not checked this round: %s", type(error).__name__)
    return found


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())
