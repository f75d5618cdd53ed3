"""Every read of the call log a user makes: who sees the log, whose calls, the call an agent's
console shows now, and a caller's earlier cases (always through the user's case scope)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import Role, User
from enlace.callcentre.models import Call, Direction, Extension
from enlace.cases.models import Case
from enlace.cases.permissions import Capability, has_capability
from enlace.cases.queries import visible_cases
from enlace.cases.rules import normalise_dui, phone_or_none
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia

# A call still ringing or answered that started longer ago than this lost its hangup: the
# console stops showing it.
POP_WINDOW = timedelta(hours=4)
# After the hangup, the console keeps the call (to register its case, to wrap it up) this long.
WRAP_UP_WINDOW = timedelta(minutes=30)
HISTORY_LIMIT = 10

LOG_ROLES = frozenset({Role.CALL_SUPERVISOR, Role.RESOLUTION, Role.ADMINISTRATOR})


def sees_call_log(user: User) -> bool:
    """The call centre's supervisors, the resolution section and administrators read every
    agent's calls."""
    return user.is_active and (user.is_superuser or user.role in LOG_ROLES)


CONSOLE_ROLES = frozenset({Role.AGENT, Role.CALL_SUPERVISOR})


def has_console(user: User) -> bool:
    """Call-centre agents and supervisors: their console pops the caller when the PBX gives
    them a call."""
    return user.is_active and user.role in CONSOLE_ROLES


def sees_call_figures(user: User) -> bool:
    """Whoever supervises the call centre (its supervisors, the resolution section,
    administrators) reads every agent's figures, the wall board, and sets the targets."""
    return has_capability(user, Capability.SUPERVISE_CALLS)


def sees_own_figures_only(user: User) -> bool:
    """An agent reads their own figures on the indicators page (and nothing else of it)."""
    return user.is_active and user.role == Role.AGENT and not sees_call_figures(user)


def visible_calls(user: User) -> QuerySet[Call]:
    if sees_call_log(user):
        return Call.objects.all()
    if has_console(user):
        return Call.objects.filter(agent=user)
    return Call.objects.none()


def access_call_for_user(user: User, call_id: int) -> Call:
    """The call, if `user` may see it (their own, or any for the log's readers); else 404."""
    try:
        return visible_calls(user).select_related("agent", "case").get(pk=call_id)
    except Call.DoesNotExist:
        raise Http404(_("No such call.")) from None


def current_call(user: User, *, now: datetime | None = None) -> Call | None:
    """The call the agent's console shows: ringing or answered for them, or just ended and not
    wrapped up yet. One indexed query."""
    if not has_console(user):
        return None
    now = now or timezone.now()
    return (
        Call.objects.filter(
            agent=user, started_at__gte=now - POP_WINDOW, direction=Direction.INBOUND
        )
        .filter(Q(ended_at__isnull=True) | Q(wrap_up="", ended_at__gte=now - WRAP_UP_WINDOW))
        .select_related("case")
        .order_by("-started_at", "-id")
        .first()
    )


def resolve_agent(name: str) -> User | None:
    """The user a CTI event names: by username, else by PBX extension."""
    if not name:
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is not None:
        return user
    extension = Extension.objects.filter(number=name).select_related("user").first()
    return extension.user if extension is not None and extension.user.is_active else None


def valid_dui_or_none(text: str) -> str | None:
    try:
        return normalise_dui(text) if text.strip() else None
    except ValidationError:
        return None


def looked_up(user: User, *, phone: str = "", dui: str = "") -> list[Case]:
    """`caller_history`, and its access-log rows: who looked up which person, and the cases
    shown (only for a valid phone or DUI, the only ones looked up)."""
    found = caller_history(user, phone=phone, dui=dui)
    subject = (phone_or_none(phone) if phone.strip() else None) or valid_dui_or_none(dui)
    if subject:
        record_access(
            user, AccessVia.CALLER_HISTORY, case_ids=[case.pk for case in found], subject=subject
        )
    return found


def caller_history(
    user: User, *, phone: str = "", dui: str = "", limit: int = HISTORY_LIMIT
) -> list[Case]:
    """The cases of this phone or DUI that `user` may see, most recent first. Only a valid
    number or DUI is looked up (both stored normalised, both indexed)."""
    condition = Q()
    valid_phone = phone_or_none(phone) if phone.strip() else None
    valid_dui = valid_dui_or_none(dui)
    if valid_phone:
        condition |= Q(citizen_phone=valid_phone)
    if valid_dui:
        condition |= Q(citizen_dui=valid_dui)
    if not condition:
        return []
    return list(
        visible_cases(user)
        .filter(condition)
        .select_related("opinion_type", "topic", "dependency")
        .order_by("-received_at", "-id")[:limit]
    )
