"""The call centre's management figures (figures.py) as a page with charts, a PDF and a workbook,
the floor's wall board (today so far, refreshed by htmx every 30 seconds), and the supervisor's
page of targets.

Who sees what: whoever supervises the call centre (`Capability.SUPERVISE_CALLS`: its supervisor,
the resolution section, administrators) sees every agent's figures, the wall board and the
targets. An agent sees their own figures on the indicators page (and its PDF and workbook),
never another agent's (asking for one is refused) nor the board. Everyone else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enlace.accounts.current import current_user
from enlace.accounts.models import User
from enlace.callcentre import actions
from enlace.callcentre.exports import figures_xlsx
from enlace.callcentre.figures import (
    AGENT_COLUMNS,
    ROW_COLUMNS,
    Assessment,
    CallFigures,
    Column,
    Figures,
    Period,
    call_figures,
    cell,
    definitions,
    floor_now,
    show,
    summary_counts,
)
from enlace.callcentre.forms import FiguresForm, TargetForm
from enlace.callcentre.models import Indicator, IndicatorTarget, Unit
from enlace.callcentre.pdf import figures_pdf
from enlace.callcentre.queries import sees_call_figures, sees_own_figures_only
from enlace.core.errors import BusinessError

BOARD_ID = "board-figures"  # the element htmx refreshes
BOARD_SECONDS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figures_reader(request: HttpRequest) -> tuple[User, bool]:
    """The user, and whether they see only their own figures; 403 for everyone else."""
    user = current_user(request)
    if sees_call_figures(user):
        return user, False
    if sees_own_figures_only(user):
        return user, True
    raise PermissionDenied(_("Your role does not read the call centre's figures."))


def _supervisor(request: HttpRequest) -> User:
    user = current_user(request)
    if not sees_call_figures(user):
        raise PermissionDenied(_("Your role does not supervise the call centre."))
    return user


def _figures_from_query(request: HttpRequest) -> tuple[FiguresForm, CallFigures | None]:
    """The form of the query (this month so far when no date is given), and the figures when
    it is valid. An agent asking for another agent's figures is refused."""
    user, own_only = _figures_reader(request)
    if own_only and request.GET.get("agent", "") not in ("", user.username):
        raise PermissionDenied(_("An agent reads only their own figures."))
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        today = timezone.localdate()
        data.update({"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()})
    form = FiguresForm(data, pick_agent=not own_only)
    if not form.is_valid():
        return form, None
    agent = user if own_only else form.cleaned_data.get("agent")
    period = Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    return form, call_figures(period, agent=agent)


# Charts: bars drawn with HTML and CSS (figures.css), each beside the table that holds its data.


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # printed at the bar's end
    width: Decimal  # % of the chart's width
    part: Decimal = Decimal(0)  # a second segment (abandoned), % of the width
    mark: Decimal | None = None  # where the target falls, % of the width


def _width(count: int | Decimal, largest: int | Decimal) -> Decimal:
    return (Decimal(count) * 100 / Decimal(largest or 1)).quantize(Decimal("0.1"))


def hour_bars(figures: CallFigures) -> list[Bar]:
    """Calls offered per hour: the answered part, then the abandoned one."""
    largest = max((row.figures.offered for row in figures.by_hour), default=0)
    return [
        Bar(
            label=f"{row.hour:02d}:00",
            value=f"{row.figures.answered} / {row.figures.offered}",
            width=_width(row.figures.answered, largest),
            part=_width(row.figures.abandoned, largest),
        )
        for row in figures.by_hour
    ]


def service_level_bars(figures: CallFigures) -> list[Bar]:
    """The service level of each day, against the target's mark."""
    target = figures.assessed[Indicator.SERVICE_LEVEL].target
    mark = target.target if target is not None else None
    return [
        Bar(
            label=row.day.strftime("%d/%m"),
            value=f"{row.figures.service_level}%" if row.figures.service_level else "\N{EM DASH}",
            width=Decimal(row.figures.service_level or 0),
            mark=mark,
        )
        for row in figures.by_day
        if row.figures.offered
    ]


def agent_bars(figures: CallFigures) -> list[Bar]:
    largest = max((row.figures.answered for row in figures.by_agent), default=0)
    return [
        Bar(
            label=row.name or _("Unknown agent"),
            value=str(row.figures.answered),
            width=_width(row.figures.answered, largest),
        )
        for row in figures.by_agent
    ]


def wrap_up_bars(figures: CallFigures) -> list[Bar]:
    return [
        Bar(label=str(row.label), value=f"{row.share}%", width=Decimal(row.share or 0))
        for row in figures.by_wrap_up
    ]


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]


def rows(items: list[tuple[str, Figures]], columns: tuple[Column, ...]) -> list[Row]:
    return [Row(label, [cell(figures, column) for column in columns]) for label, figures in items]


def agent_rows(figures: CallFigures) -> list[Row]:
    return [
        Row(
            row.name or _("Unknown agent"),
            [
                show(row.share, Unit.PERCENT),
                *(cell(row.figures, c) for c in AGENT_COLUMNS),
                show(row.quality_score, Unit.PERCENT),
            ],
        )
        for row in figures.by_agent
    ]


def _query(form: FiguresForm) -> str:
    """The valid query, for the downloads' links."""
    values = {"date_from": form.cleaned_data["date_from"].isoformat()}
    values["date_to"] = form.cleaned_data["date_to"].isoformat()
    agent = form.cleaned_data.get("agent")
    if agent is not None:
        values["agent"] = agent.username
    return urlencode(values)


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    """The figures of a period (this month so far by default), against their targets."""
    form, figures = _figures_from_query(request)
    context: dict[str, Any] = {"form": form, "figures": figures}
    if figures is None:
        return render(request, "callcentre/figures.html", context, status=400)
    context.update(
        query=_query(form),
        hour_bars=hour_bars(figures),
        service_level_bars=service_level_bars(figures),
        agent_bars=agent_bars(figures),
        wrap_up_bars=wrap_up_bars(figures),
        definitions=definitions(figures),
        counts=summary_counts(figures),
        row_columns=ROW_COLUMNS,
        agent_columns=AGENT_COLUMNS,
        hour_rows=rows([(f"{r.hour:02d}:00", r.figures) for r in figures.by_hour], ROW_COLUMNS),
        day_rows=rows(
            [(date_format(r.day, "SHORT_DATE_FORMAT"), r.figures) for r in figures.by_day],
            ROW_COLUMNS,
        ),
        agent_rows=agent_rows(figures),
        supervises=sees_call_figures(current_user(request)),
    )
    return render(request, "callcentre/figures.html", context)


def _download(request: HttpRequest, extension: str) -> HttpResponse:
    form, figures = _figures_from_query(request)
    if figures is None:
        return render(request, "callcentre/figures.html", {"form": form}, status=400)
    if extension == "pdf":
        response = HttpResponse(figures_pdf(figures), content_type="application/pdf")
    else:
        response = HttpResponse(figures_xlsx(figures), content_type=XLSX)
    period = figures.period
    agent = f"_{figures.agent.username}" if figures.agent is not None else ""
    name = f"indicadores_llamadas_{period.start}_{period.end}{agent}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def indicators_pdf(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


@login_required
@require_GET
def indicators_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


# The wall board ----------------------------------------------------------------------------


def _board_context() -> dict[str, Any]:
    today = timezone.localdate()
    figures = call_figures(Period(today, today))
    return {
        "figures": figures,
        "now": floor_now(),
        "updated": timezone.localtime(),
        "hour_bars": hour_bars(figures),
        "agent_bars": agent_bars(figures),
        "cards": _cards(figures.assessed),
    }


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    target: str  # empty without one
    met: bool | None


BOARD_INDICATORS = (Indicator.SERVICE_LEVEL, Indicator.ABANDON_RATE, Indicator.ASA, Indicator.AHT)


def _cards(assessed: dict[str, Assessment]) -> list[Card]:
    items = [assessed[code] for code in BOARD_INDICATORS]
    return [
        Card(
            label=str(item.label),
            value=item.shown_value,
            target=item.shown_target if item.target is not None else "",
            met=item.met,
        )
        for item in items
    ]


@login_required
@never_cache
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Today's figures so far, for the floor's screen: the figures' part asks for itself again
    every 30 seconds (htmx; without JavaScript the page reloads itself)."""
    _supervisor(request)
    context = _board_context()
    context.update(board_id=BOARD_ID, seconds=BOARD_SECONDS)
    return render(request, "callcentre/board.html", context)


@login_required
@never_cache
@require_GET
def board_figures(request: HttpRequest) -> HttpResponse:
    """The wall board's figures only: what its poll swaps in."""
    _supervisor(request)
    return render(request, "callcentre/_board.html", _board_context())


# Targets -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """The targets in force and their history; a new one (or one replaced) by the form."""
    user = _supervisor(request)
    status = 200
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_set_indicator_target(
                    data["indicator"],
                    data["target"],
                    data["better"],
                    data["valid_from"],
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Target saved."))
                return redirect("callcentre:targets")
        status = 400
    else:
        form = TargetForm(initial={"valid_from": timezone.localdate().isoformat()})
    today = timezone.localdate()
    order = {code: n for n, code in enumerate(Indicator.values)}
    rows = sorted(
        IndicatorTarget.objects.select_related("set_by"),
        key=lambda row: (order.get(row.indicator, len(order)), -row.valid_from.toordinal()),
    )
    in_force = _in_force(rows, today)
    context = {"form": form, "rows": rows, "in_force": in_force, "today": today}
    return render(request, "callcentre/targets.html", context, status=status)


def _in_force(rows: list[IndicatorTarget], day: date) -> set[int]:
    """The ids of the targets in force on `day` (rows in indicator, latest-first order)."""
    seen: set[str] = set()
    ids = set()
    for row in rows:
        if row.valid_from <= day and row.indicator not in seen:
            seen.add(row.indicator)
            ids.add(row.pk)
    return ids


@login_required
@require_POST
def delete_target(request: HttpRequest, pk: int) -> HttpResponse:
    user = _supervisor(request)
    actions.do_delete_indicator_target(pk, acting_user=user)
    messages.success(request, _("Target removed."))
    return redirect(reverse("callcentre:targets"))
