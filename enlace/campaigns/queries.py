"""Reads of the campaigns: who sees which, one access function per object, and the progress
figures (in SQL, grouped: never a loop over the contacts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.campaigns import rules
from enlace.campaigns.models import (
    Attempt,
    Campaign,
    CampaignStatus,
    Contact,
    ContactState,
    Outcome,
)
from enlace.cases.permissions import Capability, has_capability


def can_run(user: User) -> bool:
    """Plan campaigns, import their lists, follow and export them (the call centre's
    supervisors, the resolution section)."""
    return has_capability(user, Capability.RUN_CAMPAIGNS)


def can_call(user: User) -> bool:
    return has_capability(user, Capability.CALL_OUT)


def can_see_campaigns(user: User) -> bool:
    return user.is_authenticated and (can_run(user) or can_call(user))


def works_on(user: User, campaign: Campaign) -> bool:
    """An agent calls on a campaign that names them, or on any that names nobody."""
    if not can_call(user):
        return False
    agents = campaign.agents.values_list("id", flat=True)
    return not agents.exists() or user.pk in agents


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if can_run(user):
        return Campaign.objects.all()
    if can_call(user):
        open_to_all = Q(agents__isnull=True)
        return (
            Campaign.objects.filter(status__in=(CampaignStatus.RUNNING, CampaignStatus.PAUSED))
            .filter(open_to_all | Q(agents=user))
            .distinct()
        )
    return Campaign.objects.none()


def access_campaign_for_user(user: User, pk: int) -> Campaign:
    campaign = visible_campaigns(user).select_related("requested_by", "study").filter(pk=pk).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    return campaign


def access_contact_for_user(user: User, pk: int, *, now: datetime | None = None) -> Contact:
    """A contact: a supervisor sees any; an agent only the one they hold now."""
    now = now or timezone.now()
    contacts = Contact.objects.select_related("campaign", "lease_holder")
    if not can_run(user):
        contacts = contacts.filter(lease_holder=user, lease_until__gt=now)
    contact = contacts.filter(pk=pk, campaign__in=visible_campaigns(user)).first()
    if contact is None:
        raise Http404(_("No such contact, or it is no longer yours to call."))
    return contact


def progress(campaign: Campaign, *, agent: User | None = None) -> dict[str, Any]:
    """The campaign's figures: contacts by state and by last outcome, those due now, attempts
    by outcome, by agent and by hour of the day and by day. Six grouped queries."""
    now = timezone.now()
    contacts = Contact.objects.filter(campaign=campaign)
    by_state = dict(contacts.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    total = sum(by_state.values())
    due = contacts.filter(state=ContactState.TO_CALL).aggregate(
        due=Count("id", filter=Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)),
        callbacks=Count("id", filter=Q(callback=True)),
        held=Count("id", filter=Q(lease_until__gt=now)),
        never=Count("id", filter=Q(attempts=0)),
    )
    last_outcomes = dict(
        contacts.exclude(last_outcome="")
        .values_list("last_outcome")
        .annotate(n=Count("id"))
        .values_list("last_outcome", "n")
    )
    attempts = Attempt.objects.filter(campaign=campaign)
    if agent is not None:
        attempts = attempts.filter(agent=agent)
    by_outcome = dict(
        attempts.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    by_agent = list(
        attempts.values("agent_id", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(
            n=Count("id"),
            reached=Count("id", filter=Q(outcome__in=sorted(rules.REACHED))),
        )
        .order_by("-n", "agent__username")
    )
    local = timezone.get_current_timezone()
    by_hour = dict(
        attempts.annotate(hour=ExtractHour("at", tzinfo=local))
        .values_list("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    by_day = list(
        attempts.annotate(day=TruncDate("at", tzinfo=local))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
        .values_list("day", "n")
    )
    done = by_state.get(ContactState.DONE, 0)
    unreachable = by_state.get(ContactState.UNREACHABLE, 0)
    excluded = by_state.get(ContactState.EXCLUDED, 0)
    callable_total = total - excluded
    return {
        "total": total,
        "to_call": by_state.get(ContactState.TO_CALL, 0),
        "done": done,
        "unreachable": unreachable,
        "excluded": excluded,
        "finished_percent": _percent(done + unreachable, callable_total),
        "due": due["due"] or 0,
        "callbacks": due["callbacks"] or 0,
        "held": due["held"] or 0,
        "never_called": due["never"] or 0,
        "last_outcomes": [
            {"code": code, "label": label, "n": last_outcomes.get(code, 0)}
            for code, label in Outcome.choices
            if last_outcomes.get(code)
        ],
        "attempts": sum(by_outcome.values()),
        "attempts_by_outcome": [
            {"code": code, "label": label, "n": by_outcome.get(code, 0)}
            for code, label in Outcome.choices
            if by_outcome.get(code)
        ],
        "by_agent": [
            {
                "agent": " ".join(
                    part for part in (row["agent__first_name"], row["agent__last_name"]) if part
                )
                or row["agent__username"]
                or "—",
                "attempts": row["n"],
                "reached": row["reached"],
            }
            for row in by_agent
        ],
        "by_hour": [{"hour": hour, "n": by_hour[hour]} for hour in sorted(by_hour)],
        "by_day": [{"day": day, "n": n} for day, n in by_day],
    }


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return f"{100 * part / whole:.2f}"


def intake_initial_for_contact(user: User, query: Any) -> dict[str, Any]:
    """What the console's intake starts with when opened from a campaign's call
    (?contacto=<id>): the person called, on the call centre's channel. Nothing for a contact
    the user does not hold."""
    from enlace.core.identifiers import format_phone

    contact_id = str(query.get("contacto", ""))
    if not contact_id.isdigit() or not can_call(user):
        return {}
    contact = (
        Contact.objects.filter(
            pk=int(contact_id), lease_holder=user, lease_until__gt=timezone.now()
        )
        .only("name", "phone", "dui", "affiliation")
        .first()
    )
    if contact is None:
        return {}
    return {
        "channel": "llamada_127",
        "citizen_name": contact.name,
        "citizen_phone": format_phone(contact.phone),
        "citizen_dui": contact.dui,
        "citizen_affiliation": contact.affiliation,
    }
