"""The fake channel's plug-in: a message becomes an opinion to classify (or a reply on the
case its sender opened), and a reply is "sent" to `PLATFORM`, standing in for the outside
platform the channel would call."""

from __future__ import annotations

import json

from enlace.cases.actions import Citizen, NewCase, do_record_citizen_message, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel
from enlace.channels.models import InboundMessage, InboundOutcome, OutboundMessage
from enlace.channels.plugins import ChannelPlugin, Processed, register

CODE = "fake"
# What the outside platform received: (recipient, text).
PLATFORM: list[tuple[str, str]] = []


@register
class Fake(ChannelPlugin):
    code = CODE
    catalogue_channel = "sitio_web"
    label = "Fake"
    urls = "enlace.channels.tests.fake.urls"
    answers = True

    def process(self, message: InboundMessage) -> Processed:
        data = json.loads(message.body)
        earlier = (
            InboundMessage.objects.filter(plugin=CODE, sender=message.sender, case__isnull=False)
            .exclude(pk=message.pk)
            .values_list("case_id", flat=True)
            .first()
        )
        if earlier is not None:
            case = do_record_citizen_message(
                Case.objects.get(pk=earlier), data["text"], channel=self.label
            )
            return Processed(InboundOutcome.REPLY, case.pk)
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=Channel.objects.get(code=self.catalogue_channel),
                description=data["text"],
                citizen=Citizen(name=data.get("name", "")),
                to_classify=True,
            ),
            acting_user=None,
        )
        return Processed(InboundOutcome.NEW_CASE, case.pk)

    def may_answer(self, case: Case, sender: str, *, opened: bool) -> bool:
        return opened

    def sends(self) -> bool:
        return True

    def send(self, outbound: OutboundMessage) -> str:
        PLATFORM.append((outbound.recipient, outbound.text))
        return f"fake-{len(PLATFORM)}"
