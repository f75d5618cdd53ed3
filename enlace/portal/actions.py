"""The portal's writes: a citizen's submission and their reply to a case waiting for them (each
stored first as an inbound message of the plug-in `portal`, then processed), and their rating
of the answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enlace.cases import history
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, EventKind
from enlace.channels import attachments
from enlace.channels.actions import do_process_message, do_receive_message
from enlace.channels.models import InboundMessage, InboundStatus
from enlace.channels.portal.plugin import PLUGIN_CODE, reply_body, reply_id
from enlace.core.errors import BusinessError
from enlace.portal.models import Satisfaction, SatisfactionRating
from enlace.surveys.actions.portal import do_record_portal_rating
from enlace.surveys.models import FriendsAndFamily

# The portal's answers as the Friends-and-Family codes of the surveys (the same six, named
# apart): the rating is also the case's response in the portal's continuous study.
FFT_OF = {
    Satisfaction.VERY_GOOD: FriendsAndFamily.VERY_GOOD,
    Satisfaction.GOOD: FriendsAndFamily.GOOD,
    Satisfaction.NEUTRAL: FriendsAndFamily.NEUTRAL,
    Satisfaction.BAD: FriendsAndFamily.POOR,
    Satisfaction.VERY_BAD: FriendsAndFamily.VERY_POOR,
    Satisfaction.DONT_KNOW: FriendsAndFamily.DONT_KNOW,
}


@dataclass(frozen=True)
class Upload:
    """A file already checked by its content (attachments.check)."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Submission:
    token: str
    payload: dict[str, Any]  # the cleaned form, as the plug-in reads it
    sender: str = ""
    uploads: list[Upload] = field(default_factory=list)


def do_submit(submission: Submission) -> InboundMessage:
    """Store the submission and its files in one transaction, then process it at once. The
    same form posted again (same token) stores nothing more and makes no second case. If the
    processing fails, the stored message stays pending and the sweeper retries it: the
    returned message then has no case yet."""
    with transaction.atomic():
        message, created = do_receive_message(
            PLUGIN_CODE,
            submission.token,
            body=json.dumps(submission.payload, ensure_ascii=False),
            sender=submission.sender,
            process=False,  # processed below, in this request
        )
        if created:
            for upload in submission.uploads:
                attachments.store(upload.content, upload.name, message=message)
    if message.status == InboundStatus.PENDING:
        do_process_message(message.pk)
        message.refresh_from_db()
    return message


def do_reply(case: Case, token: str, text: str) -> InboundMessage:
    """The citizen's reply to `case` (opened with its code and second factor), which must be
    waiting for them: stored as it arrived (the case and the text, never the factor), then
    processed at once by the plug-in, which records it on the case as a message from the
    citizen and resumes the case (`do_record_citizen_message`, as an e-mail or a WhatsApp reply
    does). The same reply posted again (same token) stores and records nothing more, even once
    the case has resumed. A case not waiting refuses it (BusinessError) and nothing is stored."""
    external_id = reply_id(token)
    stored = InboundMessage.objects.filter(plugin=PLUGIN_CODE, external_id=external_id).first()
    if stored is None:
        if case.status != CaseStatus.WAITING_CITIZEN:
            raise BusinessError(
                _("Your case is not waiting for information from you."), code="not_waiting"
            )
        stored, _created = do_receive_message(
            PLUGIN_CODE,
            external_id,
            body=json.dumps(reply_body(case, text), ensure_ascii=False),
            process=False,  # processed below, in this request
        )
    if stored.status == InboundStatus.PENDING:
        do_process_message(stored.pk)
        stored.refresh_from_db()
    return stored


def do_rate_case(case: Case, rating: str, comment: str = "") -> SatisfactionRating:
    """Record (or change) the citizen's rating of the answer, with an event on the case, and
    the case's response in the portal's continuous study (if its centre is in it)."""
    with translation.override(settings.LANGUAGE_CODE):  # the staff's language, as notify.py
        label = str(Satisfaction(rating).label)
        previous_label = ""
    comment = comment.strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        now = timezone.now()
        previous = SatisfactionRating.objects.filter(case=case).first()
        if previous is not None:
            with translation.override(settings.LANGUAGE_CODE):
                previous_label = str(previous.get_rating_display())
        changes = {"satisfaction": {"from": previous_label, "to": label}}
        if previous is None:
            saved = SatisfactionRating.objects.create(
                case=case, rating=rating, comment=comment, rated_at=now
            )
        else:
            previous.rating, previous.comment, previous.rated_at = rating, comment, now
            previous.save(update_fields=["rating", "comment", "rated_at", "updated_at"])
            saved = previous
        # The case's events have no kind of their own for a rating: it is recorded as a
        # comment by no staff member, with the change of rating in `changes`.
        history.record(
            case,
            EventKind.COMMENTED,
            None,
            at=now,
            changes=changes,
            note=f"{label}. {comment}".strip() if comment else label,
        )
        do_record_portal_rating(
            case.pk,
            case.dependency_id,
            experience=FFT_OF[Satisfaction(rating)],
            comment=comment,
            rated_at=now,
        )
    return saved
