"""The telephone system as a channel plug-in: each CTI event posted to /canales/cti/ (views.py) is
stored as an InboundMessage (external id `<call id>:<event>`, so a repeated event is one row), then
processed here into the call's row of the log. It makes no case: the agent registers one from
the call (the cases count under the catalogue channel "llamada_127")."""

from __future__ import annotations

import json

from enlace.callcentre.actions import do_record_call_event
from enlace.callcentre.events import parse_event
from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.channels.plugins import ChannelPlugin, Processed, register

PLUGIN_CODE = "cti"


@register
class Cti(ChannelPlugin):
    code = PLUGIN_CODE
    catalogue_channel = "llamada_127"
    urls = "enlace.channels.cti.urls"

    def process(self, message: InboundMessage) -> Processed:
        call = do_record_call_event(parse_event(json.loads(message.body)))
        return Processed(InboundOutcome.STATUS, call.case_id)
