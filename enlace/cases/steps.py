"""The steps a user may take on a case: the registry the case page and the API both read
(enlace/core/steps.py gives its shape).

Every step is posted to one view, `case_action`, at /casos/<id>/<slug>/ (and the API's step
endpoints run the same registry): for each slug, who may take it, with which form, which
action it calls, and when it is offered. A new step on a case is an action in `actions.py`
plus one entry here; a higher layer adds its own from its `ready()` (`CASE_STEPS.add`): the
channels add "reply to the citizen on their channel"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from enlace.accounts.models import User
from enlace.cases import actions
from enlace.cases.forms import (
    AnswerForm,
    AssignForm,
    CloseForm,
    CommentForm,
    EscalateForm,
    MergeForm,
    NoteForm,
    OwnerForm,
    ProposeAnswerForm,
    ReclassifyForm,
    ReopenForm,
    ReturnAnswerForm,
    TriageForm,
    VoidForm,
    WaitForm,
)
from enlace.cases.lifecycle import CaseKind, CaseStatus, can_transition
from enlace.cases.models import Case
from enlace.cases.permissions import Capability
from enlace.cases.queries import can_act
from enlace.core.steps import Step, Steps


def _moves_to(target: CaseStatus) -> Callable[[Case], bool]:
    def offered(case: Case) -> bool:
        return can_transition(case.status, target)

    return offered


def _moves_to_unless(target: CaseStatus, *skipped: CaseStatus) -> Callable[[Case], bool]:
    """Allowed by the lifecycle, but not offered from `skipped` statuses, where another action
    is the way: a case waiting for the citizen moves on by resuming (which moves its deadlines
    by the days waited), a proposed answer goes back to the centre by returning it."""

    def offered(case: Case) -> bool:
        return case.status not in skipped and can_transition(case.status, target)

    return offered


def _close_capability(case: Case) -> Capability:
    return Capability.CLOSE if case.kind == CaseKind.OPINION else Capability.CLOSE_INQUIRY


def _reclassify(case: Case, data: dict[str, Any], user: User) -> object:
    return actions.do_reclassify_case(
        case,
        opinion_type=data.get("opinion_type") if case.kind == CaseKind.OPINION else None,
        limitante=data["limitante"],
        topic=data.get("topic", case.topic) if case.kind == CaseKind.INQUIRY else case.topic,
        note=data["note"],
        acting_user=user,
        priority=data["priority"] or None,
        patient_safety=data["patient_safety"],
    )


def _triage(case: Case, data: dict[str, Any], user: User) -> object:
    return actions.do_classify_case(
        case,
        kind=data["kind"],
        opinion_type=data["opinion_type"],
        topic=data["topic"],
        dependency=data["dependency"],
        limitante=data["limitante"],
        note=data["note"],
        acting_user=user,
    )


def _escalate(case: Case, data: dict[str, Any], user: User) -> object:
    return actions.do_escalate_inquiry(
        case,
        opinion_type=data["opinion_type"],
        dependency=data["dependency"],
        description=data["description"],
        acting_user=user,
    )


def _may_escalate(case: Case) -> bool:
    return (
        case.kind == CaseKind.INQUIRY
        and case.status not in (CaseStatus.MERGED, CaseStatus.VOID)
        and not case.escalations.exists()
    )


# The slug is the last part of the URL, in Spanish like the rest of them. The order is the
# order on the page.
_STEPS: dict[str, Step[Case]] = {
    "triaje": Step(
        capability=Capability.RECLASSIFY,
        form_class=TriageForm,
        perform=_triage,
        done=gettext_lazy("The case is classified."),
        title=gettext_lazy("Say what it is"),
        button=gettext_lazy("Classify"),
        offered=lambda case: case.is_open and case.to_classify,
    ),
    "acusar": Step(
        capability=Capability.ACKNOWLEDGE,
        form_class=NoteForm,
        perform=lambda case, data, user: actions.do_acknowledge_case(
            case, note=data["note"], acting_user=user
        ),
        done=gettext_lazy("Receipt acknowledged."),
        title=gettext_lazy("Acknowledge receipt"),
        button=pgettext_lazy("button", "Acknowledge"),
        offered=_moves_to(CaseStatus.ACKNOWLEDGED),
        target=CaseStatus.ACKNOWLEDGED,
    ),
    "evaluar": Step(
        capability=Capability.ACKNOWLEDGE,
        form_class=NoteForm,
        perform=lambda case, data, user: actions.do_start_assessment(
            case, note=data["note"], acting_user=user
        ),
        done=gettext_lazy("Assessment started."),
        title=gettext_lazy("Start the assessment"),
        button=gettext_lazy("Start assessment"),
        offered=_moves_to_unless(CaseStatus.IN_ASSESSMENT, CaseStatus.WAITING_CITIZEN),
        target=CaseStatus.IN_ASSESSMENT,
    ),
    "asignar": Step(
        capability=Capability.ASSIGN,
        form_class=AssignForm,
        perform=lambda case, data, user: actions.do_assign_case(
            case, data["dependency"], reason=data["reason"], acting_user=user
        ),
        done=gettext_lazy("Case assigned."),
        title=gettext_lazy("Assign to a centre"),
        button=gettext_lazy("Assign"),
        offered=_moves_to_unless(
            CaseStatus.ASSIGNED, CaseStatus.WAITING_CITIZEN, CaseStatus.ANSWER_PROPOSED
        ),
        target=CaseStatus.ASSIGNED,
    ),
    "tomar": Step(
        capability=Capability.OWN,
        form_class=NoteForm,
        perform=lambda case, data, user: actions.do_set_owner(
            case, user, note=data["note"], acting_user=user
        ),
        done=gettext_lazy("The case is yours: it is in your queue."),
        title=gettext_lazy("Take the case"),
        button=gettext_lazy("Take it"),
        offered=lambda case: case.is_open,
    ),
    "responsable": Step(
        capability=Capability.OWN,
        form_class=OwnerForm,
        perform=lambda case, data, user: actions.do_set_owner(
            case, data["owner"], note=data["note"], acting_user=user
        ),
        done=gettext_lazy("The case has a new owner, who has been told."),
        title=gettext_lazy("Assign to a person"),
        button=gettext_lazy("Assign to the person"),
        offered=lambda case: case.is_open,
    ),
    "proponer": Step(
        capability=Capability.PROPOSE_ANSWER,
        form_class=ProposeAnswerForm,
        perform=lambda case, data, user: actions.do_propose_answer(
            case,
            data["answer"],
            acting_user=user,
            improvement_action=data.get("improvement_action", ""),
            files=data.get("files") or (),
        ),
        done=gettext_lazy("Answer proposed to the resolution section."),
        title=gettext_lazy("Propose the answer"),
        button=gettext_lazy("Propose answer"),
        offered=_moves_to(CaseStatus.ANSWER_PROPOSED),
        target=CaseStatus.ANSWER_PROPOSED,
    ),
    "responder": Step(
        capability=Capability.ANSWER,
        form_class=AnswerForm,
        perform=lambda case, data, user: actions.do_answer_case(
            case,
            data["answer"],
            acting_user=user,
            files=data.get("files") or (),
            proposal_files=data.get("proposal_files") or (),
        ),
        done=gettext_lazy("Answer given to the citizen."),
        title=gettext_lazy("Answer the citizen"),
        button=gettext_lazy("Send answer"),
        offered=_moves_to(CaseStatus.ANSWERED),
        target=CaseStatus.ANSWERED,
    ),
    "devolver": Step(
        capability=Capability.ANSWER,
        form_class=ReturnAnswerForm,
        perform=lambda case, data, user: actions.do_return_answer(
            case, data["reason"], acting_user=user
        ),
        done=gettext_lazy("Proposed answer returned to the centre."),
        title=gettext_lazy("Return the proposed answer"),
        button=gettext_lazy("Return to the centre"),
        # Returning is only ever from a proposal (assigning again is "asignar").
        offered=lambda case: case.status == CaseStatus.ANSWER_PROPOSED,
        target=CaseStatus.ASSIGNED,
    ),
    "esperar": Step(
        capability=Capability.PAUSE,
        form_class=WaitForm,
        perform=lambda case, data, user: actions.do_wait_for_citizen(
            case, data["reason"], acting_user=user
        ),
        done=gettext_lazy("The case waits for the citizen; its deadlines are stopped."),
        title=gettext_lazy("Wait for the citizen"),
        button=gettext_lazy("Stop the clock"),
        offered=_moves_to(CaseStatus.WAITING_CITIZEN),
        target=CaseStatus.WAITING_CITIZEN,
    ),
    "reanudar": Step(
        capability=Capability.PAUSE,
        form_class=NoteForm,
        perform=lambda case, data, user: actions.do_resume_case(
            case, note=data["note"], acting_user=user
        ),
        done=gettext_lazy("Case resumed; its deadlines moved by the days waited."),
        title=gettext_lazy("The citizen replied"),
        button=gettext_lazy("Resume"),
        offered=lambda case: case.status == CaseStatus.WAITING_CITIZEN,
    ),
    "cerrar": Step(
        capability=_close_capability,
        form_class=CloseForm,
        perform=lambda case, data, user: actions.do_close_case(
            case, data["answer"], accepted=data["accepted"], acting_user=user
        ),
        done=gettext_lazy("Case closed."),
        title=gettext_lazy("Close the case"),
        button=gettext_lazy("Close case"),
        offered=_moves_to(CaseStatus.CLOSED),
        target=CaseStatus.CLOSED,
    ),
    "reabrir": Step(
        capability=Capability.CLOSE,
        form_class=ReopenForm,
        perform=lambda case, data, user: actions.do_reopen_case(
            case, data["reason"], acting_user=user
        ),
        done=gettext_lazy("Case reopened; a new answer deadline counts from today."),
        title=gettext_lazy("Reopen the case"),
        button=gettext_lazy("Reopen"),
        offered=_moves_to(CaseStatus.REOPENED),
        target=CaseStatus.REOPENED,
    ),
    "comentar": Step(
        capability=Capability.COMMENT,
        form_class=CommentForm,
        perform=lambda case, data, user: actions.do_add_comment(
            case, data["body"], acting_user=user
        ),
        done=gettext_lazy("Comment added."),
        title=gettext_lazy("Comment"),
        button=gettext_lazy("Add comment"),
        offered=lambda case: True,
    ),
    "clasificar": Step(
        capability=Capability.RECLASSIFY,
        form_class=ReclassifyForm,
        perform=_reclassify,
        done=gettext_lazy("Classification saved."),
        title=gettext_lazy("Classify"),
        button=gettext_lazy("Save classification"),
        offered=lambda case: case.is_open and not case.to_classify,
        secondary=True,
    ),
    "escalar": Step(
        capability=Capability.ESCALATE,
        form_class=EscalateForm,
        perform=_escalate,
        done=gettext_lazy("The inquiry became an opinion case for follow-up."),
        title=gettext_lazy("Escalate into an opinion"),
        button=gettext_lazy("Escalate"),
        offered=_may_escalate,
        secondary=True,
    ),
    "fusionar": Step(
        capability=Capability.MERGE,
        form_class=MergeForm,
        perform=lambda case, data, user: actions.do_merge_case(
            case, data["into"], acting_user=user
        ),
        done=gettext_lazy("Case merged."),
        title=gettext_lazy("Merge into another case"),
        button=gettext_lazy("Merge"),
        offered=_moves_to(CaseStatus.MERGED),
        target=CaseStatus.MERGED,
        secondary=True,
    ),
    "anular": Step(
        capability=Capability.MERGE,
        form_class=VoidForm,
        perform=lambda case, data, user: actions.do_void_case(
            case, data["reason"], acting_user=user
        ),
        done=gettext_lazy("Case voided."),
        title=gettext_lazy("Void the case"),
        button=pgettext_lazy("button", "Void"),
        offered=_moves_to(CaseStatus.VOID),
        target=CaseStatus.VOID,
        secondary=True,
    ),
}


def _may(user: User, case: Case, capability: str) -> bool:
    return can_act(user, case, Capability(capability))


CASE_STEPS: Steps[Case] = Steps(may=_may)
for _slug, _step in _STEPS.items():
    CASE_STEPS.add(_slug, _step)


# The usual next step for each status: its form is shown unfolded, its button as the primary.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    CaseStatus.RECEIVED: ("acusar", "evaluar", "asignar"),
    CaseStatus.ACKNOWLEDGED: ("evaluar", "asignar"),
    CaseStatus.IN_ASSESSMENT: ("asignar",),
    CaseStatus.REOPENED: ("evaluar", "asignar"),
    CaseStatus.ASSIGNED: ("proponer", "responder"),
    CaseStatus.ANSWER_PROPOSED: ("responder",),
    CaseStatus.ANSWERED: ("cerrar",),
    CaseStatus.WAITING_CITIZEN: ("reanudar",),
}
