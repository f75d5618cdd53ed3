"""Every write to public-information requests: each in one transaction, the row changed locked
first, rules checked before anything is written (BusinessError, nothing stored changes), the
history as RequestEvent rows, and messages as Notification rows delivered after the commit.

The legal due date is recomputed by `_recompute_due` from the pure arithmetic of
`enlace/oir/deadlines.py` whenever one of its inputs changes (receipt, age of the information,
extension, clarifications).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.actions import do_void_case
from enlace.cases.lifecycle import OPEN_STATUSES
from enlace.cases.models import Case
from enlace.cases.rules import normalise_dui
from enlace.channels.actions import do_process_message, do_receive_message
from enlace.channels.models import InboundMessage, InboundStatus
from enlace.core.errors import BusinessError
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency
from enlace.notifications import notify
from enlace.notifications.models import Notification
from enlace.oir import deadlines, rules, sweeper
from enlace.oir.models import (
    OPEN_REQUEST_STATUSES,
    Appeal,
    AppealKind,
    AppealOutcome,
    Clarification,
    ConfidentialGround,
    DeliveryMode,
    EventKind,
    Gender,
    IdentityDocument,
    InformationRequest,
    ItemStatus,
    NotificationMedium,
    NotifyBy,
    Outcome,
    PersonType,
    RequestChannel,
    RequestCounter,
    RequestEvent,
    RequestItem,
    RequestStatus,
    ReservedEntry,
    ResolutionDocument,
    UnitFinding,
)

STATUS_LABELS = {value: str(label) for value, label in RequestStatus.choices}
# What planning the reminders writes on a request or an item.
ALERT_FIELDS = ("alert_level", "next_check_at")


def _today() -> date:
    return timezone.localdate()


def _event(
    request: InformationRequest,
    kind: str,
    actor: User | None,
    *,
    item: RequestItem | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        item=item,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes or {},
    )


def _locked(request: InformationRequest) -> InformationRequest:
    return InformationRequest.objects.select_for_update().get(pk=request.pk)


def _locked_item(item: RequestItem) -> tuple[InformationRequest, RequestItem]:
    """Lock the request first, then the item: every writer takes them in that order."""
    request = InformationRequest.objects.select_for_update().get(pk=item.request_id)
    return request, RequestItem.objects.select_for_update().get(pk=item.pk)


def _move(request: InformationRequest, target: str) -> str:
    rules.check_transition(request.status, target, STATUS_LABELS)
    previous = request.status
    request.status = target
    return previous


def _require_open(request: InformationRequest) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise BusinessError(_("This request is already resolved."), code="resolved")


def _recompute_due(request: InformationRequest) -> None:
    """The legal due date from its inputs; when it changes (or the clock stops), the
    officer's reminders start afresh for the new date (enlace/oir/sweeper.py)."""
    before = request.due_on
    calendar = business_calendar(request.received_on)
    clarifications = (
        tuple(
            deadlines.Clarification(asked_on=c.asked_on, answered_on=c.answered_on)
            for c in request.clarifications.all()
        )
        if request.pk
        else ()
    )
    request.due_on = deadlines.due_date(
        calendar,
        request.received_on,
        rules=rules.legal_rules(),
        old_information=request.old_information,
        extended=request.extended,
        clarifications=clarifications,
    )
    if request.pk is None or request.due_on != before:
        sweeper.plan_request_alerts(request, calendar, _today(), rules.legal_rules())


def _next_sequence(year: int) -> int:
    """The next correlative number of `year`, under a lock on the year's counter row: gap-free
    (a rolled-back request gives its number back) and unique under concurrency."""
    counter = RequestCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                RequestCounter.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another request made the row first; lock it below
        counter = RequestCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# --- Registering a request -------------------------------------------------------------------
@dataclass(frozen=True)
class NewRequest:
    channel: str
    requester_name: str
    document_type: str
    document_number: str
    notify_by: str
    description: str
    email: str = ""
    address: str = ""
    phone: str = ""
    person_type: str = PersonType.NATURAL
    gender: str = Gender.UNSTATED
    delivery_mode: str = ""
    received_at: datetime | None = None
    source_case: Case | None = None
    intake_token: str | None = None


def check_new_request(data: NewRequest) -> NewRequest:
    """The request as it will be stored, or a BusinessError naming the field. Never asks why
    the information is wanted (art. 66 LAIP)."""
    if data.channel not in RequestChannel.values:
        raise BusinessError(_("Choose how the request arrived."), field="channel")
    name = data.requester_name.strip()
    if not name:
        raise BusinessError(_("Write the requester's name."), field="requester_name")
    description = data.description.strip()
    if not description:
        raise BusinessError(_("Describe clearly the information requested."), field="description")
    if data.person_type not in PersonType.values:
        raise BusinessError(_("Choose a natural or a juridical person."), field="person_type")
    if data.gender not in Gender.values:
        raise BusinessError(_("Choose a valid gender."), field="gender")
    if data.delivery_mode and data.delivery_mode not in DeliveryMode.values:
        raise BusinessError(_("Choose a valid delivery mode."), field="delivery_mode")
    if data.document_type not in IdentityDocument.values:
        raise BusinessError(_("Choose the identity document."), field="document_type")
    number = data.document_number.strip()
    if not number:
        raise BusinessError(
            _("Write the number of the identity document."), field="document_number"
        )
    if data.document_type == IdentityDocument.DUI:
        try:
            dui = normalise_dui(number)
        except ValidationError as error:
            raise BusinessError(" ".join(error.messages), field="document_number") from None
        if not dui:
            raise BusinessError(
                _("This is not a valid DUI (eight digits, a dash and the check digit)."),
                field="document_number",
            )
        number = dui
    email = data.email.strip().lower()
    address = data.address.strip()
    if data.notify_by not in NotifyBy.values:
        raise BusinessError(_("Say where the requester is to be notified."), field="notify_by")
    if data.notify_by == NotifyBy.EMAIL and not email:
        raise BusinessError(
            _("Write the e-mail where the requester is to be notified."), field="email"
        )
    if data.notify_by == NotifyBy.ADDRESS and not address:
        raise BusinessError(
            _("Write the address where the requester is to be notified."), field="address"
        )
    received_at = data.received_at or timezone.now()
    if received_at > timezone.now():
        raise BusinessError(_("The date of receipt is in the future."), field="received_at")
    return NewRequest(
        channel=data.channel,
        requester_name=name[:200],
        document_type=data.document_type,
        document_number=number[:30],
        notify_by=data.notify_by,
        description=description,
        email=email,
        address=address[:300],
        phone=data.phone.strip()[:20],
        person_type=data.person_type,
        gender=data.gender,
        delivery_mode=data.delivery_mode,
        received_at=received_at,
        source_case=data.source_case,
        intake_token=data.intake_token or None,
    )


def do_register_request(
    data: NewRequest, *, acting_user: User | None
) -> tuple[InformationRequest, bool]:
    """Register a request: its correlative number, its legal due date, its first item (the
    whole description, which the officer may split), the receipt to the requester. The same
    intake token twice is the same request (False: not created now)."""
    data = check_new_request(data)
    assert data.received_at is not None
    with transaction.atomic():
        if data.intake_token:
            existing = InformationRequest.objects.filter(intake_token=data.intake_token).first()
            if existing is not None:
                return existing, False
        if (
            data.source_case is not None
            and InformationRequest.objects.filter(source_case=data.source_case).exists()
        ):
            raise BusinessError(_("This message is already registered as a request."))
        received_on = timezone.localdate(data.received_at)
        sequence = _next_sequence(received_on.year)
        request = InformationRequest(
            number=rules.format_number(received_on.year, sequence),
            year=received_on.year,
            sequence=sequence,
            status=RequestStatus.RECEIVED,
            channel=data.channel,
            requester_name=data.requester_name,
            person_type=data.person_type,
            gender=data.gender,
            document_type=data.document_type,
            document_number=data.document_number,
            notify_by=data.notify_by,
            email=data.email,
            address=data.address,
            phone=data.phone,
            description=data.description,
            delivery_mode=data.delivery_mode,
            received_at=data.received_at,
            received_on=received_on,
            source_case=data.source_case,
            intake_token=data.intake_token,
            created_by=acting_user,
        )
        _recompute_due(request)
        request.save()
        item = RequestItem.objects.create(request=request, position=1, description=data.description)
        _event(request, EventKind.RECEIVED, acting_user, to_status=RequestStatus.RECEIVED)
        _event(request, EventKind.ITEM_ADDED, acting_user, item=item, note=item.description)
        notify.oir_receipt(request)
        case = data.source_case
        if case is not None and acting_user is not None and case.status in OPEN_STATUSES:
            # The message is now a request: it leaves the opinions' queues, pointing at it.
            do_void_case(
                case,
                _("Registered as public-information request %(number)s.")
                % {"number": request.number},
                acting_user=acting_user,
            )
    return request, True


# --- A filing on the portal: stored first, then processed ------------------------------------
# The plug-in (enlace/oir/plugin.py) that turns a stored filing into a request.
PORTAL_PLUGIN = "oir_portal"
# What a filing stores of the form: the citizen's fields, nothing computed.
FILING_FIELDS = (
    "requester_name",
    "person_type",
    "gender",
    "document_type",
    "document_number",
    "notify_by",
    "email",
    "address",
    "phone",
    "description",
    "delivery_mode",
)


def filing_payload(data: NewRequest) -> dict[str, str]:
    return {name: str(getattr(data, name)) for name in FILING_FIELDS}


def filed_request(body: dict[str, Any], message: InboundMessage) -> NewRequest:
    """The request a stored filing asks for, received when its message arrived (a request the
    sweeper registers late keeps its legal date of receipt), with the message's token."""

    def text(name: str) -> str:
        return str(body.get(name) or "")

    return NewRequest(
        channel=RequestChannel.PORTAL,
        requester_name=text("requester_name"),
        person_type=text("person_type"),
        gender=text("gender"),
        document_type=text("document_type"),
        document_number=text("document_number"),
        notify_by=text("notify_by"),
        email=text("email"),
        address=text("address"),
        phone=text("phone"),
        description=text("description"),
        delivery_mode=text("delivery_mode"),
        received_at=message.received_at,
        intake_token=message.external_id,
    )


def do_file_request(token: str, data: NewRequest) -> InboundMessage:
    """A citizen's filing on the portal: checked as the request it will be (a BusinessError
    names the field, and nothing is stored), stored as an InboundMessage, then processed at
    once into the request. The same form posted again (same token) stores nothing more and
    makes no second request. If the processing fails, the message stays pending and the
    sweeper registers it later: the returned message is then still pending."""
    checked = check_new_request(data)
    message, _created = do_receive_message(
        PORTAL_PLUGIN,
        token,
        body=json.dumps(filing_payload(checked), ensure_ascii=False),
        sender=checked.email,
        process=False,  # processed below, in this request
    )
    if message.status == InboundStatus.PENDING:
        do_process_message(message.pk)
        message.refresh_from_db()
    return message


# --- Items -----------------------------------------------------------------------------------
def do_add_item(request: InformationRequest, description: str, *, acting_user: User) -> RequestItem:
    """Split the request: one more item (requerimiento)."""
    description = description.strip()
    if not description:
        raise BusinessError(_("Describe the information of this item."), field="description")
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        position = (
            request.items.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        item = RequestItem.objects.create(
            request=request, position=position, description=description
        )
        _event(request, EventKind.ITEM_ADDED, acting_user, item=item, note=description)
        request.save(update_fields=["updated_at"])
    return item


def do_edit_item(item: RequestItem, description: str, *, acting_user: User) -> RequestItem:
    description = description.strip()
    if not description:
        raise BusinessError(_("Describe the information of this item."), field="description")
    with transaction.atomic():
        request, item = _locked_item(item)
        _require_open(request)
        if item.status == ItemStatus.DECIDED:
            raise BusinessError(_("This item is already decided."))
        if description == item.description:
            raise BusinessError(_("Nothing changed."))
        changes = {"description": {"from": item.description, "to": description}}
        item.description = description
        item.save(update_fields=["description"])
        _event(request, EventKind.COMMENTED, acting_user, item=item, changes=changes)
    return item


def do_send_item(
    item: RequestItem, dependency: Dependency, internal_due_on: date, *, acting_user: User
) -> RequestItem:
    """Send an item to the unit that holds the information, with an internal due date within
    the legal one; the unit's liaisons are told by e-mail."""
    with transaction.atomic():
        request, item = _locked_item(item)
        _require_open(request)
        if request.status == RequestStatus.CLARIFICATION:
            raise BusinessError(_("The request waits for the requester's clarification."))
        if item.status == ItemStatus.DECIDED:
            raise BusinessError(_("This item is already decided."))
        if internal_due_on < _today():
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
        sweeper.plan_item_alerts(item, business_calendar(_today()), _today(), rules.legal_rules())
        item.save(
            update_fields=["dependency", "internal_due_on", "sent_at", "status", *ALERT_FIELDS]
        )
        previous = request.status
        if request.status == RequestStatus.RECEIVED:
            _move(request, RequestStatus.IN_PROCESS)
        request.save(update_fields=["status", "updated_at"])
        _event(
            request,
            EventKind.ITEM_SENT,
            acting_user,
            item=item,
            from_status=previous,
            to_status=request.status,
            changes=changes,
        )
        notify.oir_item_sent(item)
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
        request, item = _locked_item(item)
        _require_open(request)
        if item.status not in (ItemStatus.SENT, ItemStatus.ANSWERED):
            raise BusinessError(_("This item is not waiting for the unit's answer."))
        item.unit_finding = finding
        item.unit_answer = answer
        item.unit_answered_at = timezone.now()
        item.unit_answered_by = acting_user
        if upload is not None:
            item.unit_file_name = upload.name[:200]
            item.unit_file_type = upload.content_type[:100]
            item.unit_file = upload.content
        item.status = ItemStatus.ANSWERED
        item.next_check_at = None  # answered: nothing more to remind the unit of
        item.save()
        _event(
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
    decision = check_decision(decision, on=_today())
    with transaction.atomic():
        if decision.reserved_entry is not None:
            # As stored now (declassified meanwhile?), locked against a change while cited.
            fresh = ReservedEntry.objects.select_for_update().get(pk=decision.reserved_entry.pk)
            decision = check_decision(replace(decision, reserved_entry=fresh), on=_today())
        request, item = _locked_item(item)
        _require_open(request)
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
        _event(
            request,
            EventKind.ITEM_DECIDED,
            acting_user,
            item=item,
            note=decision.answer,
            changes={"outcome": {"from": previous, "to": str(Outcome(decision.outcome).label)}},
        )
        request.save(update_fields=["updated_at"])
    return item


# --- The clock: age of the information, clarification, extension ----------------------------
def do_set_old_information(
    request: InformationRequest, old: bool, *, note: str = "", acting_user: User
) -> InformationRequest:
    """Information more than five years old has 20 business days instead of 10."""
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.old_information == old:
            raise BusinessError(_("Nothing changed."))
        before = request.due_on
        request.old_information = old
        _recompute_due(request)
        request.save(update_fields=["old_information", "due_on", *ALERT_FIELDS, "updated_at"])
        _event(
            request,
            EventKind.OLD_INFORMATION,
            acting_user,
            note=note.strip(),
            changes={"due_on": {"from": _d(before), "to": _d(request.due_on)}},
        )
    return request


def do_ask_clarification(
    request: InformationRequest, question: str, *, acting_user: User
) -> InformationRequest:
    """A prevención: the clock stops until the requester answers."""
    question = question.strip()
    if not question:
        raise BusinessError(_("Write what the requester must clarify."), field="question")
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.clarifications.filter(answered_on__isnull=True).exists():
            raise BusinessError(_("A clarification is already pending."))
        before = request.due_on
        previous = _move(request, RequestStatus.CLARIFICATION)
        Clarification.objects.create(
            request=request, question=question, asked_on=_today(), previous_status=previous
        )
        _recompute_due(request)
        request.save(update_fields=["status", "due_on", *ALERT_FIELDS, "updated_at"])
        _event(
            request,
            EventKind.CLARIFICATION_ASKED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=question,
            changes={"due_on": {"from": _d(before), "to": ""}},
        )
        notify.oir_notice(
            request,
            _("Information request %(number)s: clarification needed") % {"number": request.number},
            _("To answer your request we need you to clarify the following:\n\n%(question)s")
            % {"question": question},
        )
    return request


def do_record_clarification(
    request: InformationRequest, answer: str, answered_on: date, *, acting_user: User
) -> InformationRequest:
    """The requester's answer: the clock runs again as the rules say (pause or restart)."""
    answer = answer.strip()
    if not answer:
        raise BusinessError(_("Write the requester's answer."), field="answer")
    with transaction.atomic():
        request = _locked(request)
        pending = (
            request.clarifications.select_for_update().filter(answered_on__isnull=True).first()
        )
        if request.status != RequestStatus.CLARIFICATION or pending is None:
            raise BusinessError(_("No clarification is pending."))
        if answered_on < pending.asked_on:
            raise BusinessError(
                _("The answer cannot be dated before the clarification was asked."),
                field="answered_on",
            )
        if answered_on > _today():
            raise BusinessError(_("The date of the answer is in the future."), field="answered_on")
        pending.answered_on = answered_on
        pending.answer = answer
        pending.save(update_fields=["answered_on", "answer"])
        calendar = business_calendar(request.received_on)
        request.paused_days += calendar.business_days_between(pending.asked_on, answered_on)
        _move(request, pending.previous_status)
        _recompute_due(request)
        request.save(update_fields=["status", "due_on", "paused_days", *ALERT_FIELDS, "updated_at"])
        _event(
            request,
            EventKind.CLARIFICATION_ANSWERED,
            acting_user,
            from_status=RequestStatus.CLARIFICATION,
            to_status=request.status,
            note=answer,
            changes={"due_on": {"from": "", "to": _d(request.due_on)}},
        )
    return request


def do_extend_request(
    request: InformationRequest, reason: str, *, acting_user: User
) -> InformationRequest:
    """Five more business days, once, for a recorded reason, before the deadline passes."""
    reason = reason.strip()
    if not reason:
        raise BusinessError(_("Give the reason for the extension."), field="reason")
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.extended:
            raise BusinessError(_("This request has already been extended."))
        if request.due_on is None:
            raise BusinessError(_("The request waits for the requester's clarification."))
        if not deadlines.extension_allowed(request.due_on, _today()):
            raise BusinessError(
                _("The deadline passed on %(due)s: it can no longer be extended.")
                % {"due": f"{request.due_on:%d/%m/%Y}"}
            )
        before = request.due_on
        previous = _move(request, RequestStatus.EXTENDED)
        request.extended = True
        request.extension_reason = reason
        request.extended_on = _today()
        _recompute_due(request)
        request.save()
        _event(
            request,
            EventKind.EXTENDED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=reason,
            changes={"due_on": {"from": _d(before), "to": _d(request.due_on)}},
        )
        notify.oir_notice(
            request,
            _("Information request %(number)s: deadline extended") % {"number": request.number},
            _("The deadline to answer your request is extended to %(due)s, because: %(reason)s")
            % {"due": _d(request.due_on), "reason": reason},
        )
    return request


# --- Resolution and notification ------------------------------------------------------------
def do_resolve_request(
    request: InformationRequest,
    *,
    notes: str = "",
    public_summary: str = "",
    publish: bool = False,
    acting_user: User,
) -> InformationRequest:
    """Issue the resolution: every item decided; the PDF generated from the templates per
    outcome, kept as issued; the business days taken stored for the statistics."""
    from enlace.oir.pdf import resolution_pdf

    if publish and not public_summary.strip():
        raise BusinessError(
            _("Write the public summary (without personal data) to publish the request."),
            field="public_summary",
        )
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        items = list(request.items.select_related("reserved_entry", "dependency"))
        if not items:
            raise BusinessError(_("The request has no items."))
        undecided = [str(i.position) for i in items if i.status != ItemStatus.DECIDED]
        if undecided:
            raise BusinessError(
                _("Decide every item first (pending: %(items)s).") % {"items": ", ".join(undecided)}
            )
        if request.status == RequestStatus.CLARIFICATION:
            if any(i.outcome != Outcome.WITHDRAWN for i in items):
                raise BusinessError(_("The request waits for the requester's clarification."))
            pending = request.clarifications.filter(answered_on__isnull=True).first()
            if pending is not None:
                calendar = business_calendar(request.received_on)
                request.paused_days += calendar.business_days_between(pending.asked_on, _today())
        previous = _move(request, RequestStatus.RESOLVED)
        now = timezone.now()
        request.resolved_at = now
        request.resolved_on = timezone.localdate(now)
        calendar = business_calendar(request.received_on)
        elapsed = calendar.business_days_between(request.received_on, request.resolved_on)
        request.business_days_to_answer = max(0, elapsed - request.paused_days)
        request.resolution_notes = notes.strip()
        request.public_summary = public_summary.strip()
        request.published = publish
        request.next_check_at = None  # resolved: no more reminders
        request.save()
        request.items.filter(next_check_at__isnull=False).update(next_check_at=None)
        ResolutionDocument.objects.create(
            request=request, pdf=resolution_pdf(request, items, rules.legal_rules())
        )
        _event(
            request,
            EventKind.RESOLVED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=request.resolution_notes,
        )
    return request


def do_notify_resolution_by_email(
    request: InformationRequest, *, acting_user: User
) -> InformationRequest:
    """Send the resolution with its PDF to the requester's e-mail; it counts as notified on
    the day the message leaves (`do_record_email_notification`, called by the delivery)."""
    with transaction.atomic():
        request = _locked(request)
        if request.status != RequestStatus.RESOLVED:
            raise BusinessError(_("Only a resolved request that is not yet notified is notified."))
        if not request.email:
            raise BusinessError(_("The requester gave no e-mail: record another medium."))
        if request.notifications.filter(
            kind="oir_resolution", status__in=["pending", "sending"]
        ).exists():
            raise BusinessError(_("The resolution is already on its way by e-mail."))
        notify.oir_resolution(request)
        _event(request, EventKind.NOTIFICATION_QUEUED, acting_user, note=request.email)
        request.save(update_fields=["updated_at"])
    return request


def _record_notification(
    request: InformationRequest,
    medium: str,
    notified_on: date,
    *,
    acting_user: User | None,
    note: str = "",
) -> InformationRequest:
    if medium not in NotificationMedium.values:
        raise BusinessError(_("Choose how the resolution was notified."), field="medium")
    if request.status != RequestStatus.RESOLVED or request.resolved_on is None:
        raise BusinessError(_("Only a resolved request that is not yet notified is notified."))
    if notified_on < request.resolved_on:
        raise BusinessError(
            _("The notification cannot be dated before the resolution (%(date)s).")
            % {"date": f"{request.resolved_on:%d/%m/%Y}"},
            field="notified_on",
        )
    if notified_on > _today():
        raise BusinessError(_("The date of notification is in the future."), field="notified_on")
    previous = _move(request, RequestStatus.NOTIFIED)
    request.notified_on = notified_on
    request.notification_medium = medium
    request.save(update_fields=["status", "notified_on", "notification_medium", "updated_at"])
    _event(
        request,
        EventKind.NOTIFIED,
        acting_user,
        from_status=previous,
        to_status=request.status,
        note=note,
        changes={
            "notified_on": {"from": "", "to": _d(notified_on)},
            "medium": {"from": "", "to": str(NotificationMedium(medium).label)},
        },
    )
    return request


def do_record_notification(
    request: InformationRequest,
    medium: str,
    notified_on: date,
    *,
    note: str = "",
    acting_user: User,
) -> InformationRequest:
    """The officer records a notification by another medium (in person, at the address)."""
    with transaction.atomic():
        request = _locked(request)
        return _record_notification(
            request, medium, notified_on, acting_user=acting_user, note=note.strip()
        )


def do_record_email_notification(notification: Notification, sent_at: datetime) -> None:
    """Called by the outbox in the transaction that marks the resolution's e-mail sent: the
    request counts as notified that day (once; a request already notified stays as it is)."""
    if notification.information_request_id is None:
        return
    with transaction.atomic():
        request = InformationRequest.objects.select_for_update().get(
            pk=notification.information_request_id
        )
        if request.status != RequestStatus.RESOLVED:
            return
        _record_notification(
            request,
            NotificationMedium.EMAIL,
            timezone.localdate(sent_at),
            acting_user=None,
            note=notification.recipient,
        )


def do_publish_request(
    request: InformationRequest, *, published: bool, public_summary: str, acting_user: User
) -> InformationRequest:
    """Put a resolved request in the public register (a summary without personal data), or
    take it out."""
    summary = public_summary.strip()
    if published and not summary:
        raise BusinessError(
            _("Write the public summary (without personal data) to publish the request."),
            field="public_summary",
        )
    with transaction.atomic():
        request = _locked(request)
        if request.is_open:
            raise BusinessError(_("Only a resolved request goes in the public register."))
        if request.published == published and request.public_summary == summary:
            raise BusinessError(_("Nothing changed."))
        request.published = published
        request.public_summary = summary
        request.save(update_fields=["published", "public_summary", "updated_at"])
        _event(
            request,
            EventKind.PUBLISHED,
            acting_user,
            note=summary,
            changes={"published": {"from": "", "to": _("yes") if published else _("no")}},
        )
    return request


# --- Appeals and complaints before the IAIP ------------------------------------------------
def do_record_appeal(
    request: InformationRequest,
    *,
    kind: str,
    case_number: str,
    filed_on: date,
    notes: str = "",
    acting_user: User,
) -> Appeal:
    if kind not in AppealKind.values:
        raise BusinessError(_("Choose appeal or complaint."), field="kind")
    case_number = case_number.strip()
    if not case_number:
        raise BusinessError(_("Write the IAIP's case number."), field="case_number")
    with transaction.atomic():
        request = _locked(request)
        if filed_on < request.received_on:
            raise BusinessError(
                _("It cannot be filed before the request was received."), field="filed_on"
            )
        if filed_on > _today():
            raise BusinessError(_("The filing date is in the future."), field="filed_on")
        if kind == AppealKind.APPEAL and request.is_open:
            raise BusinessError(_("An appeal is against a resolution: this request has none yet."))
        if Appeal.objects.filter(case_number__iexact=case_number).exists():
            raise BusinessError(
                _("That IAIP case number is already recorded."), field="case_number"
            )
        appeal = Appeal.objects.create(
            request=request,
            kind=kind,
            case_number=case_number,
            filed_on=filed_on,
            notes=notes.strip(),
        )
        _event(
            request,
            EventKind.APPEAL,
            acting_user,
            note=notes.strip(),
            changes={
                "appeal": {"from": "", "to": f"{AppealKind(kind).label} {case_number}"},
                "filed_on": {"from": "", "to": _d(filed_on)},
            },
        )
        request.save(update_fields=["updated_at"])
    return appeal


APPEAL_OUTCOMES = {
    AppealKind.APPEAL: {
        AppealOutcome.CONFIRMED,
        AppealOutcome.REVOKED,
        AppealOutcome.MODIFIED,
        AppealOutcome.INADMISSIBLE,
        AppealOutcome.WITHDRAWN,
    },
    AppealKind.COMPLAINT: {
        AppealOutcome.UPHELD,
        AppealOutcome.DISMISSED,
        AppealOutcome.INADMISSIBLE,
        AppealOutcome.WITHDRAWN,
    },
}


def do_decide_appeal(
    appeal: Appeal, *, outcome: str, decided_on: date, notes: str = "", acting_user: User
) -> Appeal:
    with transaction.atomic():
        request = _locked(appeal.request)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decided_on is not None:
            raise BusinessError(_("The IAIP's decision is already recorded."))
        if outcome not in APPEAL_OUTCOMES[AppealKind(appeal.kind)]:
            raise BusinessError(_("Choose the IAIP's decision."), field="outcome")
        if decided_on < appeal.filed_on:
            raise BusinessError(
                _("The decision cannot be dated before the filing."), field="decided_on"
            )
        if decided_on > _today():
            raise BusinessError(_("The date of the decision is in the future."), field="decided_on")
        appeal.outcome = outcome
        appeal.decided_on = decided_on
        if notes.strip():
            appeal.notes = "\n\n".join(p for p in (appeal.notes, notes.strip()) if p)
        appeal.save()
        _event(
            request,
            EventKind.APPEAL_DECIDED,
            acting_user,
            note=notes.strip(),
            changes={
                "appeal": {"from": appeal.case_number, "to": str(AppealOutcome(outcome).label)},
                "decided_on": {"from": "", "to": _d(decided_on)},
            },
        )
        request.save(update_fields=["updated_at"])
    return appeal


# --- The index of reserved information ------------------------------------------------------
@dataclass(frozen=True)
class NewEntry:
    reference: str
    information: str
    dependency: Dependency
    legal_article: str
    cause: str
    classified_on: date
    period_years: int


def do_create_reserved_entry(data: NewEntry, *, acting_user: User) -> ReservedEntry:
    reference = data.reference.strip()
    if not reference:
        raise BusinessError(_("Give the entry a reference."), field="reference")
    if not data.information.strip():
        raise BusinessError(_("Describe the information reserved."), field="information")
    if not data.legal_article.strip():
        raise BusinessError(_("Cite the article of the law."), field="legal_article")
    if not data.cause.strip():
        raise BusinessError(_("State the cause of the reservation."), field="cause")
    if not 1 <= data.period_years <= 7:
        raise BusinessError(
            _("The period of reservation is from 1 to 7 years (art. 20 LAIP)."),
            field="period_years",
        )
    if data.classified_on > _today():
        raise BusinessError(
            _("The date of classification is in the future."), field="classified_on"
        )
    with transaction.atomic():
        if ReservedEntry.objects.filter(reference__iexact=reference).exists():
            raise BusinessError(_("That reference is already in the index."), field="reference")
        return ReservedEntry.objects.create(
            reference=reference,
            information=data.information.strip(),
            dependency=data.dependency,
            legal_article=data.legal_article.strip(),
            cause=data.cause.strip(),
            classified_on=data.classified_on,
            period_years=data.period_years,
            created_by=acting_user,
        )


def do_declassify_entry(entry: ReservedEntry, on: date, *, acting_user: User) -> ReservedEntry:
    with transaction.atomic():
        entry = ReservedEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.declassified_on is not None:
            raise BusinessError(_("This entry is already declassified."))
        if on < entry.classified_on or on > _today():
            raise BusinessError(
                _("The date must fall between the classification and today."),
                field="declassified_on",
            )
        entry.declassified_on = on
        entry.save(update_fields=["declassified_on"])
    return entry


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""
