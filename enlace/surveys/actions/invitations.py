"""Invitations to answer a study by a unique link: sent by e-mail or WhatsApp by the
notifications' outbox (it subscribes to the study's history and receives the link in the row's
context; only the link's hash is kept), with one reminder, and never twice to the same person
within the quiet period."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.errors import BusinessError
from enlace.core.identifiers import normalise_phone
from enlace.directory.models import Dependency
from enlace.surveys.actions.responses import check_open
from enlace.surveys.history import StudyAction, study_history
from enlace.surveys.models import Invitation, InvitationChannel, Study, StudyEvent, StudyStatus

# Defaults; settings.SURVEY_INVITATIONS may override each.
DEFAULTS = {
    "quiet_days": 90,  # no second invitation to the same person within this many days
    "remind_after_days": 3,
    "valid_days": 14,
}


def setting(name: str) -> int:
    return int(getattr(settings, "SURVEY_INVITATIONS", {}).get(name, DEFAULTS[name]))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_address(channel: str, address: str) -> str:
    if channel == InvitationChannel.EMAIL:
        address = address.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            raise BusinessError(_("That e-mail address is not valid."), field="address") from None
        return address
    if channel == InvitationChannel.WHATSAPP:
        try:
            return normalise_phone(address)
        except ValidationError as error:
            raise BusinessError(error.messages[0], field="address") from None
    raise BusinessError(_("Choose e-mail or WhatsApp."), field="channel")


def person_key(address: str) -> str:
    return hashlib.sha256(f"survey-person:{address}".encode()).hexdigest()


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("study", "dependency")
        .filter(token_hash=token_hash(token))
        .first()
    )


def do_invite(
    study: Study,
    dependency: Dependency,
    *,
    channel: str,
    address: str,
    case_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str] | None:
    """Invite a person; None when they were invited to a study within the quiet period (they
    are not asked again). The token is returned once, to be put in the message."""
    now = now or timezone.now()
    check_open(study, dependency.pk)  # read afresh: in fieldwork, in its period, at the centre
    address = normalise_address(channel, address)
    key = person_key(address)
    with transaction.atomic():
        recent = Invitation.objects.select_for_update().filter(
            person_key=key, created_at__gte=now - timedelta(days=setting("quiet_days"))
        )
        if recent.exists():
            return None
        token = secrets.token_urlsafe(24)
        invitation = Invitation.objects.create(
            study=study,
            dependency=dependency,
            case_id=case_id,
            token_hash=token_hash(token),
            channel=channel,
            address=address,
            person_key=key,
            created_at=now,
            remind_at=now + timedelta(days=setting("remind_after_days")),
            expires_at=now + timedelta(days=setting("valid_days")),
        )
        study_history.add(
            StudyEvent(study=study, at=now, action=StudyAction.INVITED, note=str(invitation.pk)),
            invitation=invitation,
            token=token,
        )
    return invitation, token


def sweep_reminders(now: datetime) -> dict[str, int]:
    """The one reminder of each invitation not yet answered (a new token: the reminder's link
    replaces the first one, whose hash is no longer kept)."""
    sent = 0
    due = Invitation.objects.filter(
        remind_at__lte=now, responded_at__isnull=True, expires_at__gt=now
    ).values_list("pk", flat=True)[:500]
    for pk in list(due):
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(skip_locked=True)
                .select_related("study")
                .filter(pk=pk, remind_at__lte=now, responded_at__isnull=True)
                .first()
            )
            if invitation is None:
                continue
            token = secrets.token_urlsafe(24)
            invitation.token_hash = token_hash(token)
            invitation.remind_at = None
            invitation.reminded_at = now
            invitation.save(update_fields=["token_hash", "remind_at", "reminded_at"])
            if invitation.study.status == StudyStatus.FIELDWORK:
                study_history.add(
                    StudyEvent(
                        study=invitation.study,
                        at=now,
                        action=StudyAction.REMINDED,
                        note=str(invitation.pk),
                    ),
                    invitation=invitation,
                    token=token,
                )
                sent += 1
    # Addresses are kept no longer than the invitation is valid.
    blanked = (
        Invitation.objects.filter(expires_at__lte=now)
        .exclude(address="")
        .update(address="", remind_at=None)
    )
    return {"survey_reminders": sent, "survey_addresses_blanked": blanked}
