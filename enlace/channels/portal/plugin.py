"""The public portal as a channel plug-in: a submitted form is stored as an InboundMessage by the
portal (enlace/portal/actions.py; body: the cleaned form as JSON, external id: the form's
token), then processed here into a case counted under the catalogue channel "sitio_web", with
its files, its clave and the acknowledgement to the citizen's e-mail.

A citizen's reply to a case waiting for them, written on the tracking page, is stored the same
way (body: the case and the text, `reply_body`; external id: `reply:` and the reply form's
token) and processed here into a message from the citizen on that case, which resumes it: what
the e-mail and WhatsApp channels do with a citizen's reply."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from enlace.cases.actions import Citizen, NewCase, do_record_citizen_message, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel, InquiryTopic, OpinionType
from enlace.channels.models import Attachment, InboundMessage, InboundOutcome
from enlace.channels.plugins import IGNORED, ChannelPlugin, Processed, register
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.notifications import notify
from enlace.portal.models import TrackingKey

logger = logging.getLogger(__name__)

PLUGIN_CODE = "portal"
# A consulta whose citizen picked no topic is registered under this one ("Otra consulta");
# the resolution section reclassifies it if it matters.
FALLBACK_TOPIC = "otro"


def _entry(model: Any, code: str | None) -> Any:
    return model.objects.filter(code=code).first() if code else None


def reply_id(token: str) -> str:
    """The external id of a reply: apart from the submissions' (bare form tokens)."""
    return f"reply:{token}"


def reply_body(case: Case, text: str) -> dict[str, Any]:
    """What a reply stores: which case, its code as the citizen saw it, and the text."""
    return {"version": 1, "reply_to": case.pk, "code": case.display_code, "text": text}


@register
class Portal(ChannelPlugin):
    code = PLUGIN_CODE
    catalogue_channel = "sitio_web"

    def process(self, message: InboundMessage) -> Processed:
        data: dict[str, Any] = json.loads(message.body)
        if "reply_to" in data:
            return self._reply(data)
        citizen = Citizen(**data["citizen"])
        channel = Channel.objects.get(code=self.catalogue_channel)
        common: dict[str, Any] = {
            "channel": channel,
            "description": data["description"],
            "citizen": citizen,
            "received_at": message.received_at,
            "intake_token": uuid.UUID(message.external_id),
        }
        dependency = _entry(Dependency, data.get("dependency"))
        if data["kind"] == CaseKind.OPINION:
            new = NewCase(
                kind=CaseKind.OPINION,
                opinion_type=_entry(OpinionType, data.get("opinion_type")),
                dependency=dependency,
                **common,
            )
        else:
            topic = _entry(InquiryTopic, data.get("topic")) or InquiryTopic.objects.get(
                code=FALLBACK_TOPIC
            )
            new = NewCase(kind=CaseKind.INQUIRY, topic=topic, dependency=dependency, **common)
        try:
            case, created = do_register_case(new, acting_user=None)
        except BusinessError as error:
            if new.kind != CaseKind.OPINION:
                raise
            # The centre or the type went inactive since the citizen chose it: nothing is lost,
            # the case waits for triage instead.
            logger.warning("portal message %s registered to classify: %s", message.pk, error)
            case, created = do_register_case(
                NewCase(kind=CaseKind.OPINION, to_classify=True, **common), acting_user=None
            )
        if created:
            Attachment.objects.filter(message=message, case__isnull=True).update(case=case)
            if data.get("clave_hash"):
                TrackingKey.objects.create(case=case, key_hash=data["clave_hash"])
            notify.acknowledgement(case)
        return Processed(InboundOutcome.NEW_CASE, case.pk)

    def _reply(self, data: dict[str, Any]) -> Processed:
        """The citizen's message goes on the case's history; a case waiting for them resumes.
        Written in the office's language, whoever runs it."""
        case = Case.objects.filter(pk=data["reply_to"]).first()
        if case is None:  # deleted since
            return IGNORED
        with translation.override(settings.LANGUAGE_CODE):
            do_record_citizen_message(case, data["text"], channel=_("the portal"))
        return Processed(InboundOutcome.REPLY, case.pk)
