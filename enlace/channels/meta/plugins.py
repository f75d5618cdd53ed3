"""Processing what WhatsApp and Messenger delivered: a new case to classify, a reply threaded
into the citizen's case, or the status of a message we sent.

A message is threaded into a case when it quotes that case's tracking code, or when its sender
wrote on an open case by the same platform in the last META_THREAD_DAYS days; otherwise it
opens a case to classify. Its media are fetched through the Graph API and stored as
attachments of the case; a file that is refused (not what it claims, too large, gone) becomes a
note on the case, and the text goes through all the same.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.cases.actions import Citizen, NewCase, do_record_citizen_message, do_register_case
from enlace.cases.lifecycle import OPEN_STATUSES, CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.rules import phone_or_none
from enlace.catalogues.models import Channel
from enlace.channels import attachments
from enlace.channels.meta import envelope, graph
from enlace.channels.meta.actions import record_status
from enlace.channels.meta.platforms import FACEBOOK, LABELS, WHATSAPP, platform
from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.channels.plugins import IGNORED, ChannelPlugin, Processed, register
from enlace.core.errors import BusinessError

logger = logging.getLogger(__name__)


class MetaPlugin(ChannelPlugin):
    code: ClassVar[str]
    catalogue_channel: ClassVar[str]

    def process(self, message: InboundMessage) -> Processed:
        item = self._item(message)
        if item is None:
            return IGNORED
        if item.kind == envelope.STATUS:
            outbound = record_status(self.code, item.data)
            if outbound is None:
                return IGNORED
            return Processed(InboundOutcome.STATUS, outbound.case_id)
        if envelope.is_echo(self.code, item):
            return IGNORED
        return self._message(message, item)

    def _item(self, message: InboundMessage) -> envelope.Item | None:
        """The message's own part of the envelope it arrived in (stored whole)."""
        try:
            payload = json.loads(message.body)
        except ValueError:
            return None
        return next(
            (
                item
                for item in envelope.items(self.code, payload)
                if item.external_id == message.external_id
            ),
            None,
        )

    def _message(self, message: InboundMessage, item: envelope.Item) -> Processed:
        label = LABELS[self.code]
        text = item.text.strip()
        case = self._thread(message, text)
        if case is None:
            case = self._new_case(item, text)
            outcome = InboundOutcome.NEW_CASE
        else:
            outcome = InboundOutcome.REPLY
            case = do_record_citizen_message(
                case,
                text or _("(no text)"),
                channel=label,
                changes={"channel": {"from": "", "to": label}},
            )
        self._attach(message, item, case)
        return Processed(outcome, case.pk)

    def _thread(self, message: InboundMessage, text: str) -> Case | None:
        """The case this message belongs to, if any: a quoted tracking code first, then the
        sender's open case on this platform."""
        for code in envelope.tracking_codes(text):
            case = Case.objects.filter(tracking_code=code).first()
            # A merged case carries on in the one it was merged into.
            while case is not None and case.status == CaseStatus.MERGED and case.merged_into_id:
                case = Case.objects.get(pk=case.merged_into_id)
            if case is not None:
                return case
        if not message.sender:
            return None
        since = timezone.now() - timedelta(days=settings.META_THREAD_DAYS)
        earlier = (
            InboundMessage.objects.filter(
                plugin=self.code,
                sender=message.sender,
                received_at__gte=since,
                case__status__in=OPEN_STATUSES,
            )
            .exclude(pk=message.pk)
            .order_by("-received_at", "-id")
            .values_list("case_id", flat=True)
            .first()
        )
        return Case.objects.get(pk=earlier) if earlier else None

    def _new_case(self, item: envelope.Item, text: str) -> Case:
        phone = phone_or_none(f"+{item.sender}") if self.code == WHATSAPP else None
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=Channel.objects.get(code=self.catalogue_channel),
                description=text or _("The citizen sent a file without text."),
                citizen=Citizen(name=item.sender_name[:200], phone=phone or ""),
                to_classify=True,
            ),
            acting_user=None,
        )
        return case

    def _attach(self, message: InboundMessage, item: envelope.Item, case: Case) -> None:
        """Fetch and store each file; a refusal is a note on the case, never a failure of the
        message. A failure that may pass (the network, a 5xx) is raised: the whole message is
        processed again later."""
        for media in item.media:
            try:
                content = graph.fetch_media(platform(self.code), media)
                attachments.store(content, media.name, message=message, case_id=case.pk)
            except BusinessError as error:
                self._refused(case, str(error))
            except graph.GraphError as error:
                if not error.permanent:
                    raise
                logger.warning("%s media of %s refused: %s", self.code, message.pk, error)
                self._refused(case, _("%(name)s could not be downloaded.") % {"name": media.name})

    def _refused(self, case: Case, reason: str) -> None:
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.COMMENTED,
            at=timezone.now(),
            note=_("An attachment sent by the citizen was refused: %(reason)s")
            % {"reason": reason},
        )


@register
class WhatsApp(MetaPlugin):
    code = WHATSAPP
    catalogue_channel = "whatsapp"


@register
class Facebook(MetaPlugin):
    code = FACEBOOK
    catalogue_channel = "facebook"
