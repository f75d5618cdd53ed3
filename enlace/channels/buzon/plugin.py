"""The suggestion box as a channel plug-in: each transcribed form is stored as an
InboundMessage (external id `<opening id>:<form number>`), then processed here into an opinion
counted under the catalogue channel "buzon", linked to its opening by a BoxForm row. A form
without a type is registered to classify."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.utils import timezone

from enlace.accounts.models import User
from enlace.cases.actions import Citizen, NewCase, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.catalogues.models import Channel, OpinionType
from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.channels.plugins import ChannelPlugin, Processed, register
from enlace.directory.models import Dependency
from enlace.suggestionbox.models import BoxForm, BoxOpening

PLUGIN_CODE = "buzon"


@register
class SuggestionBox(ChannelPlugin):
    code = PLUGIN_CODE
    catalogue_channel = "buzon"

    def process(self, message: InboundMessage) -> Processed:
        data: dict[str, Any] = json.loads(message.body)
        opening = BoxOpening.objects.get(pk=data["opening"])
        done = BoxForm.objects.filter(opening=opening, number=data["number"]).first()
        if done is not None:
            return Processed(InboundOutcome.NEW_CASE, done.case_id)
        opinion_type = (
            OpinionType.objects.filter(code=data["opinion_type"]).first()
            if data.get("opinion_type")
            else None
        )
        # The institute had the form from the opening on: its deadlines count from that day.
        opened = datetime.combine(opening.opened_on, time(12), timezone.get_current_timezone())
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=Channel.objects.get(code=self.catalogue_channel),
                description=data["description"],
                opinion_type=opinion_type,
                dependency=Dependency.objects.get(code=data["dependency"]),
                citizen=Citizen(**data["citizen"]),
                received_at=min(opened, message.received_at),
                to_classify=opinion_type is None,
            ),
            acting_user=User.objects.filter(pk=int(data["transcribed_by"])).first(),
        )
        BoxForm.objects.create(opening=opening, number=data["number"], case=case)
        return Processed(InboundOutcome.NEW_CASE, case.pk)
