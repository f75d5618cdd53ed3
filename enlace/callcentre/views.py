"""The call centre: the agent's console panel (polled by htmx), a caller's history on the intake
form, the call log and the wrap-up. The telephone system's endpoint is the channel plug-in
enlace/channels/cti."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from enlace.accounts.current import current_user
from enlace.callcentre import actions
from enlace.callcentre.forms import CallFilterForm, WrapUpForm
from enlace.callcentre.models import Call
from enlace.callcentre.quality_queries import evaluates, visible_evaluations
from enlace.callcentre.queries import (
    access_call_for_user,
    current_call,
    has_console,
    looked_up,
    sees_call_log,
    valid_dui_or_none,
    visible_calls,
)
from enlace.cases.lifecycle import CaseKind
from enlace.cases.permissions import Capability, has_capability
from enlace.cases.personal import sees_personal_data
from enlace.cases.rules import phone_or_none
from enlace.core.errors import BusinessError

logger = logging.getLogger(__name__)

CALL_LIST_LIMIT = 500


def _panel_key(call: Call | None) -> str:
    if call is None:
        return ""
    return f"{call.pk}-{call.state}-{call.case_id or 0}-{call.wrap_up or '_'}"


@login_required
@never_cache
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """The agent's current call, for the console's poll: nothing changed since the state the
    page holds (?estado=), 204 and htmx keeps what it shows; else the panel again."""
    user = current_user(request)
    if not has_console(user):
        raise PermissionDenied(_("Only call-centre agents have a call console."))
    call = current_call(user)
    key = _panel_key(call)
    if request.GET.get("poll") == "1" and request.GET.get("estado", "") == key:
        return HttpResponse(status=204)
    history = looked_up(user, phone=call.caller, dui=call.caller_dui) if call else []
    return render(request, "callcentre/_panel.html", {"call": call, "history": history, "key": key})


@login_required
@never_cache
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """The cases of the phone or DUI typed on the intake form, within the user's scope."""
    user = current_user(request)
    if not has_capability(user, Capability.REGISTER):
        raise PermissionDenied(_("Your role does not register cases."))
    phone = request.GET.get("citizen_phone", "")
    dui = request.GET.get("citizen_dui", "")
    context = {
        "history": looked_up(user, phone=phone, dui=dui),
        "searched": bool(phone_or_none(phone) or valid_dui_or_none(dui)),
    }
    return render(request, "callcentre/_history.html", context)


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not sees_call_log(user):
        raise PermissionDenied(_("Your role does not read the call log."))
    form = CallFilterForm(request.GET or None)
    data = form.valid_data() if request.GET else {}
    calls = visible_calls(user).select_related("agent", "case")
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        calls = calls.filter(started_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data.get("date_to"):
        next_day = data["date_to"] + timedelta(days=1)
        calls = calls.filter(started_at__lt=datetime.combine(next_day, time.min, tz))
    if data.get("agent"):
        calls = calls.filter(agent=data["agent"])
    context = {"form": form, "calls": calls.order_by("-started_at", "-id")[:CALL_LIST_LIMIT]}
    context["limit"] = CALL_LIST_LIMIT
    context["personal"] = sees_personal_data(user)
    return render(request, "callcentre/list.html", context)


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One call, and its wrap-up form (for its agent and the log's readers)."""
    user = current_user(request)
    call = access_call_for_user(user, pk)
    status = 200
    if request.method == "POST":
        form = WrapUpForm(request.POST)
        if form.is_valid():
            try:
                actions.do_wrap_up_call(
                    call,
                    form.cleaned_data["wrap_up"],
                    form.cleaned_data["wrap_up_note"],
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Call wrapped up."))
                return redirect("callcentre:detail", pk=call.pk)
        status = 400
    else:
        form = WrapUpForm(
            initial={
                "wrap_up": call.wrap_up or _suggested_wrap_up(call),
                "wrap_up_note": call.wrap_up_note,
            }
        )
    personal = sees_personal_data(user)
    history = looked_up(user, phone=call.caller, dui=call.caller_dui) if personal else []
    context = {"call": call, "form": form, "history": history, "personal": personal}
    if evaluates(user):  # the call's quality evaluations, and the way to evaluate it
        context["evaluates"] = True
        context["evaluations"] = list(
            visible_evaluations(user).filter(call=call).select_related("evaluator")
        )
    return render(request, "callcentre/detail.html", context, status=status)


def _suggested_wrap_up(call: Call) -> str:
    if call.case is None:
        return ""
    if call.case.kind == CaseKind.INQUIRY:
        return "inquiry_answered"
    return "opinion_registered"
