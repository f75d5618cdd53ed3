"""Invitations after a case is answered.

The surveys sit above the cases (enlace/surveys may import enlace.cases, never the reverse), so
they listen to the cases' history like the outboxes do: `invite_after_answer` is subscribed to
`case_history` in `SurveysConfig.ready()` and runs in the transaction of the answer. When an
opinion is answered (or closed with its answer given then) and a study by the method "after a
case is answered" is in fieldwork, in its period, at the case's centre, the citizen is invited
through `do_invite` (which asks no one twice within the quiet period) on the channel that fits
(`invitation_route`): WhatsApp for a case that came by WhatsApp, else e-mail, else WhatsApp to
the case's mobile phone; WhatsApp only where its plug-in can send the invitation's approved
template. The message itself is the notifications' outbox's: it subscribes to `study_history`
and writes it from the INVITED row.

A continuous study (the portal's rating of the answer) invites nobody: it is fed by the portal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.channels.plugins import PLUGINS
from enlace.core.errors import BusinessError
from enlace.core.identifiers import phone_or_none
from enlace.surveys.actions.invitations import do_invite
from enlace.surveys.models import InvitationChannel, Study, StudyMethod, StudyStatus

logger = logging.getLogger(__name__)


def _answered(event: CaseEvent) -> bool:
    """The event gave the citizen an answer (as the answer's e-mail is sent)."""
    if event.kind == EventKind.ANSWERED:
        return True
    return (
        event.kind == EventKind.CLOSED
        and event.case.kind == CaseKind.OPINION
        and event.from_status != CaseStatus.ANSWERED
    )


def study_after_case(dependency_id: int) -> Study | None:
    """The study that invites the citizens of a centre after their case is answered: the most
    recently opened one, if several."""
    today = timezone.localdate()
    return (
        Study.objects.filter(
            method=StudyMethod.AFTER_CASE,
            status=StudyStatus.FIELDWORK,
            continuous=False,
            period_start__lte=today,
            period_end__gte=today,
            centres__dependency_id=dependency_id,
        )
        .order_by("-opened_at", "-id")
        .first()
    )


def _mobile(phone: str) -> str | None:
    """The phone in E.164 if it is a Salvadoran mobile number (WhatsApp reaches no landline)."""
    number = phone_or_none(phone) if phone else None
    return number if number and number.startswith(("+5036", "+5037")) else None


def invitation_route(case: Case) -> tuple[str, str] | None:
    """The channel and address to invite the citizen of a case by, or None."""
    whatsapp = PLUGINS.get(InvitationChannel.WHATSAPP)
    mobile = _mobile(case.citizen_phone)
    by_whatsapp = whatsapp is not None and whatsapp.sends_template(
        settings.WHATSAPP_SURVEY_TEMPLATE
    )
    came_by_whatsapp = whatsapp is not None and case.channel.code == whatsapp.catalogue_channel
    if mobile and by_whatsapp and (came_by_whatsapp or not case.citizen_email):
        return InvitationChannel.WHATSAPP, mobile
    if case.citizen_email:
        return InvitationChannel.EMAIL, case.citizen_email
    return None


def invite_after_answer(events: Sequence[CaseEvent], context: Mapping[str, Any]) -> None:
    """Subscriber of the cases' history: invite the citizen of each answered opinion."""
    for event in events:
        if not _answered(event):
            continue
        case = event.case
        if case.kind != CaseKind.OPINION or case.dependency is None:
            continue
        route = invitation_route(case)
        if route is None:
            continue
        study = study_after_case(case.dependency.pk)
        if study is None:
            continue
        channel, address = route
        try:
            # A savepoint: a refused invitation never undoes the answer it follows.
            with transaction.atomic():
                do_invite(
                    study,
                    case.dependency,
                    channel=channel,
                    address=address,
                    case_id=case.pk,
                )
        except BusinessError as error:
            logger.info(
                "surveys: case %s not invited to study %s (%s)", case.pk, study.pk, error.code
            )
