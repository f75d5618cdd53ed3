"""What the campaigns tell data protection (enlace/privacy/registry.py): a campaign's contacts
hold a person's name, phones, DUI and the list's own columns (an appointment, say); the
do-not-call register holds a phone or a DUI. A person's contacts are found by DUI or phone,
corrected, and anonymised (the outcome stays counted; who it was is gone). The register's entry
is kept: it is the person's own wish not to be called, and holds nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from enlace.campaigns.models import Contact, ContactState
from enlace.privacy import registry
from enlace.privacy.registry import Found, Identifiers


def _of(identifiers: Identifiers) -> Q:
    condition = Q(pk__in=[])
    if identifiers.dui:
        condition |= Q(dui=identifiers.dui)
    if identifiers.phone:
        condition |= Q(phone=identifiers.phone) | Q(phone_alt=identifiers.phone)
    return condition


def find(identifiers: Identifiers) -> list[Found]:
    if not (identifiers.dui or identifiers.phone):
        return []
    contacts = (
        Contact.objects.filter(_of(identifiers))
        .select_related("campaign")
        .order_by("-campaign__created_at", "-id")[:500]
    )
    return [
        Found(
            holder="campaign_contacts",
            object_id=contact.pk,
            reference=contact.campaign.name,
            when=contact.last_attempt_at or contact.campaign.created_at,
            data={
                str(label): value
                for label, value in (
                    (gettext_lazy("Name"), contact.name),
                    (gettext_lazy("Phone"), contact.phone),
                    (gettext_lazy("Other phone"), contact.phone_alt),
                    (gettext_lazy("DUI"), contact.dui),
                    (gettext_lazy("Affiliation number"), contact.affiliation),
                    (gettext_lazy("Last outcome"), contact.get_last_outcome_display()),
                    *((key, str(value)) for key, value in contact.data.items()),
                )
                if value
            },
        )
        for contact in contacts
    ]


def rectify(ids: Sequence[int], values: dict[str, str], actor: Any) -> int:
    changes = {
        column: values[key]
        for key, column in (("name", "name"), ("dui", "dui"), ("phone", "phone"))
        if values.get(key)
    }
    if not changes:
        return 0
    return Contact.objects.filter(pk__in=ids).update(**changes)


def cancel(ids: Sequence[int], actor: Any) -> int:
    """Anonymise: the contact's outcome stays in the campaign's figures."""
    Contact.objects.filter(pk__in=ids, state=ContactState.TO_CALL).update(
        state=ContactState.EXCLUDED,
        excluded_reason=str(gettext_lazy("Erased at the person's request")),
        lease_holder=None,
        lease_until=None,
    )
    return Contact.objects.filter(pk__in=ids).update(
        name="", phone="", phone_alt="", dui="", affiliation="", data={}
    )


def register() -> None:
    registry.register_holder(
        registry.Holder(
            code="campaign_contacts",
            label=gettext_lazy("Contacts of call campaigns"),
            find=find,
            rectify=rectify,
            cancel=cancel,
        )
    )
