"""What the call log tells data protection (enlace/privacy/registry.py): a person's calls found
by their number or DUI, erased (the number and the DUI; the call's moments, agent and wrap-up
stay for the call centre's figures) when asked, when their case is erased, or when kept long
enough."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from enlace.callcentre.models import Call
from enlace.cases.rules import format_phone
from enlace.privacy import registry
from enlace.privacy.registry import Found, Identifiers


def find(identifiers: Identifiers) -> list[Found]:
    condition = Q(pk__in=[])
    if identifiers.phone:
        condition |= Q(caller=identifiers.phone)
    if identifiers.dui:
        condition |= Q(caller_dui=identifiers.dui)
    calls = Call.objects.filter(condition).order_by("-started_at", "-id")
    return [
        Found(
            holder="calls",
            object_id=call.pk,
            reference=call.pbx_call_id,
            when=call.started_at,
            data={
                label: value
                for label, value in (
                    (str(gettext_lazy("Phone")), format_phone(call.caller)),
                    (str(gettext_lazy("DUI")), call.caller_dui),
                )
                if value
            },
        )
        for call in calls
    ]


def anonymise(ids: Sequence[int]) -> int:
    return (
        Call.objects.filter(pk__in=ids)
        .exclude(caller="", caller_dui="")
        .update(caller="", caller_dui="")
    )


def cancel(ids: Sequence[int], actor: Any) -> int:
    return anonymise(ids)


def erase_for_cases(case_ids: Sequence[int]) -> int:
    ids = list(Call.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    return anonymise(ids)


def older_than(cutoff: datetime) -> QuerySet[Call]:
    return (
        Call.objects.filter(started_at__lt=cutoff).exclude(caller="", caller_dui="").order_by("pk")
    )


def register() -> None:
    registry.register_holder(
        registry.Holder(
            code="calls", label=gettext_lazy("Calls to line 127"), find=find, cancel=cancel
        )
    )
    registry.register_case_eraser(erase_for_cases)
    registry.register_retention(
        registry.RetentionKind(
            code="callcentre.calls",
            label=gettext_lazy("Callers' numbers in the call log"),
            default_months=24,
            due=older_than,
            anonymise=anonymise,
        )
    )
