"""Registering a request, and a filing from the portal: stored first as the channel's message, then
processed into a request (the plug-in enlace/channels/oir_portal)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
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
from enlace.oir import rules
from enlace.oir.actions.common import (
    next_sequence,
    recompute_due,
    record_event,
)
from enlace.oir.models import (
    DeliveryMode,
    EventKind,
    Gender,
    IdentityDocument,
    InformationRequest,
    NotifyBy,
    PersonType,
    RequestChannel,
    RequestItem,
    RequestStatus,
)


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
        sequence = next_sequence(received_on.year)
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
        recompute_due(request)
        request.save()
        item = RequestItem.objects.create(request=request, position=1, description=data.description)
        record_event(request, EventKind.RECEIVED, acting_user, to_status=RequestStatus.RECEIVED)
        record_event(request, EventKind.ITEM_ADDED, acting_user, item=item, note=item.description)
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


def do_set_aside_duplicates(
    duplicates: Sequence[Case],
    *,
    kept: Case | None = None,
    registered: InformationRequest | None = None,
    acting_user: User,
) -> int:
    """Set aside the copies of one message to the OIR's mailbox (a citizen who sent the same
    e-mail several times): each is voided, pointing at the message kept to register or at the
    request an identical one became. Returns how many were set aside (one no longer open, or
    registered meanwhile, is left as it is)."""
    if registered is not None:
        reason = _(
            "Identical to the message registered as public-information request %(number)s: "
            "set aside as a duplicate."
        ) % {"number": registered.number}
    elif kept is not None:
        reason = _(
            "Identical to message %(code)s of the OIR mailbox, kept to be registered: set aside "
            "as a duplicate."
        ) % {"code": kept.display_code}
    else:
        raise BusinessError(_("Say which message the duplicates are copies of."))
    set_aside = 0
    with transaction.atomic():
        for case in duplicates:
            if kept is not None and case.pk == kept.pk:
                continue
            current = Case.objects.select_for_update().filter(pk=case.pk).first()
            if current is None or current.status not in OPEN_STATUSES:
                continue
            if InformationRequest.objects.filter(source_case=current).exists():
                continue
            do_void_case(current, reason, acting_user=acting_user)
            set_aside += 1
    return set_aside


# --- A filing on the portal: stored first, then processed ------------------------------------
# The plug-in (enlace/channels/oir_portal) that turns a stored filing into a request.
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
