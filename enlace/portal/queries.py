"""The portal's reads: a case by its code and the second factor of its citizen, and the steps
of that case a citizen may see."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.rules import dui_key, phone_or_none
from enlace.portal.keys import hash_clave, normalise_clave
from enlace.portal.models import TrackingKey


def _same(given: str, stored: str) -> bool:
    return bool(given) and bool(stored) and hmac.compare_digest(given.encode(), stored.encode())


def case_for_citizen(code: str, factor: str) -> Case | None:
    """The case with this tracking code if `factor` is its citizen's email, DUI or phone, or
    the clave of its receipt; None otherwise (which of the two was wrong is not told)."""
    if not code or not factor.strip():
        return None
    case = (
        Case.objects.select_related("dependency", "opinion_type", "topic", "channel")
        .filter(tracking_code=code)
        .first()
    )
    if case is None:
        return None
    factor = factor.strip()
    candidates: list[tuple[str, str]] = []
    if "@" in factor:
        candidates.append((factor.lower(), case.citizen_email.lower()))
    if (dui := dui_key(factor)) is not None:
        candidates.append((dui, case.citizen_dui))
    if (phone := phone_or_none(factor)) is not None:
        candidates.append((phone, case.citizen_phone))
    if (clave := normalise_clave(factor)) is not None:
        stored = TrackingKey.objects.filter(case=case).values_list("key_hash", flat=True).first()
        candidates.append((hash_clave(clave), stored or ""))
    if any(_same(given, stored) for given, stored in candidates):
        return case
    return None


S = CaseStatus
# What each status means to the citizen, in plain words: (headline, explanation).
CITIZEN_STATUS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    S.RECEIVED: (_("Received"), _("We received your message and will review it soon.")),
    S.ACKNOWLEDGED: (_("Received"), _("We received your message and will review it soon.")),
    S.IN_ASSESSMENT: (_("Being reviewed"), _("Our team is reviewing your case.")),
    S.ASSIGNED: (
        _("In progress"),
        _("The centre responsible is looking into your case and preparing an answer."),
    ),
    S.ANSWER_PROPOSED: (
        _("In progress"),
        _("The centre responsible is looking into your case and preparing an answer."),
    ),
    S.REOPENED: (_("In progress"), _("Your case was reopened and is being looked into again.")),
    S.WAITING_CITIZEN: (
        _("Waiting for you"),
        _("We need more information from you; we will contact you, or call 127."),
    ),
    S.ANSWERED: (_("Answered"), _("Your case has an answer. You can read it below.")),
    S.CLOSED: (_("Closed"), _("Your case is closed.")),
    S.MERGED: (
        _("Joined to another case"),
        _("It is being handled together with another case of yours about the same matter."),
    ),
    S.VOID: (_("Cancelled"), _("This case was cancelled. Call 127 if you need help.")),
}


def shows_answer(case: Case) -> bool:
    return bool(case.answer) and case.status in (S.ANSWERED, S.CLOSED)


def waits_for_citizen(case: Case) -> bool:
    """Whether the case waits for the citizen, who may then reply from the tracking page."""
    return case.status == S.WAITING_CITIZEN


@dataclass(frozen=True)
class PublicStep:
    label: StrOrPromise
    at: datetime


E = EventKind
# The history rows that are steps a citizen may see, and what each reads to them by the status
# the case went to. Everything else (comments, reclassification, proposals and their return,
# owners, deadlines, messages) stays with the staff; a row's note, actor and changes are never
# read at all, so no internal note, improvement action or staff name can reach the page.
STEP_EVENTS = (
    E.ACKNOWLEDGED,
    E.ASSESSING,
    E.ASSIGNED,
    E.WAITING,
    E.RESUMED,
    E.ANSWERED,
    E.CLOSED,
    E.REOPENED,
)
STEP_LABELS: dict[str, StrOrPromise] = {
    S.ACKNOWLEDGED: _("Receipt confirmed"),
    S.IN_ASSESSMENT: _("Being reviewed"),
    S.ASSIGNED: _("With the centre responsible"),
    S.WAITING_CITIZEN: _("Waiting for you"),
    S.ANSWERED: _("Answered"),
    S.CLOSED: _("Closed"),
    S.REOPENED: _("Reopened"),
}
RECEIVED_LABEL: StrOrPromise = _("Received")
# Resuming returns the case to where it was; to the citizen, it is their reply that arrived.
RESUMED_LABEL: StrOrPromise = _("Your information was received")


def public_steps(case: Case) -> list[PublicStep]:
    """The citizen-facing steps of `case` (already opened with its code and second factor),
    oldest first: received (when the case says it was), then each step of its history rows,
    read in one query of their kind, status and moment only. A step repeated in a row (a
    transfer to another centre, an answer returned to the centre) shows once, at its first
    date."""
    steps = [PublicStep(RECEIVED_LABEL, case.received_at)]
    rows = (
        CaseEvent.objects.filter(case=case, kind__in=STEP_EVENTS)
        .order_by("at", "id")
        .values_list("kind", "to_status", "at")
    )
    for kind, to_status, at in rows:
        label = RESUMED_LABEL if kind == E.RESUMED else STEP_LABELS.get(to_status)
        if label is None or label == steps[-1].label:
            continue
        steps.append(PublicStep(label, at))
    return steps
