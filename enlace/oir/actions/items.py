"""The items of a request: added, edited, sent to the unit that holds the information, answered by
it, decided by the officer with an outcome and its legal grounds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency
from enlace.oir import rules, sweeper
from enlace.oir.actions.common import (
    ALERT_FIELDS,
    locked,
    locked_item,
    move,
    record_event,
    require_open,
    today,
)
from enlace.oir.models import (
    ConfidentialGround,
    EventKind,
    InformationRequest,
    ItemStatus,
    Outcome,
    RequestItem,
    RequestStatus,
    ReservedEntry,
    UnitFinding,
)


# --- Items -----------------------------------------------------------------------------------
def do_add_item(request: InformationRequest, description: str, *, acting_user: User) -> RequestItem:
    """Split the request: one more item (requerimiento)."""
    description = description.strip()
    if not description:
        raise BusinessError(_("Describe the information of this item."), field="description")
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        position = (
            request.items.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        item = RequestItem.objects.create(
            request=request, position=position, description=description
        )
        record_event(request, EventKind.ITEM_ADDED, acting_user, item=item, note=description)
        request.save(update_fields=["updated_at"])
    return item


def do_edit_item(item: RequestItem, description: str, *, acting_user: User) -> RequestItem:
    description = description.strip()
    if not description:
        raise BusinessError(_("Describe the information of this item."), field="description")
    with transaction.atomic():
        request, item = locked_item(item)
        require_open(request)
        if item.status == ItemStatus.DECIDED:
            raise BusinessError(_("This item is already decided."))
        if description == item.description:
            raise BusinessError(_("Nothing changed."))
        changes = {"description": {"from": item.description, "to": description}}
        item.description = description
        item.save(update_fields=["description"])
        record_event(request, EventKind.COMMENTED, acting_user, item=item, changes=changes)
    return item


def do_send_item(
    item: RequestItem, dependency: Dependency, internal_due_on: date, *, acting_user: User
) -> RequestItem:
    """Send an item to the unit that holds the information, with an internal due date within
    the legal one (its liaisons are told by e-mail: enlace/notifications/subscribers.py)."""
    with transaction.atomic():
        request, item = locked_item(item)
        require_open(request)
        if request.status == RequestStatus.CLARIFICATION:
            raise BusinessError(_("The request waits for the requester's clarification."))
        if item.status == ItemStatus.DECIDED:
            raise BusinessError(_("This item is already decided."))
        if internal_due_on < today():
            raise BusinessError(
                _("The internal due date has already passed."), field="internal_due_on"
            )
        if request.due_on is not None and internal_due_on > request.due_on:
            raise BusinessError(
                _("The internal due date must not be after the legal due date (%(due)s).")
                % {"due": f"{request.due_on:%d/%m/%Y}"},
                field="internal_due_on",
            )
        changes = {
            "unit": {"from": str(item.dependency or ""), "to": dependency.name},
            "internal_due_on": {"from": "", "to": f"{internal_due_on:%d/%m/%Y}"},
        }
        item.dependency = dependency
        item.internal_due_on = internal_due_on
        item.sent_at = timezone.now()
        item.status = ItemStatus.SENT
        sweeper.plan_item_alerts(item, business_calendar(today()), today(), rules.legal_rules())
        item.save(
            update_fields=["dependency", "internal_due_on", "sent_at", "status", *ALERT_FIELDS]
        )
        previous = request.status
        if request.status == RequestStatus.RECEIVED:
            move(request, RequestStatus.IN_PROCESS)
        request.save(update_fields=["status", "updated_at"])
        record_event(
            request,
            EventKind.ITEM_SENT,
            acting_user,
            item=item,
            from_status=previous,
            to_status=request.status,
            changes=changes,
        )
    return item


@dataclass(frozen=True)
class UnitFile:
    name: str
    content: bytes
    content_type: str


def do_answer_item(
    item: RequestItem,
    *,
    finding: str,
    answer: str,
    upload: UnitFile | None = None,
    acting_user: User,
) -> RequestItem:
    """The unit's answer: the information (attached or described) or that it does not exist.
    The officer decides the outcome."""
    if finding not in UnitFinding.values:
        raise BusinessError(_("Say whether the information was found."), field="finding")
    answer = answer.strip()
    if not answer and upload is None:
        raise BusinessError(
            _("Describe the information, attach it, or say how it was searched for."),
            field="answer",
        )
    with transaction.atomic():
        request, item = locked_item(item)
        require_open(request)
        if item.status not in (ItemStatus.SENT, ItemStatus.ANSWERED):
            raise BusinessError(_("This item is not waiting for the unit's answer."))
        item.unit_finding = finding
        item.unit_answer = answer
        item.unit_answered_at = timezone.now()
        item.unit_answered_by = acting_user
        if upload is not None:
            item.unit_file_name = upload.name[:200]
            item.unit_file_type = upload.content_type[:100]
            item.unit_file.save(upload.name, ContentFile(upload.content), save=False)
        item.status = ItemStatus.ANSWERED
        item.next_check_at = None  # answered: nothing more to remind the unit of
        item.save()
        record_event(
            request,
            EventKind.UNIT_ANSWERED,
            acting_user,
            item=item,
            note=answer,
            changes={"finding": {"from": "", "to": str(UnitFinding(finding).label)}},
        )
        request.save(update_fields=["updated_at"])
    return item


@dataclass(frozen=True)
class Decision:
    outcome: str
    answer: str = ""
    reserved_entry: ReservedEntry | None = None
    confidential_ground: str = ""
    referral: str = ""


def check_decision(decision: Decision, *, on: date) -> Decision:
    """An outcome with its legal ground, or a BusinessError: a reserved denial cites an entry of
    the index in force; a confidential one, its ground; a partial delivery, one or the other; a
    referral, the institution; a delivery, what is delivered."""
    outcome = decision.outcome
    if outcome not in Outcome.values:
        raise BusinessError(_("Choose the outcome of the item."), field="outcome")
    answer = decision.answer.strip()
    entry = decision.reserved_entry
    ground = decision.confidential_ground
    referral = decision.referral.strip()
    if ground and ground not in ConfidentialGround.values:
        raise BusinessError(
            _("Choose a valid confidentiality ground."), field="confidential_ground"
        )
    if outcome == Outcome.RESERVED and entry is None:
        raise BusinessError(
            _("A denial as reserved must cite the entry of the index of reserved information."),
            field="reserved_entry",
        )
    if outcome == Outcome.CONFIDENTIAL and not ground:
        raise BusinessError(
            _("A denial as confidential must cite its ground (art. 24 LAIP)."),
            field="confidential_ground",
        )
    if outcome == Outcome.PARTIAL and entry is None and not ground:
        raise BusinessError(
            _(
                "A partial delivery or public version must cite the reserved entry or the "
                "confidentiality ground of what is withheld."
            ),
            field="confidential_ground",
        )
    if entry is not None and not entry.in_force(on):
        raise BusinessError(
            _("Entry %(reference)s of the reserved index is not in force.")
            % {"reference": entry.reference},
            field="reserved_entry",
        )
    if outcome == Outcome.NOT_COMPETENT and not referral:
        raise BusinessError(
            _("Say which institution holds the information (the referral)."), field="referral"
        )
    if outcome in (Outcome.DELIVERED, Outcome.PARTIAL, Outcome.NONEXISTENT) and not answer:
        raise BusinessError(
            _("Write what is delivered, or how the information was searched for."),
            field="answer",
        )
    keeps_entry = outcome in (Outcome.RESERVED, Outcome.PARTIAL)
    keeps_ground = outcome in (Outcome.CONFIDENTIAL, Outcome.PARTIAL)
    return Decision(
        outcome=outcome,
        answer=answer,
        reserved_entry=entry if keeps_entry else None,
        confidential_ground=ground if keeps_ground else "",
        referral=referral if outcome == Outcome.NOT_COMPETENT else "",
    )


def do_decide_item(item: RequestItem, decision: Decision, *, acting_user: User) -> RequestItem:
    """The officer's outcome of an item, with its legal ground."""
    decision = check_decision(decision, on=today())
    with transaction.atomic():
        if decision.reserved_entry is not None:
            # As stored now (declassified meanwhile?), locked against a change while cited.
            fresh = ReservedEntry.objects.select_for_update().get(pk=decision.reserved_entry.pk)
            decision = check_decision(replace(decision, reserved_entry=fresh), on=today())
        request, item = locked_item(item)
        require_open(request)
        if request.status == RequestStatus.CLARIFICATION and decision.outcome != Outcome.WITHDRAWN:
            raise BusinessError(_("The request waits for the requester's clarification."))
        previous = item.get_outcome_display() if item.outcome else ""
        item.outcome = decision.outcome
        item.answer = decision.answer
        item.reserved_entry = decision.reserved_entry
        item.confidential_ground = decision.confidential_ground
        item.referral = decision.referral
        item.decided_at = timezone.now()
        item.status = ItemStatus.DECIDED
        item.next_check_at = None
        item.save()
        record_event(
            request,
            EventKind.ITEM_DECIDED,
            acting_user,
            item=item,
            note=decision.answer,
            changes={"outcome": {"from": previous, "to": str(Outcome(decision.outcome).label)}},
        )
        request.save(update_fields=["updated_at"])
    return item
