"""What the cases tell data protection (enlace/privacy/registry.py, registered in
`CasesConfig.ready()`): how to find a person's cases, correct their identity on them, erase
it, and which closed cases have been kept long enough.

Erasing keeps everything the reports count (kind, type, channel, centre, level of care,
limitante, topic, dates, statuses, deadlines) and removes who the person was and what they
wrote: the citizen's fields, the description and the answers, the notes of the history, and,
through the erasers other apps register, the messages, files and ratings of those cases. The
history is otherwise append-only; an erasure is the one change the law asks of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.cases import files, history
from enlace.cases.lifecycle import FINAL_STATUSES
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.rules import format_phone, search_text
from enlace.privacy import registry
from enlace.privacy.registry import Found, Identifiers

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "dui": gettext_lazy("DUI"),
    "affiliation": gettext_lazy("Affiliation number"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "description": gettext_lazy("What they wrote"),
    "answer": gettext_lazy("Answer"),
}
CITIZEN_COLUMNS = {
    "name": "citizen_name",
    "dui": "citizen_dui",
    "affiliation": "citizen_affiliation",
    "phone": "citizen_phone",
    "email": "citizen_email",
}


def _of_person(identifiers: Identifiers) -> Q:
    condition = Q(pk__in=[])
    if identifiers.dui:
        condition |= Q(citizen_dui=identifiers.dui)
    if identifiers.phone:
        condition |= Q(citizen_phone=identifiers.phone)
    if identifiers.email:
        condition |= Q(citizen_email__iexact=identifiers.email)
    return condition


def find(identifiers: Identifiers) -> list[Found]:
    cases = (
        Case.objects.filter(_of_person(identifiers), anonymised_at__isnull=True)
        .select_related("opinion_type", "topic", "dependency")
        .order_by("-received_at", "-id")
    )
    found = []
    for case in cases:
        data = {
            str(FIELD_LABELS["name"]): case.citizen_name,
            str(FIELD_LABELS["dui"]): case.citizen_dui,
            str(FIELD_LABELS["affiliation"]): case.citizen_affiliation,
            str(FIELD_LABELS["phone"]): format_phone(case.citizen_phone),
            str(FIELD_LABELS["email"]): case.citizen_email,
            str(FIELD_LABELS["description"]): case.description,
            str(FIELD_LABELS["answer"]): case.answer,
        }
        found.append(
            Found(
                holder="cases",
                object_id=case.pk,
                reference=f"{case.display_code} · {case.subject}",
                when=case.received_at,
                data={label: value for label, value in data.items() if value},
                logged_as="case",
            )
        )
    return found


def rectify(ids: Sequence[int], values: dict[str, str], actor: Any) -> int:
    """The person's corrected identity on these cases, each change a history row."""
    changed = 0
    for case in Case.objects.select_for_update().filter(pk__in=ids, anonymised_at__isnull=True):
        changes = {}
        for name, value in values.items():
            column = CITIZEN_COLUMNS.get(name)
            if column is not None and getattr(case, column) != value:
                changes[column] = {"from": getattr(case, column), "to": value}
                setattr(case, column, value)
        if not changes:
            continue
        case.search_text = search_text(case.citizen_name, case.description)
        case.save(update_fields=[*changes, "search_text", "updated_at"])
        history.record(
            case,
            EventKind.RECLASSIFIED,
            actor,
            note=_("Personal data rectified at the person's request."),
            changes=changes,
        )
        changed += 1
    return changed


def anonymise(ids: Sequence[int]) -> int:
    """Erase who the person was from these cases (see the module's text); how many."""
    with transaction.atomic():
        erased = Case.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            citizen_name="",
            citizen_dui="",
            citizen_affiliation="",
            citizen_phone="",
            citizen_email="",
            description="",
            proposed_answer="",
            proposed_action="",
            answer="",
            search_text="",
            anonymised_at=timezone.now(),
        )
        # The notes hold what people wrote and were told (an erasure is the one change
        # history rows take, and it goes around `save()`, which refuses changes).
        CaseEvent.objects.filter(case_id__in=ids).exclude(note="").update(note="")
        registry.erase_for_cases(ids)
    return erased


def cancel(ids: Sequence[int], actor: Any) -> int:
    return anonymise(ids)


def closed_before(cutoff: datetime) -> QuerySet[Case]:
    """Cases closed (or merged, voided: no closing date, their last change) before `cutoff`
    that still hold personal data."""
    return Case.objects.filter(
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff),
        status__in=FINAL_STATUSES,
        anonymised_at__isnull=True,
    ).order_by("pk")


def register() -> None:
    registry.register_case_eraser(files.erase_for_cases)  # the staff's files on answers
    registry.register_holder(
        registry.Holder(
            code="cases",
            label=gettext_lazy("Opinions and inquiries"),
            find=find,
            rectify=rectify,
            cancel=cancel,
        )
    )
    registry.register_retention(
        registry.RetentionKind(
            code="cases.closed",
            label=gettext_lazy("Closed opinions and inquiries"),
            default_months=60,
            due=closed_before,
            anonymise=anonymise,
        )
    )
