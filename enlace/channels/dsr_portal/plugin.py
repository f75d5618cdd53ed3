"""The portal's form of requests over one's personal data as a channel plug-in, sibling of the
OIR's: a filing is stored as an InboundMessage (`file_request`: external id the form's token,
body the cleaned form as JSON, no files), then processed here into a SubjectRequest that keeps
the token as its intake token, so processing the same message again finds it instead of
making a second request."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

from enlace.channels.actions import do_process_message, do_receive_message
from enlace.channels.models import InboundMessage, InboundOutcome, InboundStatus
from enlace.channels.plugins import ChannelPlugin, Processed, register
from enlace.privacy.actions import NewSubjectRequest, do_register_subject_request
from enlace.privacy.models import SubjectRequestChannel

CODE = "dsr_portal"
FIELDS = ("kind", "requester_name", "dui", "email", "phone", "description")


def filing(data: dict[str, Any]) -> NewSubjectRequest:
    def text(name: str) -> str:
        return str(data.get(name) or "")

    return NewSubjectRequest(
        kind=text("kind"),
        channel=SubjectRequestChannel.PORTAL,
        requester_name=text("requester_name"),
        description=text("description"),
        dui=text("dui"),
        email=text("email"),
        phone=text("phone"),
    )


def file_request(token: str, data: dict[str, Any]) -> InboundMessage:
    """A person's filing: stored as it arrived, then processed at once into the request. The
    same form posted again (same token) stores nothing more and makes no second request; if
    the processing fails, the message stays pending and the sweeper registers it later."""
    message, _created = do_receive_message(
        CODE,
        token,
        body=json.dumps({name: data.get(name, "") for name in FIELDS}, ensure_ascii=False),
        sender=str(data.get("email") or data.get("phone") or ""),
        process=False,  # processed below, in this request
    )
    if message.status == InboundStatus.PENDING:
        do_process_message(message.pk)
        message.refresh_from_db()
    return message


@register
class DataSubjectPortal(ChannelPlugin):
    code = CODE
    catalogue_channel = "sitio_web"  # filed on the institute's website, as the portal's cases

    def process(self, message: InboundMessage) -> Processed:
        data = replace(
            filing(json.loads(message.body)),
            received_at=message.received_at,  # a late registration keeps its legal date
            intake_token=uuid.UUID(message.external_id),
        )
        do_register_subject_request(data, acting_user=None)
        # A request over personal data, not a case: it is found by its intake token.
        return Processed(InboundOutcome.NEW_CASE, None)
