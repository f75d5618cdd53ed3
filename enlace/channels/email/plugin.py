"""Processing a stored e-mail: ignore what a machine wrote, thread a reply into its case, or
register a new case to classify. Runs inside `do_process_message`'s transaction."""

from __future__ import annotations

import logging
from email.message import EmailMessage

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from enlace.cases.actions import (
    Citizen,
    NewCase,
    do_record_case_note,
    do_record_citizen_message,
    do_register_case,
)
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel
from enlace.channels import attachments as stored_attachments
from enlace.channels.email import parsing
from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.channels.plugins import IGNORED, ChannelPlugin, Processed, register
from enlace.core.errors import BusinessError
from enlace.notifications.models import Notification

logger = logging.getLogger(__name__)

CODE = "email"
# A mail with more files than this keeps the first ones; the rest are noted as refused.
MAX_ATTACHMENTS = 20
# Longer text is cut (the raw message keeps all of it).
MAX_TEXT_CHARS = 50_000


@register
class EmailPlugin(ChannelPlugin):
    code = CODE
    catalogue_channel = "correo"  # a mailbox may say another (the OIR's: "oir")

    def process(self, message: InboundMessage) -> Processed:
        # What is written on the case reads in the office's language, whoever runs the task.
        with translation.override(settings.LANGUAGE_CODE):
            return self._process(message)

    def _process(self, message: InboundMessage) -> Processed:
        with message.raw.open("rb") as source:
            raw = source.read()
        mail = parsing.parse(raw)
        reason = parsing.automatic(mail)
        if reason is not None:
            logger.info("e-mail %s ignored: %s", message.external_id, reason)
            return IGNORED
        if Notification.objects.filter(message_id=message.external_id).exists():
            logger.info("e-mail %s ignored: Enlace sent it", message.external_id)
            return IGNORED
        subject = parsing.header(mail, "subject")
        text = parsing.body_text(mail)
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS] + "\n[…]"
        written = f"{subject}\n\n{text or _('(no text)')}" if subject else text or _("(no text)")
        name, address = parsing.sender(mail)
        case = thread_case(mail, message)
        if case is not None:
            self._reply(case, message, mail, written, address)
            return Processed(InboundOutcome.REPLY, case.pk)
        channel_code = str(message.headers.get("channel") or self.catalogue_channel)
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=Channel.objects.get(code=channel_code),
                description=written,
                citizen=Citizen(name=name[:200], email=_valid_email(address)),
                received_at=message.received_at,
                to_classify=True,
            ),
            acting_user=None,
        )
        refused = _keep_attachments(mail, message, case)
        if refused:
            do_record_case_note(case, refused)
        return Processed(InboundOutcome.NEW_CASE, case.pk)

    def _reply(
        self, case: Case, message: InboundMessage, mail: EmailMessage, text: str, sender: str
    ) -> None:
        """The citizen's message goes on the case's history; a case waiting for them resumes."""
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            refused = _keep_attachments(mail, message, case)
            note = text
            if sender and sender != case.citizen_email.lower():
                note = _("From %(sender)s") % {"sender": sender} + "\n\n" + note
            if refused:
                note += "\n\n" + refused
            do_record_citizen_message(case, note, channel=_("e-mail"))


def thread_case(mail: EmailMessage, message: InboundMessage) -> Case | None:
    """The case a message replies to: one whose notification or earlier inbound e-mail it
    points at (In-Reply-To, References), else one whose tracking code is in its subject. A
    case merged into another leads to the one that carries on."""
    case: Case | None = None
    ids = parsing.thread_ids(mail)
    if ids:
        notified = Notification.objects.filter(message_id__in=ids, case__isnull=False)
        inbound = InboundMessage.objects.filter(
            plugin=CODE, external_id__in=ids, case__isnull=False
        ).exclude(pk=message.pk)
        by_id: dict[str, int | None] = dict(notified.values_list("message_id", "case_id"))
        by_id |= dict(inbound.values_list("external_id", "case_id"))
        nearest = next((by_id[i] for i in ids if i in by_id), None)
        if nearest is not None:
            case = Case.objects.filter(pk=nearest).first()
    if case is None:
        codes = parsing.tracking_codes(parsing.header(mail, "subject"))
        if codes:
            case = Case.objects.filter(tracking_code__in=codes).first()
    for _hop in range(5):
        if case is None or case.merged_into_id is None:
            break
        case = case.merged_into
    return case


def _keep_attachments(mail: EmailMessage, message: InboundMessage, case: Case) -> str:
    """Store the mail's files on the case; returns the note saying which were refused and
    why ("" when none was). A refused file never stops the text from being registered."""
    refusals: list[str] = []
    for number, (name, content) in enumerate(parsing.attachments(mail)):
        if number >= MAX_ATTACHMENTS:
            refusals.append(
                _("%(name)s: more than %(count)s files in one message.")
                % {"name": name, "count": MAX_ATTACHMENTS}
            )
            continue
        try:
            stored_attachments.store(content, name, message=message, case_id=case.pk)
        except BusinessError as error:
            refusals.append(str(error))
    if not refusals:
        return ""
    return _("Attachments not kept:") + "\n" + "\n".join(f"- {line}" for line in refusals)


def _valid_email(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address[:254]
