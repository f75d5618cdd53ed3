"""The steps the officer takes on an information request: the registry the request's page and
its one endpoint read (enlace/core/steps.py gives the shape, the same as the cases').

Every step is posted to `request_action` at /oir/solicitudes/<id>/<slug>/: for each slug, the
capability it needs (only the officer acts on requests: 403 for any other role that sees one),
the form, the action it calls, when the page offers it and what the form starts with. A step
on one part of the request (an item, an appeal) is a `PartStep`: offered, and filled in, per
part. The actions remain the judges of the request's state: a step posted when it is no longer
offered gets the action's own refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from enlace.accounts.models import User
from enlace.core.steps import Step, Steps
from enlace.directory.calendar import business_calendar
from enlace.oir import actions
from enlace.oir.forms import (
    AddItemForm,
    AppealDecisionForm,
    AppealForm,
    ClarificationAnswerForm,
    ClarificationForm,
    DecideForm,
    EditItemForm,
    EmptyForm,
    ExtensionForm,
    NotificationForm,
    OldInformationForm,
    PublishForm,
    ResolveForm,
    SendItemForm,
)
from enlace.oir.models import (
    AppealKind,
    InformationRequest,
    ItemStatus,
    RequestItem,
    RequestStatus,
)
from enlace.oir.permissions import is_officer


class OirCapability(StrEnum):
    MANAGE = "manage"  # register, split, send, decide, extend, resolve, notify, appeal


def _may(user: User, request: InformationRequest, capability: str) -> bool:
    return capability == OirCapability.MANAGE and is_officer(user)


@dataclass(frozen=True)
class PartStep(Step[InformationRequest]):
    """A step on one part of the request: `part_offered(request, part)` says for which, and
    `part_initial` what its form starts with."""

    part_offered: Callable[[InformationRequest, Any], bool] = lambda request, part: True
    part_initial: Callable[[InformationRequest, Any], dict[str, Any]] = lambda r, part: {}


def internal_due(request: InformationRequest) -> date | None:
    """A suggestion: three business days before the legal due date (not before today)."""
    if request.due_on is None:
        return None
    calendar = business_calendar(request.received_on)
    suggested = calendar.subtract_business_days(request.due_on, 3)
    return max(suggested, timezone.localdate())


def _open_item(request: InformationRequest, item: RequestItem) -> bool:
    return request.is_open and item.status != ItemStatus.DECIDED


def _send(r: InformationRequest, d: dict[str, Any], u: User) -> object:
    return actions.do_send_item(d["item"], d["dependency"], d["internal_due_on"], acting_user=u)


def _decide(r: InformationRequest, d: dict[str, Any], u: User) -> object:
    decision = actions.Decision(
        outcome=d["outcome"],
        answer=d["answer"],
        reserved_entry=d.get("reserved_entry"),
        confidential_ground=d.get("confidential_ground") or "",
        referral=d.get("referral") or "",
    )
    return actions.do_decide_item(d["item"], decision, acting_user=u)


_WORKING = (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS)
MANAGE = OirCapability.MANAGE

REQUEST_STEPS: Steps[InformationRequest] = Steps(may=_may)
REQUEST_STEPS.add(
    "requerimiento",
    Step(
        capability=MANAGE,
        form_class=AddItemForm,
        perform=lambda r, d, u: actions.do_add_item(r, d["description"], acting_user=u),
        done=gettext_lazy("Item added."),
        offered=lambda r: r.is_open,
    ),
)
REQUEST_STEPS.add(
    "editar",
    PartStep(
        capability=MANAGE,
        form_class=EditItemForm,
        perform=lambda r, d, u: actions.do_edit_item(d["item"], d["description"], acting_user=u),
        done=gettext_lazy("Item changed."),
        offered=lambda r: r.is_open,
        part_offered=_open_item,
        part_initial=lambda r, item: {"item": item.pk, "description": item.description},
    ),
)
REQUEST_STEPS.add(
    "enviar",
    PartStep(
        capability=MANAGE,
        form_class=SendItemForm,
        perform=_send,
        done=gettext_lazy("Item sent to the unit."),
        offered=lambda r: r.is_open and r.status != RequestStatus.CLARIFICATION,
        part_offered=_open_item,
        part_initial=lambda r, item: {
            "item": item.pk,
            "dependency": item.dependency.label if item.dependency else "",
            "internal_due_on": internal_due(r),
        },
    ),
)
REQUEST_STEPS.add(
    "decidir",
    PartStep(
        capability=MANAGE,
        form_class=DecideForm,
        perform=_decide,
        done=gettext_lazy("Outcome recorded."),
        offered=lambda r: r.is_open,
        part_initial=lambda r, item: {
            "item": item.pk,
            "outcome": item.outcome,
            "answer": item.answer or item.unit_answer,
        },
    ),
)
REQUEST_STEPS.add(
    "antiguedad",
    Step(
        capability=MANAGE,
        form_class=OldInformationForm,
        perform=lambda r, d, u: actions.do_set_old_information(
            r, d["old_information"], note=d["note"], acting_user=u
        ),
        done=gettext_lazy("Legal due date recomputed."),
        offered=lambda r: r.is_open and r.status != RequestStatus.CLARIFICATION,
        initial=lambda r: {"old_information": r.old_information},
    ),
)
REQUEST_STEPS.add(
    "prevencion",
    Step(
        capability=MANAGE,
        form_class=ClarificationForm,
        perform=lambda r, d, u: actions.do_ask_clarification(r, d["question"], acting_user=u),
        done=gettext_lazy("Clarification asked: the clock is stopped."),
        offered=lambda r: r.status in _WORKING,
    ),
)
REQUEST_STEPS.add(
    "subsanacion",
    Step(
        capability=MANAGE,
        form_class=ClarificationAnswerForm,
        perform=lambda r, d, u: actions.do_record_clarification(
            r, d["answer"], d["answered_on"], acting_user=u
        ),
        done=gettext_lazy("Clarification recorded: the clock runs again."),
        offered=lambda r: r.status == RequestStatus.CLARIFICATION,
    ),
)
REQUEST_STEPS.add(
    "prorroga",
    Step(
        capability=MANAGE,
        form_class=ExtensionForm,
        perform=lambda r, d, u: actions.do_extend_request(r, d["reason"], acting_user=u),
        done=gettext_lazy("Deadline extended."),
        offered=lambda r: r.status in _WORKING and not r.extended,
    ),
)
REQUEST_STEPS.add(
    "resolver",
    Step(
        capability=MANAGE,
        form_class=ResolveForm,
        perform=lambda r, d, u: actions.do_resolve_request(
            r,
            notes=d["notes"],
            public_summary=d["public_summary"],
            publish=d["publish"],
            acting_user=u,
        ),
        done=gettext_lazy("Resolution issued."),
        offered=lambda r: r.is_open,
    ),
)
REQUEST_STEPS.add(
    "notificar-correo",
    Step(
        capability=MANAGE,
        form_class=EmptyForm,
        perform=lambda r, d, u: actions.do_notify_resolution_by_email(r, acting_user=u),
        done=gettext_lazy("The resolution is being sent by e-mail."),
        offered=lambda r: r.status == RequestStatus.RESOLVED and bool(r.email),
    ),
)
REQUEST_STEPS.add(
    "notificacion",
    Step(
        capability=MANAGE,
        form_class=NotificationForm,
        perform=lambda r, d, u: actions.do_record_notification(
            r, d["medium"], d["notified_on"], note=d["note"], acting_user=u
        ),
        done=gettext_lazy("Notification recorded."),
        offered=lambda r: r.status == RequestStatus.RESOLVED,
    ),
)
REQUEST_STEPS.add(
    "publicar",
    Step(
        capability=MANAGE,
        form_class=PublishForm,
        perform=lambda r, d, u: actions.do_publish_request(
            r, published=d["published"], public_summary=d["public_summary"], acting_user=u
        ),
        done=gettext_lazy("Public register updated."),
        offered=lambda r: not r.is_open,
        initial=lambda r: {"published": r.published, "public_summary": r.public_summary},
    ),
)
REQUEST_STEPS.add(
    "apelacion",
    Step(
        capability=MANAGE,
        form_class=AppealForm,
        perform=lambda r, d, u: actions.do_record_appeal(
            r,
            kind=d["kind"],
            case_number=d["case_number"],
            filed_on=d["filed_on"],
            notes=d["notes"],
            acting_user=u,
        ),
        done=gettext_lazy("Appeal recorded."),
        offered=lambda r: True,
        initial=lambda r: {"kind": AppealKind.COMPLAINT if r.is_open else AppealKind.APPEAL},
    ),
)
REQUEST_STEPS.add(
    "decision-iaip",
    PartStep(
        capability=MANAGE,
        form_class=AppealDecisionForm,
        perform=lambda r, d, u: actions.do_decide_appeal(
            d["appeal"],
            outcome=d["outcome"],
            decided_on=d["decided_on"],
            notes=d["notes"],
            acting_user=u,
        ),
        done=gettext_lazy("IAIP decision recorded."),
        offered=lambda r: True,
        part_offered=lambda r, appeal: appeal.decided_on is None,
        part_initial=lambda r, appeal: {"appeal": appeal.pk, "decided_on": timezone.localdate()},
    ),
)

# The steps on an item, by the name its row in the page gives each form.
ITEM_STEPS = {"editar": "edit", "enviar": "send", "decidir": "decide"}
APPEAL_STEP = "decision-iaip"
