"""What the OIR tells data protection (enlace/privacy/registry.py): a requester's information
requests found by their document, e-mail or phone, and erased (the requester's identity; the
request, its items and outcomes stay, as the IAIP's statistics count them) when asked or when
kept long enough after notification."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from enlace.oir.models import InformationRequest, NotifyBy, RequestEvent, RequestStatus
from enlace.privacy import registry
from enlace.privacy.registry import Found, Identifiers

ERASED = "—"


def find(identifiers: Identifiers) -> list[Found]:
    condition = Q(pk__in=[])
    if identifiers.dui:
        condition |= Q(document_number=identifiers.dui)
    if identifiers.email:
        condition |= Q(email__iexact=identifiers.email)
    if identifiers.phone:
        condition |= Q(phone=identifiers.phone)
    found = []
    for request in InformationRequest.objects.filter(condition).exclude(requester_name=ERASED):
        data = {
            str(gettext_lazy("Name")): request.requester_name,
            str(gettext_lazy("Document")): request.document_number,
            str(gettext_lazy("E-mail")): request.email,
            str(gettext_lazy("Phone")): request.phone,
            str(gettext_lazy("Address")): request.address,
            str(gettext_lazy("What they asked")): request.description,
        }
        found.append(
            Found(
                holder="oir",
                object_id=request.pk,
                reference=request.number,
                when=request.received_at,
                data={label: value for label, value in data.items() if value},
                logged_as="information_request",
            )
        )
    return found


def anonymise(ids: Sequence[int]) -> int:
    erased = (
        InformationRequest.objects.filter(pk__in=ids)
        .exclude(requester_name=ERASED)
        .update(
            requester_name=ERASED,
            document_number="",
            email="",
            phone="",
            address="",
            notify_by=NotifyBy.OFFICE,
            updated_at=timezone.now(),
        )
    )
    RequestEvent.objects.filter(request_id__in=ids).exclude(note="").update(note="")
    return erased


def cancel(ids: Sequence[int], actor: Any) -> int:
    return anonymise(ids)


def notified_before(cutoff: datetime) -> QuerySet[InformationRequest]:
    return (
        InformationRequest.objects.filter(
            status__in=(RequestStatus.NOTIFIED, RequestStatus.RESOLVED), updated_at__lt=cutoff
        )
        .exclude(requester_name=ERASED)
        .order_by("pk")
    )


def register() -> None:
    registry.register_holder(
        registry.Holder(
            code="oir",
            label=gettext_lazy("Public-information requests"),
            find=find,
            cancel=cancel,
        )
    )
    registry.register_retention(
        registry.RetentionKind(
            code="oir.notified",
            label=gettext_lazy("Public-information requests, notified"),
            default_months=60,
            due=notified_before,
            anonymise=anonymise,
        )
    )
