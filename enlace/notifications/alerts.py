"""A person's alerts in Enlace (the bell in the header, /avisos/) and, as they choose, by e-mail.

The cases' history tells `on_case_events` (from `subscribers.on_case_events`) of its rows in
their transaction; the rows that concern somebody become `Alert` rows, one INSERT per batch:

- a case given to a person (`owner_set`): the new owner, unless they took it themselves;
- a proposed answer (`answer_proposed`): the resolution staff, who review it;
- a due date near or missed (`deadline_reminder`, `deadline_missed`): the person working the
  case, else its centre's liaisons (the resolution staff for a case without a centre, or for an
  aviso de denuncia its centre may not see yet);
- an internal note (`commented`) naming `@username`: that person, if active and they may see
  the case (`cases.queries.sees_case`); names of nobody are ignored.

Nobody is alerted of what they did themselves. A person also gets the alert by e-mail when they
keep its kind by e-mail (`AlertPreference`; by default a case given to them and a mention) and
have an address. An alert names the case by its code, type, centre and due date: never the
citizen, nor what anyone wrote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.models import Case, CaseDeadline, CaseEvent
from enlace.cases.models import EventKind as CaseEventKind
from enlace.cases.permissions import is_untriaged_denuncia
from enlace.cases.queries import sees_case
from enlace.notifications import notify
from enlace.notifications.models import (
    EMAIL_BY_DEFAULT,
    Alert,
    AlertKind,
    AlertPreference,
    NotificationKind,
)
from enlace.notifications.notify import Person

KIND_OF_EVENT: dict[str, AlertKind] = {
    CaseEventKind.OWNER_SET: AlertKind.OWNER,
    CaseEventKind.ANSWER_PROPOSED: AlertKind.REVIEW,
    CaseEventKind.DEADLINE_REMINDER: AlertKind.DUE_SOON,
    CaseEventKind.DEADLINE_MISSED: AlertKind.OVERDUE,
    CaseEventKind.COMMENTED: AlertKind.MENTION,
}
# The outbox's kind of each alert's e-mail.
EMAIL_KIND: dict[AlertKind, NotificationKind] = {
    AlertKind.OWNER: NotificationKind.OWNERSHIP,
    AlertKind.REVIEW: NotificationKind.REVIEW,
    AlertKind.DUE_SOON: NotificationKind.REMINDER,
    AlertKind.OVERDUE: NotificationKind.OVERDUE,
    AlertKind.MENTION: NotificationKind.MENTION,
}

# "@username" where a word starts: not inside an address (ana@example.org) nor after another
# name's characters; Django's usernames are letters, digits and . + - _ (150 at most). A
# trailing full stop or dash ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w.+@-])@(\w[\w.+-]{0,149})")
MAX_MENTIONS = 10  # a note naming more alerts the first ten


def mentioned_usernames(text: str) -> list[str]:
    """The usernames a note mentions, each once, in order (pure)."""
    names: list[str] = []
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".+-")
        if name and name not in names:
            names.append(name)
            if len(names) == MAX_MENTIONS:
                break
    return names


def wants_email(chosen: Mapping[str, bool], kind: str) -> bool:
    """Whether a person whose saved choices are `chosen` (kind: by e-mail) gets `kind` by
    e-mail."""
    return chosen.get(kind, kind in EMAIL_BY_DEFAULT)


@dataclass(frozen=True)
class _Told:
    event: CaseEvent
    kind: AlertKind
    people: list[Person]
    summary: str
    due: str
    # Addresses the centre's own reminder already wrote to: no second message to them.
    mailed: frozenset[str] = frozenset()


def on_case_events(
    events: Sequence[CaseEvent], context: Mapping[str, Any], cache: dict[str, Any]
) -> int:
    """Write the alerts `events` give rise to, in one INSERT, and queue the e-mails their people
    want; `cache` is shared by the batch (the sweeper's) or by this call. Returns the alerts."""
    told: list[_Told] = []
    deadline = context.get("deadline")
    for event in events:
        kind = KIND_OF_EVENT.get(event.kind)
        if kind is None:
            continue
        people = {p.id: p for p in _people(event, kind, cache) if p.id != event.actor_id}
        if not people:
            continue
        due = _due(event, kind, deadline if isinstance(deadline, CaseDeadline) else None)
        mailed: frozenset[str] = frozenset()
        if kind == AlertKind.DUE_SOON and deadline is not None:
            # The centre's reminder (notify.deadline_reminder) went to its liaisons already.
            mailed = frozenset(staff(cache).liaisons(event.case))
        summary = _summary(event.case, kind, due)
        told.append(_Told(event, kind, list(people.values()), summary, due, mailed))
    if not told:
        return 0
    alerts = Alert.objects.bulk_create(
        Alert(
            user_id=person.id,
            kind=each.kind,
            case=each.event.case,
            actor_id=each.event.actor_id,
            summary=each.summary,
            created_at=each.event.at,
        )
        for each in told
        for person in each.people
    )
    _email(told, cache)
    return len(alerts)


# --- Who is told ------------------------------------------------------------------------------
def _people(event: CaseEvent, kind: AlertKind, cache: dict[str, Any]) -> list[Person]:
    case = event.case
    if kind == AlertKind.OWNER:
        owner = case.owner if case.owner_id is not None else None
        return [Person(owner.pk, owner.email)] if owner is not None and owner.is_active else []
    if kind == AlertKind.REVIEW:
        return staff(cache).supervisor_people()
    if kind in (AlertKind.DUE_SOON, AlertKind.OVERDUE):
        return _working(case, cache)
    return _mentioned(event)


def _working(case: Case, cache: dict[str, Any]) -> list[Person]:
    """The person working the case, else those who answer for its centre."""
    if case.owner_id is not None:
        owners: dict[int, Person | None] = cache.setdefault("alert_owners", {})
        if case.owner_id not in owners:
            row = (
                User.objects.filter(pk=case.owner_id, is_active=True)
                .values_list("id", "email")
                .first()
            )
            owners[case.owner_id] = Person(*row) if row is not None else None
        owner = owners[case.owner_id]
        if owner is not None:
            return [owner]
    known = staff(cache)
    # An aviso de denuncia not yet triaged is hidden from its centre: its liaisons are not told.
    if is_untriaged_denuncia(case):
        return known.supervisor_people()
    return known.liaison_people(case)


def _mentioned(event: CaseEvent) -> list[Person]:
    """The active people an internal note names by username (exactly, or the only one whose
    name differs in case alone) who may see its case; not its author."""
    names = mentioned_usernames(event.note)
    if not names:
        return []
    found = [
        user
        for user in User.objects.filter(is_active=True)
        .annotate(folded=Lower("username"))
        .filter(folded__in={name.lower() for name in names})
        .order_by("id")
        if user.pk != event.actor_id
    ]
    exact = {user.username: user for user in found}
    folded: dict[str, list[User]] = defaultdict(list)
    for user in found:
        folded[user.username.lower()].append(user)
    people: list[Person] = []
    for name in names:
        alike = folded[name.lower()]
        chosen = exact.get(name) or (alike[0] if len(alike) == 1 else None)
        if chosen is None or any(p.id == chosen.pk for p in people):
            continue
        if sees_case(chosen, event.case):
            people.append(Person(chosen.pk, chosen.email))
    return people


def staff(cache: dict[str, Any]) -> notify.Recipients:
    """The liaisons and resolution staff, read once per batch (the sweeper's) or per call."""
    if "staff" not in cache:
        cache["staff"] = notify.Recipients()
    recipients: notify.Recipients = cache["staff"]
    return recipients


# --- What they read ---------------------------------------------------------------------------
def _due(event: CaseEvent, kind: AlertKind, deadline: CaseDeadline | None) -> str:
    if kind in (AlertKind.DUE_SOON, AlertKind.OVERDUE):
        if deadline is not None:
            return f"{deadline.due_on:%d/%m/%Y}"
        recorded = event.changes.get("deadline", {}) if isinstance(event.changes, dict) else {}
        return str(recorded.get("to", "—")) if isinstance(recorded, dict) else "—"
    next_due_on = event.case.next_due_on
    return f"{next_due_on:%d/%m/%Y}" if next_due_on else "—"


def _summary(case: Case, kind: AlertKind, due: str) -> str:
    """One line in the office's language: the case's code, type, centre and due date."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "code": case.display_code,
            "subject": case.subject,
            "centre": case.dependency.name if case.dependency else "—",
            "due": due,
        }
        texts = {
            AlertKind.OWNER: _(
                "Case %(code)s (%(subject)s, %(centre)s) was given to you; next due date: %(due)s."
            ),
            AlertKind.REVIEW: _(
                "Case %(code)s (%(subject)s, %(centre)s) has an answer proposed for your review."
            ),
            AlertKind.DUE_SOON: _("Case %(code)s (%(subject)s, %(centre)s) is due on %(due)s."),
            AlertKind.OVERDUE: _(
                "Case %(code)s (%(subject)s, %(centre)s) was due on %(due)s and is still open."
            ),
            AlertKind.MENTION: _(
                "You were mentioned in an internal note of case %(code)s (%(subject)s, %(centre)s)."
            ),
        }
        return (texts[kind] % values)[: Alert._meta.get_field("summary").max_length]


# --- By e-mail, as each person chose ----------------------------------------------------------
def _email(told: Sequence[_Told], cache: dict[str, Any]) -> None:
    chosen = _choices({p.id for each in told for p in each.people if p.email}, cache)
    for each in told:
        to = [
            p.email
            for p in each.people
            if p.email and p.email not in each.mailed and wants_email(chosen[p.id], each.kind)
        ]
        if not to:
            continue
        case = each.event.case
        if each.kind == AlertKind.OWNER and case.owner is not None:
            notify.ownership(case, case.owner)
        else:
            actor = each.event.actor if each.event.actor_id is not None else None
            notify.alert_email(
                case,
                EMAIL_KIND[each.kind],
                each.summary,
                to,
                due=each.due,
                person=(actor.get_full_name() or actor.username) if actor is not None else "",
            )


def _choices(user_ids: Collection[int], cache: dict[str, Any]) -> dict[int, dict[str, bool]]:
    """Each person's saved choices (kind: by e-mail), read once per person and batch."""
    known: dict[int, dict[str, bool]] = cache.setdefault("alert_choices", {})
    missing = [pk for pk in user_ids if pk not in known]
    if missing:
        for pk in missing:
            known[pk] = {}
        rows = AlertPreference.objects.filter(user_id__in=missing).values_list(
            "user_id", "kind", "by_email"
        )
        for user_id, kind, by_email in rows:
            known[user_id][kind] = by_email
    return known
