"""The e-mail channel's plug-in: poll the mailboxes (imap.py); process a stored e-mail (ignore
what a machine or Enlace itself wrote, thread a reply into its case, or register a new case to
classify; inside `do_process_message`'s transaction); and answer the citizen in the thread of
their own mail, by SMTP. The e-mail outbox's messages to the citizen (the acknowledgement, the
answer) thread the same way: this plug-in tells it how (`thread_headers`)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage as OutgoingMail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from enlace.channels.models import InboundMessage, InboundOutcome, OutboundMessage
from enlace.channels.plugins import IGNORED, ChannelPlugin, Processed, register
from enlace.core.outbox import OutboxError
from enlace.notifications import delivery as mail_outbox
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
    label = gettext_lazy("e-mail")
    answers = True
    max_reply_length = MAX_TEXT_CHARS

    def poll(self) -> int:
        from enlace.channels.email import imap  # imap.py stores under this plug-in's CODE

        return imap.poll_mailboxes()

    def may_answer(self, case: Case, sender: str, *, opened: bool) -> bool:
        """The address that opened the case, or the case's own."""
        return opened or sender.lower() == case.citizen_email.lower()

    def sends(self) -> bool:
        return True  # by the SMTP server Django is configured with

    def send(self, outbound: OutboundMessage) -> str:
        """One reply in the thread of the citizen's mail, its tracking code in the subject (so
        an answer to it threads back even without the headers). Its Message-ID is fixed by the
        row, so a retry is recognised as the same message."""
        case = Case.objects.get(pk=outbound.case_id)
        message_id = f"<reply-{outbound.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("About your case %(code)s") % {"code": case.display_code}
        mail = OutgoingMail(
            subject=subject,
            body=outbound.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outbound.recipient],
            headers={"Message-ID": message_id, **thread_headers(case.pk)},
        )
        try:
            mail.send()
        except (smtplib.SMTPException, OSError) as error:
            raise OutboxError(f"{type(error).__name__}: {error}") from error
        return message_id

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
        if _sent_by_enlace(message.external_id):
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


def _sent_by_enlace(message_id: str) -> bool:
    """A mail Enlace sent (a notification, a reply) that came back to a mailbox it polls."""
    if Notification.objects.filter(message_id=message_id).exists():
        return True
    return OutboundMessage.objects.filter(plugin=CODE, platform_id=message_id).exists()


def thread_case(mail: EmailMessage, message: InboundMessage) -> Case | None:
    """The case a message replies to: one whose notification or earlier inbound e-mail it
    points at (In-Reply-To, References), else one whose tracking code is in its subject. A
    case merged into another leads to the one that carries on."""
    case: Case | None = None
    ids = parsing.thread_ids(mail)
    if ids:
        notified = Notification.objects.filter(message_id__in=ids, case__isnull=False)
        replied = OutboundMessage.objects.filter(plugin=CODE, platform_id__in=ids)
        inbound = InboundMessage.objects.filter(
            plugin=CODE, external_id__in=ids, case__isnull=False
        ).exclude(pk=message.pk)
        by_id: dict[str, int | None] = dict(notified.values_list("message_id", "case_id"))
        by_id |= dict(replied.values_list("platform_id", "case_id"))
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
        stored_attachments.keep(content, name, message=message, case_id=case.pk, refusals=refusals)
    return stored_attachments.refusal_note(refusals)


# Messages to the citizen on a case reply to the citizen's own e-mails on it, if any, so that
# the mail programs on both sides keep one conversation (a reply is threaded back by these
# headers, or by the tracking code the subject carries).
MAX_REFERENCES = 20


def thread_headers(case_id: int) -> dict[str, str]:
    """In-Reply-To (the citizen's latest e-mail on the case) and References (their e-mails on
    it, oldest first); {} when the citizen never wrote by e-mail."""
    ids = list(
        InboundMessage.objects.filter(case_id=case_id, plugin=CODE, external_id__startswith="<")
        .order_by("-received_at", "-id")
        .values_list("external_id", flat=True)[:MAX_REFERENCES]
    )
    if not ids:
        return {}
    return {"In-Reply-To": ids[0], "References": " ".join(reversed(ids))}


# The e-mail outbox threads the acknowledgement and the answer the same way.
mail_outbox.thread_headers_from(thread_headers)


def _valid_email(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address[:254]
