"""The reports dashboard ("Tablero"): a period's figures at a glance, refreshed every minute.

The page works without JavaScript (a GET form and plain links); with htmx, the figures part asks
the same URL again every 60 seconds and the view answers with that part only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import User
from enlace.cases.forms import TypeAheadInput
from enlace.cases.lifecycle import CaseKind
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.core.htmx import is_htmx
from enlace.directory.models import Dependency
from enlace.directory.queries import descendant_ids, resolve_dependency
from enlace.reports.dashboard import Dashboard, MonthFigures, dashboard
from enlace.reports.participation import Period
from enlace.reports.views import PeriodForm, bars

FIGURES_ID = "dashboard-figures"  # the element htmx refreshes
TOP = 5  # how many limitantes, topics and centres the dashboard lists
TONES = 8  # colours for the opinion types in the charts (.tone-0 to .tone-7 in enlace.css)
MAX_MONTHS = 120  # the longest period the month-by-month charts draw


class DashboardForm(PeriodForm):
    """The period and, for a user who sees more than one centre, one centre (and the
    dependencies below it) to look at."""

    centre = forms.CharField(
        label=gettext_lazy("Centre"),
        required=False,
        widget=TypeAheadInput("dashboard-centres"),
    )

    def __init__(self, *args: Any, may_pick_centre: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_pick_centre:
            del self.fields["centre"]  # a liaison of one centre: the parameter is ignored

    def clean(self) -> dict[str, object]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start <= end:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months > MAX_MONTHS:
                raise ValidationError(
                    _("Pick a period of at most %(years)d years."),
                    params={"years": MAX_MONTHS // 12},
                )
        return data

    def clean_centre(self) -> Dependency | None:
        value = self.cleaned_data.get("centre", "").strip()
        if not value:
            return None
        dependency = resolve_dependency(value)
        if dependency is None:
            raise ValidationError(
                _("There is no centre called “%(value)s”."), params={"value": value}
            )
        return dependency


@dataclass(frozen=True)
class QuickPeriod:
    label: StrOrPromise
    start: date
    end: date


def quick_periods(today: date) -> list[QuickPeriod]:
    """The periods offered as one click: this month, the last 3 months (this one included),
    this year, and the last full semester (the one the unit reports on)."""
    three_back = (
        (today.year, today.month - 2) if today.month > 2 else (today.year - 1, today.month + 10)
    )
    if today.month <= 6:
        semester = (date(today.year - 1, 7, 1), date(today.year - 1, 12, 31))
    else:
        semester = (date(today.year, 1, 1), date(today.year, 6, 30))
    return [
        QuickPeriod(gettext_lazy("This month"), today.replace(day=1), today),
        QuickPeriod(gettext_lazy("Last 3 months"), date(*three_back, 1), today),
        QuickPeriod(gettext_lazy("This year"), date(today.year, 1, 1), today),
        QuickPeriod(gettext_lazy("Last semester"), *semester),
    ]


@dataclass(frozen=True)
class Segment:
    tone: int  # the opinion type's colour: its place in `Dashboard.opinion_types`
    code: str
    name: str
    count: int
    height: Decimal  # share of the chart's height


@dataclass(frozen=True)
class TrendColumn:
    figures: MonthFigures
    opinions_height: Decimal
    inquiries_height: Decimal
    stack_height: Decimal  # the month's opinions against the busiest month's
    segments: list[Segment]  # the opinions of each type, bottom up


def _height(count: int, largest: int) -> Decimal:
    return (Decimal(count * 100) / (largest or 1)).quantize(Decimal("0.1"))


def trend_columns(board: Dashboard) -> list[TrendColumn]:
    largest = max((max(m.opinions, m.inquiries) for m in board.trend), default=0)
    largest_opinions = max((m.opinions for m in board.trend), default=0)
    return [
        TrendColumn(
            figures=month,
            opinions_height=_height(month.opinions, largest),
            inquiries_height=_height(month.inquiries, largest),
            stack_height=_height(month.opinions, largest_opinions),
            segments=[
                Segment(tone % TONES, code, name, count, _height(count, month.opinions))
                for tone, (code, name) in enumerate(board.opinion_types)
                if (count := month.opinions_by_type.get(code, 0))
            ],
        )
        for month in board.trend
    ]


def _reporting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not has_capability(user, Capability.VIEW_REPORTS):
        raise PermissionDenied(_("Your role does not see reports."))
    return user


def _centre_options(scope: list[int] | None) -> QuerySet[Dependency]:
    options = Dependency.objects.active().order_by("name")
    return options if scope is None else options.filter(pk__in=scope)


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The dashboard for a period: everything the user may see, or one centre of it. A liaison
    sees their centre's figures; a centre they may not see is ignored, never shown."""
    user = _reporting_user(request)
    scope = report_scope(user)
    may_pick_centre = scope is None or len(scope) > 1
    today = timezone.localdate()
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        data.update({"date_from": date(today.year, 1, 1).isoformat(), "date_to": today.isoformat()})
    form = DashboardForm(data, may_pick_centre=may_pick_centre)
    context: dict[str, Any] = {"form": form, "figures_id": FIGURES_ID}
    if may_pick_centre:
        context["centre_options"] = _centre_options(scope)
    if not form.is_valid():
        context["quick_periods"] = _quick_links(quick_periods(today), None, "")
        response = render(request, "reports/dashboard.html", context, status=400)
        patch_vary_headers(response, ["HX-Request"])
        return response

    period = Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    picked: Dependency | None = form.cleaned_data.get("centre")
    if picked is not None and scope is not None and picked.pk not in scope:
        picked = None  # not one of the user's centres: ignored, as if none was picked
    dependency_ids: list[int] | None = scope
    if picked is not None:
        below = descendant_ids(picked.pk)
        dependency_ids = below if scope is None else [pk for pk in below if pk in scope]
    # The title names the centre the figures are about: the one picked, or a liaison's own.
    title_centre = picked if picked is not None or scope is None else user.dependency
    centre_value = picked.label if picked is not None else ""

    board = dashboard(period, dependency_ids=dependency_ids)
    context.update(_figures(board, title_centre, centre_value))
    context["quick_periods"] = _quick_links(quick_periods(today), period, centre_value)
    template = (
        "reports/_dashboard_figures.html"
        if is_htmx(request, target=FIGURES_ID)
        else "reports/dashboard.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _quick_links(
    periods: list[QuickPeriod], current: Period | None, centre: str
) -> list[dict[str, Any]]:
    links = []
    for quick in periods:
        query: dict[str, str] = {
            "date_from": quick.start.isoformat(),
            "date_to": quick.end.isoformat(),
        }
        if centre:
            query["centre"] = centre
        links.append(
            {
                "label": quick.label,
                "query": urlencode(query),
                "current": current is not None
                and (current.start, current.end) == (quick.start, quick.end),
            }
        )
    return links


def _figures(board: Dashboard, centre: Dependency | None, centre_value: str) -> dict[str, Any]:
    opinions, inquiries = board.participation["opinions"], board.participation["inquiries"]
    type_counts = {row["code"]: row["count"] for row in opinions["by_type"]}
    period_query = urlencode(
        {"date_from": board.period.start.isoformat(), "date_to": board.period.end.isoformat()}
    )
    cases_query: dict[str, str] = {
        "received_from": board.period.start.isoformat(),
        "received_to": board.period.end.isoformat(),
    }
    if centre_value:
        cases_query["dependency"] = centre_value
    overdue_centres = sorted(
        (row for row in board.compliance if row.open_overdue),
        key=lambda row: (-row.open_overdue, row.name),
    )[:TOP]
    types_in_trend = [
        (tone % TONES, code, name)
        for tone, (code, name) in enumerate(board.opinion_types)
        if any(month.opinions_by_type.get(code) for month in board.trend)
    ]
    return {
        "board": board,
        "centre": centre,
        "centre_picked": bool(centre_value),
        "period_query": period_query,
        "opinions_query": urlencode({**cases_query, "kind": CaseKind.OPINION}),
        "inquiries_query": urlencode({**cases_query, "kind": CaseKind.INQUIRY}),
        "open_query": urlencode(
            {"status": "open", **({"dependency": centre_value} if centre_value else {})}
        ),
        "columns": trend_columns(board),
        "largest_month": max((max(m.opinions, m.inquiries) for m in board.trend), default=0),
        "largest_opinions": max((m.opinions for m in board.trend), default=0),
        "types_in_trend": types_in_trend,
        "trend_table": [
            {
                "month": month,
                "types": [month.opinions_by_type.get(c, 0) for _, c, _ in types_in_trend],
            }
            for month in board.trend
        ],
        "type_totals": [type_counts.get(code, 0) for _, code, _ in types_in_trend],
        "by_type": bars(opinions["by_type"]),
        "by_channel_group": bars(opinions["by_channel_group"]),
        "limitantes": bars(opinions["complaints"]["by_limitante"])[:TOP],
        "topics": bars(inquiries["topics"])[:TOP],
        "overdue_centres": overdue_centres,
    }
