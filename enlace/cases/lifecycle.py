"""The lifecycle of a case: its states and the transitions allowed between them, in one place.

Actions call `check_transition` before they change a status, so no code path can move a case
along an edge that is not in `TRANSITIONS`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.core.errors import BusinessError


class CaseKind(models.TextChoices):
    OPINION = "opinion", _("Opinion")
    INQUIRY = "consulta", _("Inquiry")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_ASSESSMENT = "in_assessment", _("In assessment")
    ASSIGNED = "assigned", _("Assigned to a centre")
    ANSWER_PROPOSED = "answer_proposed", _("Answer proposed")
    ANSWERED = "answered", _("Answered")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the citizen")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    VOID = "void", _("Void")


S = CaseStatus
OPEN_STATUSES = frozenset(
    {
        S.RECEIVED,
        S.ACKNOWLEDGED,
        S.IN_ASSESSMENT,
        S.ASSIGNED,
        S.ANSWER_PROPOSED,
        S.ANSWERED,
        S.WAITING_CITIZEN,
        S.REOPENED,
    }
)
FINAL_STATUSES = frozenset({S.CLOSED, S.MERGED, S.VOID})

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.IN_ASSESSMENT, S.ASSIGNED, S.WAITING_CITIZEN}),
    S.ACKNOWLEDGED: frozenset({S.IN_ASSESSMENT, S.ASSIGNED, S.WAITING_CITIZEN}),
    S.IN_ASSESSMENT: frozenset({S.ASSIGNED, S.WAITING_CITIZEN}),
    S.ASSIGNED: frozenset({S.ASSIGNED, S.ANSWER_PROPOSED, S.WAITING_CITIZEN, S.IN_ASSESSMENT}),
    S.ANSWER_PROPOSED: frozenset({S.ANSWERED, S.ASSIGNED}),
    S.ANSWERED: frozenset({S.CLOSED, S.REOPENED}),
    S.WAITING_CITIZEN: frozenset({S.IN_ASSESSMENT, S.ASSIGNED, S.RECEIVED}),
    S.REOPENED: frozenset({S.IN_ASSESSMENT, S.ASSIGNED, S.WAITING_CITIZEN}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.MERGED: frozenset(),
    S.VOID: frozenset(),
}
# Every open case may be closed with an answer, merged into another, or voided; the
# resolution section may answer any case still being worked on without a centre's proposal.
for _status in OPEN_STATUSES:
    TRANSITIONS[_status] = TRANSITIONS[_status] | {S.CLOSED, S.MERGED, S.VOID}
for _status in (S.RECEIVED, S.ACKNOWLEDGED, S.IN_ASSESSMENT, S.ASSIGNED, S.REOPENED):
    TRANSITIONS[_status] = TRANSITIONS[_status] | {S.ANSWERED}


def can_transition(current: str, target: str) -> bool:
    return CaseStatus(target) in TRANSITIONS[CaseStatus(current)]


def check_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise BusinessError(
            _("A case that is %(current)s cannot become %(target)s.")
            % {"current": CaseStatus(current).label, "target": CaseStatus(target).label},
            code="transition",
        )
