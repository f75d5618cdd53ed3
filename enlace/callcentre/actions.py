"""Every write to the call log: a CTI event applied to its call, a case linked to its call, and
the agent's wrap-up; and the supervisor's targets for the figures. Each runs in one transaction
and locks the call it changes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.callcentre.events import ANSWERED, HANGUP, CallEvent
from enlace.callcentre.models import (
    UNITS,
    Better,
    Call,
    Direction,
    Indicator,
    IndicatorTarget,
    Unit,
    WrapUp,
)
from enlace.callcentre.queries import resolve_agent, sees_call_figures, sees_call_log
from enlace.cases.models import Case
from enlace.cases.rules import format_phone
from enlace.core.errors import BusinessError

CALL_CENTRE_CHANNEL = "llamada_127"


def _locked_call(call_id: str, at_first: CallEvent) -> Call:
    call = Call.objects.select_for_update().filter(pbx_call_id=call_id).first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(pbx_call_id=call_id, started_at=at_first.at)
    except IntegrityError:  # the call's other event, arriving at the same moment, made it
        return Call.objects.select_for_update().get(pbx_call_id=call_id)


def do_record_call_event(event: CallEvent) -> Call:
    """Apply one event to its call. Events may arrive in any order (a hangup before its
    answered): each sets its own moment, `started_at` is the earliest moment known, and the
    answering agent wins over the one the call rang for."""
    with transaction.atomic():
        call = _locked_call(event.call_id, event)
        call.started_at = min(call.started_at, event.at)
        if event.event == ANSWERED and call.answered_at is None:
            call.answered_at = event.at
        elif event.event == HANGUP and call.ended_at is None:
            call.ended_at = event.at
        if event.caller and not call.caller:
            call.caller = event.caller
        if event.dui and not call.caller_dui:
            call.caller_dui = event.dui
        agent = resolve_agent(event.agent)
        if agent is not None and (event.event == ANSWERED or call.agent_id is None):
            call.agent = agent
        call.save()
    return call


def do_start_outbound_call(agent: User, phone: str, *, now: datetime | None = None) -> Call:
    """An agent dials out (a campaign's call page): the call enters the log as outbound, theirs,
    so that what the person says can be registered as a case linked to it."""
    return Call.objects.create(
        pbx_call_id=f"enlace-out-{uuid.uuid4()}",
        direction=Direction.OUTBOUND,
        caller=phone,
        started_at=now or timezone.now(),
        agent=agent,
    )


def do_end_outbound_call(
    call: Call, *, reached: bool, note: str = "", now: datetime | None = None
) -> Call:
    """The agent recorded how the call went: it ends now; a person reached counts as answered
    from its start (the telephone's own times are not known without the CTI)."""
    now = now or timezone.now()
    Call.objects.filter(pk=call.pk, ended_at__isnull=True).update(
        ended_at=now,
        answered_at=call.started_at if reached else None,
        wrap_up=WrapUp.OTHER,
        wrap_up_note=note[:1000],
        wrapped_up_at=now,
    )
    call.refresh_from_db()
    return call


def may_use_call(user: User, call: Call) -> bool:
    return call.agent_id == user.pk or sees_call_log(user)


def do_link_case_to_call(case: Case, cleaned_data: Mapping[str, Any], user: User) -> None:
    """The intake's hook (enlace/cases/intake.py, registered in `CallCentreConfig.ready()`):
    a case registered from a call (the form's hidden `call`) is linked to it, in the case's
    own transaction. A call that is not the user's, or already has another case, refuses, and
    the case is not registered."""
    call_id = cleaned_data.get("call")
    if call_id is None:
        return
    call = Call.objects.select_for_update().filter(pk=call_id).first()
    if call is None or not may_use_call(user, call):
        raise BusinessError(_("That call is not one of yours."))
    if call.case_id is not None and call.case_id != case.pk:
        raise BusinessError(_("That call already has a case registered."))
    if call.case_id is None:
        call.case = case
        call.save(update_fields=["case", "updated_at"])


def do_wrap_up_call(call: Call, code: str, note: str = "", *, acting_user: User) -> Call:
    """The agent's closing code for the call (may be changed later by them or the log's
    readers)."""
    if code not in WrapUp.values:
        raise BusinessError(_("Choose how the call ended."), field="wrap_up")
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if not may_use_call(acting_user, call):
            raise BusinessError(_("That call is not one of yours."))
        call.wrap_up = code
        call.wrap_up_note = note.strip()
        call.wrapped_up_at = timezone.now()
        call.save(update_fields=["wrap_up", "wrap_up_note", "wrapped_up_at", "updated_at"])
    return call


def intake_initial_for_call(user: User, query: Mapping[str, str]) -> dict[str, Any]:
    """What the intake form starts with when opened from a call (?llamada=<id>): the caller's
    phone and DUI, the call centre's channel, and the hidden link to the call. Nothing for a
    call that is not the user's."""
    call_id = query.get("llamada", "")
    if not call_id.isdigit():
        return {}
    call = Call.objects.filter(pk=int(call_id)).first()
    if call is None or not may_use_call(user, call):
        return {}
    return {
        "call": call.pk,
        "channel": CALL_CENTRE_CHANNEL,
        "citizen_phone": format_phone(call.caller) if call.caller.startswith("+503") else "",
        "citizen_dui": call.caller_dui,
    }


def _check_sets_targets(user: User) -> None:
    if not sees_call_figures(user):
        raise BusinessError(_("Your role does not set the call centre's targets."))


def do_set_indicator_target(
    indicator: str, target: Decimal, better: str, valid_from: date, *, acting_user: User
) -> IndicatorTarget:
    """The target of `indicator` from `valid_from` on; one already set for that day is
    replaced (an earlier one still judges the periods before)."""
    _check_sets_targets(acting_user)
    if indicator not in Indicator.values:
        raise BusinessError(_("Choose an indicator."), field="indicator")
    if better not in Better.values:
        raise BusinessError(_("Choose which way is better."), field="better")
    if target < 0:
        raise BusinessError(_("A target cannot be negative."), field="target")
    if UNITS[indicator] == Unit.PERCENT and target > 100:
        raise BusinessError(_("A percentage is at most 100."), field="target")
    with transaction.atomic():
        row, _created = IndicatorTarget.objects.update_or_create(
            indicator=indicator,
            valid_from=valid_from,
            defaults={"target": target, "better": better, "set_by": acting_user},
        )
    return row


def do_delete_indicator_target(target_id: int, *, acting_user: User) -> None:
    """Remove a target set by mistake (the one before it is in force again)."""
    _check_sets_targets(acting_user)
    with transaction.atomic():
        IndicatorTarget.objects.filter(pk=target_id).delete()
