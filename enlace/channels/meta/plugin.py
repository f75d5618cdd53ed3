"""WhatsApp and Messenger as channel plug-ins: processing what they delivered (a new case to
classify, a reply threaded into the citizen's case, or the status of a message we sent), and
answering the citizen through the Graph API.

A message is threaded into a case when it quotes that case's tracking code, or when its sender
wrote on an open case by the same platform in the last META_THREAD_DAYS days; otherwise it
opens a case to classify. Its media are fetched through the Graph API and stored as
attachments of the case; a file that is refused (not what it claims, too large, gone) is noted
on the case (`attachments.refusal_note`), and the text goes through all the same.

A reply goes to the person who opened the case on the platform, or on WhatsApp to the case's
own phone, and only within 24 hours of their last message: after that both platforms allow
only pre-approved templates. WhatsApp sends those for the notifications' outbox (an invitation
to answer a study: `send_template`), once the template's name is configured.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.cases.actions import (
    Citizen,
    NewCase,
    do_record_case_note,
    do_record_citizen_message,
    do_register_case,
)
from enlace.cases.lifecycle import OPEN_STATUSES, CaseKind, CaseStatus
from enlace.cases.models import Case
from enlace.cases.rules import phone_or_none
from enlace.catalogues.models import Channel
from enlace.channels import attachments
from enlace.channels.meta import envelope, graph
from enlace.channels.meta.actions import record_status, record_template_status
from enlace.channels.meta.platforms import FACEBOOK, LABELS, WHATSAPP, platform
from enlace.channels.models import InboundMessage, InboundOutcome, OutboundMessage
from enlace.channels.plugins import IGNORED, ChannelPlugin, Processed, Template, register
from enlace.core.outbox import OutboxError

logger = logging.getLogger(__name__)


class MetaPlugin(ChannelPlugin):
    code: ClassVar[str]
    catalogue_channel: ClassVar[str]
    urls = "enlace.channels.meta.urls"
    answers = True
    max_reply_length = 4096  # WhatsApp's limit for a text message
    reply_window = timedelta(hours=24)

    def process(self, message: InboundMessage) -> Processed:
        item = self._item(message)
        if item is None:
            return IGNORED
        if item.kind == envelope.STATUS:
            outbound = record_status(self.code, item.data)
            if outbound is not None:
                return Processed(InboundOutcome.STATUS, outbound.case_id)
            if record_template_status(self.code, item.data) is not None:
                return Processed(InboundOutcome.STATUS)
            return IGNORED
        if envelope.is_echo(self.code, item):
            return IGNORED
        return self._message(message, item)

    def _item(self, message: InboundMessage) -> envelope.Item | None:
        """The message's own part of the envelope it arrived in (stored whole)."""
        try:
            payload = json.loads(message.body)
        except (ValueError, RecursionError):
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
            refused = self._attach(message, item, case)
            if refused:
                do_record_case_note(case, refused)
            return Processed(InboundOutcome.NEW_CASE, case.pk)
        refused = self._attach(message, item, case)
        note = text or _("(no text)")
        do_record_citizen_message(
            case,
            f"{note}\n\n{refused}" if refused else note,
            channel=label,
            changes={"channel": {"from": "", "to": label}},
        )
        return Processed(InboundOutcome.REPLY, case.pk)

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

    def _attach(self, message: InboundMessage, item: envelope.Item, case: Case) -> str:
        """Fetch and store each file; the note on the refused ones ("" when none was). A
        failure that may pass (the network, a 5xx) is raised: the whole message is processed
        again later."""
        refusals: list[str] = []
        for media in item.media:
            try:
                content = graph.fetch_media(platform(self.code), media)
            except graph.GraphError as error:
                if not error.permanent:
                    raise
                logger.warning("%s media of %s refused: %s", self.code, message.pk, error)
                refusals.append(_("%(name)s could not be downloaded.") % {"name": media.name})
                continue
            attachments.keep(
                content, media.name, message=message, case_id=case.pk, refusals=refusals
            )
        return attachments.refusal_note(refusals)

    # --- Answering ---------------------------------------------------------------------------
    def may_answer(self, case: Case, sender: str, *, opened: bool) -> bool:
        """The person who opened the case here, or on WhatsApp the case's own phone."""
        if opened:
            return True
        return (
            self.code == WHATSAPP
            and bool(case.citizen_phone)
            and phone_or_none(f"+{sender}") == case.citizen_phone
        )

    def sends(self) -> bool:
        return platform(self.code).sends

    def send(self, outbound: OutboundMessage) -> str:
        try:
            return graph.send_text(platform(self.code), outbound.recipient, outbound.text)
        except graph.GraphError as error:
            raise OutboxError(str(error), permanent=error.permanent) from error


@register
class WhatsApp(MetaPlugin):
    code = WHATSAPP
    catalogue_channel = "whatsapp"
    label = LABELS[WHATSAPP]

    def sends_template(self, name: str) -> bool:
        return bool(name) and self.sends()

    def send_template(self, recipient: str, template: Template) -> str:
        # The Cloud API takes the number as digits, without the "+" of E.164.
        try:
            return graph.send_template(
                platform(self.code),
                recipient.lstrip("+"),
                template.name,
                template.language,
                template.parameters,
            )
        except graph.GraphError as error:
            raise OutboxError(str(error), permanent=error.permanent) from error


@register
class Facebook(MetaPlugin):
    code = FACEBOOK
    catalogue_channel = "facebook"
    label = LABELS[FACEBOOK]
