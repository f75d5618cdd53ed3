"""Steps taken on many cases of the list at once: each case goes through the same named action
as on its page (one history row each, its own transaction, its own checks), and a case the
step does not fit is reported with the reason, never half done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import User
from enlace.cases import actions
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case, Priority
from enlace.cases.permissions import Capability, has_capability
from enlace.cases.queries import can_act, visible_cases
from enlace.core.errors import BusinessError

# At most this many cases in one go: a page of the list, and a bound on one request's work.
MAX_CASES = 200


class BulkStep(StrEnum):
    """The steps offered on a selection (in the form in Spanish)."""

    OWNER = "responsable"
    PRIORITY = "prioridad"
    CLOSE_INQUIRIES = "cerrar-consultas"


LABELS: dict[BulkStep, StrOrPromise] = {
    BulkStep.OWNER: _("Assign to a person"),
    BulkStep.PRIORITY: _("Change the priority"),
    BulkStep.CLOSE_INQUIRIES: _("Close the inquiries with one answer"),
}
NEEDS: dict[BulkStep, Capability] = {
    BulkStep.OWNER: Capability.OWN,
    BulkStep.PRIORITY: Capability.RECLASSIFY,
    BulkStep.CLOSE_INQUIRIES: Capability.CLOSE_INQUIRY,
}


@dataclass
class BulkResult:
    done: list[Case] = field(default_factory=list)
    refused: list[tuple[Case, str]] = field(default_factory=list)


def offered_steps(user: User) -> list[tuple[str, StrOrPromise]]:
    return [(step.value, LABELS[step]) for step in BulkStep if has_capability(user, NEEDS[step])]


def selected_cases(user: User, ids: Sequence[int]) -> list[Case]:
    """The cases chosen that the user sees (others are left out unseen), oldest first."""
    return list(
        visible_cases(user)
        .filter(pk__in=list(ids)[:MAX_CASES])
        .select_related("opinion_type", "limitante", "topic")
        .order_by("received_at", "id")
    )


def _perform(step: BulkStep, data: dict[str, Any], user: User) -> Callable[[Case], object]:
    if step == BulkStep.OWNER:
        owner: User | None = data.get("owner")
        return lambda case: actions.do_set_owner(case, owner, acting_user=user)
    if step == BulkStep.PRIORITY:
        priority = str(data["priority"])
        if priority not in Priority.values:
            raise BusinessError(_("Choose the priority."), field="priority")
        return lambda case: actions.do_reclassify_case(
            case,
            opinion_type=case.opinion_type,
            limitante=case.limitante,
            topic=case.topic,
            priority=priority,
            acting_user=user,
        )
    answer = str(data.get("answer") or "").strip()
    if not answer:
        raise BusinessError(_("Write the answer given to the citizens."), field="answer")

    def close(case: Case) -> object:
        if case.kind != CaseKind.INQUIRY:
            raise BusinessError(_("Only inquiries close with one answer; this is an opinion."))
        return actions.do_close_case(case, answer, acting_user=user)

    return close


def run(user: User, step: BulkStep, cases: Sequence[Case], data: dict[str, Any]) -> BulkResult:
    """Take `step` on each case the user may take it on; the rest are refused with a reason."""
    if not has_capability(user, NEEDS[step]):
        raise BusinessError(_("Your role does not take this step."))
    perform = _perform(step, data, user)
    result = BulkResult()
    for case in cases:
        if not can_act(user, case, NEEDS[step]):
            result.refused.append((case, str(_("You may not do this with this case."))))
            continue
        try:
            perform(case)
        except BusinessError as error:
            result.refused.append((case, str(error.message)))
        else:
            result.done.append(case)
    return result
