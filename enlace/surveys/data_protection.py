"""What the studies tell data protection (enlace/privacy/registry.py). Responses are anonymous:
no name, DUI or contact is asked. What may identify a person is an invitation's address (kept
only until it is answered or expires) and what a respondent wrote in a comment about their own
case. A person's invitations are found by the hash of their e-mail or phone; erasing blanks
them; erasing a case blanks the comments of the responses tied to it and unties them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy

from enlace.privacy import registry
from enlace.privacy.registry import Found, Identifiers
from enlace.surveys.actions.invitations import person_key
from enlace.surveys.models import TEXT_KINDS, Answer, Invitation, Response


def find(identifiers: Identifiers) -> list[Found]:
    keys = [person_key(value) for value in (identifiers.email.lower(), identifiers.phone) if value]
    if not keys:
        return []
    invitations = (
        Invitation.objects.filter(person_key__in=keys)
        .select_related("study")
        .order_by("-created_at", "-id")
    )
    return [
        Found(
            holder="survey_invitations",
            object_id=invitation.pk,
            reference=invitation.study.name,
            when=invitation.created_at,
            data={
                label: value
                for label, value in (
                    (str(gettext_lazy("Channel")), invitation.get_channel_display()),
                    (str(gettext_lazy("Address")), invitation.address),
                )
                if value
            },
        )
        for invitation in invitations
    ]


def cancel(ids: Sequence[int], actor: Any) -> int:
    """Forget the person: their address and the hash that finds them."""
    return Invitation.objects.filter(pk__in=ids).update(address="", person_key="", remind_at=None)


def erase_for_cases(case_ids: Sequence[int]) -> int:
    responses = Response.objects.filter(case_id__in=case_ids)
    blanked = (
        Answer.objects.filter(response__in=responses, question__kind__in=TEXT_KINDS)
        .exclude(text="")
        .update(text="")
    )
    responses.update(case=None)
    Invitation.objects.filter(case_id__in=case_ids).update(
        address="", person_key="", remind_at=None, case=None
    )
    return blanked


def register() -> None:
    registry.register_holder(
        registry.Holder(
            code="survey_invitations",
            label=gettext_lazy("Invitations to answer a study"),
            find=find,
            cancel=cancel,
        )
    )
    registry.register_case_eraser(erase_for_cases)
