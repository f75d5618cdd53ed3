"""The OIR's filing form on the portal as a channel plug-in, sibling of the portal's own: a
filing is stored as an InboundMessage (`actions.do_file_request`: external id the form's
token, body the cleaned form as JSON, no files), then processed here into an
InformationRequest. The request keeps the token as its intake token, so processing the same
message again finds it instead of making a second request."""

from __future__ import annotations

import json

from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.channels.plugins import ChannelPlugin, Processed, register
from enlace.oir.actions import PORTAL_PLUGIN, do_register_request, filed_request


@register
class OirPortal(ChannelPlugin):
    code = PORTAL_PLUGIN
    catalogue_channel = "oir"  # the OIR's channel of the catalogue (its mailbox counts there)

    def process(self, message: InboundMessage) -> Processed:
        do_register_request(filed_request(json.loads(message.body), message), acting_user=None)
        # A new matter, but a request rather than a case: no case is linked; the request is
        # found by its intake token, the message's external id.
        return Processed(InboundOutcome.NEW_CASE, None)
