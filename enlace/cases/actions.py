"""Every write to a case is one of these actions.

An action runs in one transaction, locks the case row it changes, checks the lifecycle and the
business rules, writes the case and its event row together, and returns. Views, commands, the
API and tasks call these; none of them saves a case itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.lifecycle import CaseKind, CaseStatus, check_transition
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.rules import new_tracking_code, search_text
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency


@dataclass(frozen=True)
class Citizen:
    """The person, already validated and normalised (see enlace/cases/rules.py)."""

    name: str = ""
    dui: str = ""
    affiliation: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class NewCase:
    kind: str
    channel: Channel
    description: str = ""
    opinion_type: OpinionType | None = None
    dependency: Dependency | None = None
    limitante: Limitante | None = None
    topic: InquiryTopic | None = None
    citizen: Citizen = Citizen()
    # For an inquiry: answered during the contact, so it closes at once with this answer.
    answered_at_first_contact: bool = False
    answer: str = ""
    received_at: datetime | None = None
    intake_token: uuid.UUID | None = None


def _event(case: Case, kind: str, actor: User | None, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, at=timezone.now(), **fields)


def _check_new_case(data: NewCase) -> None:
    if data.kind not in CaseKind.values:
        raise BusinessError(_("Unknown kind of case."), field="kind")
    if data.kind == CaseKind.OPINION:
        if data.opinion_type is None:
            raise BusinessError(_("An opinion needs its type."), field="opinion_type")
        if data.dependency is None:
            raise BusinessError(_("An opinion needs the centre it is about."), field="dependency")
        if not data.description.strip():
            raise BusinessError(_("Describe the opinion."), field="description")
    else:
        if data.opinion_type is not None:
            raise BusinessError(_("An inquiry has no opinion type."), field="opinion_type")
        if data.topic is None:
            raise BusinessError(_("An inquiry needs its topic."), field="topic")
        if data.answered_at_first_contact and not data.answer.strip():
            raise BusinessError(_("Write the answer given to the caller."), field="answer")
    if data.dependency is not None and not data.dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")


def do_register_case(data: NewCase, *, acting_user: User | None) -> tuple[Case, bool]:
    """Register an opinion or an inquiry. Returns (case, created).

    With an `intake_token` the registration is idempotent: a second call with the same token
    returns the case the first one made, and `created` is False."""
    if data.intake_token is not None:
        existing = Case.objects.filter(intake_token=data.intake_token).first()
        if existing is not None:
            return existing, False
    _check_new_case(data)
    now = timezone.now()
    closes_now = data.kind == CaseKind.INQUIRY and data.answered_at_first_contact
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    kind=data.kind,
                    tracking_code=new_tracking_code(),
                    status=CaseStatus.CLOSED if closes_now else CaseStatus.RECEIVED,
                    channel=data.channel,
                    opinion_type=data.opinion_type,
                    dependency=data.dependency,
                    level_of_care=data.dependency.level_of_care if data.dependency else "",
                    limitante=data.limitante,
                    topic=data.topic,
                    citizen_name=data.citizen.name.strip(),
                    citizen_dui=data.citizen.dui,
                    citizen_affiliation=data.citizen.affiliation,
                    citizen_phone=data.citizen.phone,
                    citizen_email=data.citizen.email,
                    description=data.description.strip(),
                    answer=data.answer.strip() if closes_now else "",
                    resolved_at_first_contact=closes_now,
                    search_text=search_text(data.citizen.name, data.description),
                    received_at=data.received_at or now,
                    closed_at=now if closes_now else None,
                    created_by=acting_user,
                    intake_token=data.intake_token,
                )
                _event(case, EventKind.REGISTERED, acting_user, to_status=CaseStatus.RECEIVED)
                if closes_now:
                    _event(
                        case,
                        EventKind.CLOSED,
                        acting_user,
                        from_status=CaseStatus.RECEIVED,
                        to_status=CaseStatus.CLOSED,
                        note=case.answer,
                    )
            return case, True
        except IntegrityError:
            # Either the same form arrived twice at once (the token is taken: return that
            # case) or, once in trillions, the random tracking code was taken: draw again.
            if data.intake_token is not None:
                existing = Case.objects.filter(intake_token=data.intake_token).first()
                if existing is not None:
                    return existing, False
    raise BusinessError(_("The case could not be registered; try again."))


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock, so two people acting at once serialise."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _label(value: object) -> str:
    return str(value) if value is not None else ""


def do_add_comment(case: Case, body: str, *, acting_user: User) -> CaseEvent:
    if not body.strip():
        raise BusinessError(_("The comment is empty."), field="body")
    with transaction.atomic():
        case = _locked(case)
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        return _event(case, EventKind.COMMENTED, acting_user, note=body.strip())


def do_reclassify_case(
    case: Case,
    *,
    opinion_type: OpinionType | None,
    limitante: Limitante | None,
    topic: InquiryTopic | None,
    acting_user: User,
    note: str = "",
) -> Case:
    with transaction.atomic():
        case = _locked(case)
        if case.kind == CaseKind.OPINION and opinion_type is None:
            raise BusinessError(_("An opinion needs its type."), field="opinion_type")
        if case.kind == CaseKind.INQUIRY and opinion_type is not None:
            raise BusinessError(_("An inquiry has no opinion type."), field="opinion_type")
        changes: dict[str, dict[str, str]] = {}
        for name, new in (
            ("opinion_type", opinion_type),
            ("limitante", limitante),
            ("topic", topic),
        ):
            old = getattr(case, name)
            if old != new:
                changes[name] = {"from": _label(old), "to": _label(new)}
                setattr(case, name, new)
        if not changes:
            raise BusinessError(_("Nothing changed."))
        case.save(update_fields=[*changes, "updated_at"])
        _event(case, EventKind.RECLASSIFIED, acting_user, changes=changes, note=note.strip())
    return case


def do_assign_case(
    case: Case, dependency: Dependency, *, acting_user: User, reason: str = ""
) -> Case:
    """Route the case to the centre that must answer it (or transfer it to another one)."""
    if not dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")
    with transaction.atomic():
        case = _locked(case)
        if case.dependency_id == dependency.pk and case.status == CaseStatus.ASSIGNED:
            raise BusinessError(_("The case is already assigned to that centre."))
        check_transition(case.status, CaseStatus.ASSIGNED)
        old_dependency, old_status = case.dependency, case.status
        case.dependency = dependency
        case.level_of_care = dependency.level_of_care
        case.status = CaseStatus.ASSIGNED
        case.save(update_fields=["dependency", "level_of_care", "status", "updated_at"])
        _event(
            case,
            EventKind.ASSIGNED,
            acting_user,
            from_status=old_status,
            to_status=CaseStatus.ASSIGNED,
            changes={
                "dependency": {
                    "from": _label(old_dependency) if old_dependency != dependency else "",
                    "to": str(dependency),
                }
            },
            note=reason.strip(),
        )
    return case


def do_close_case(case: Case, answer: str, *, acting_user: User) -> Case:
    """Close the case with the answer given to the citizen."""
    if not answer.strip():
        raise BusinessError(_("Write the answer given to the citizen."), field="answer")
    with transaction.atomic():
        case = _locked(case)
        check_transition(case.status, CaseStatus.CLOSED)
        old_status = case.status
        case.status = CaseStatus.CLOSED
        case.answer = answer.strip()
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "answer", "closed_at", "updated_at"])
        _event(
            case,
            EventKind.CLOSED,
            acting_user,
            from_status=old_status,
            to_status=CaseStatus.CLOSED,
            note=case.answer,
        )
    return case
