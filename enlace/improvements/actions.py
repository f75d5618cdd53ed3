"""Writes to improvement opportunities: each in one transaction, with its history row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.models import Case
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.improvements.models import (
    OPEN_IMPROVEMENT_STATUSES,
    ImprovementEvent,
    ImprovementOpportunity,
    ImprovementStatus,
)


@dataclass(frozen=True)
class Plan:
    title: str
    dependency: Dependency
    description: str = ""
    source: str = "opinions"
    owner: User | None = None
    action_plan: str = ""
    due_on: date | None = None


def _check(plan: Plan) -> None:
    if not plan.title.strip():
        raise BusinessError(_("Give the opportunity a title."), field="title")
    if plan.due_on is not None and plan.due_on < timezone.localdate():
        raise BusinessError(_("The due date has already passed."), field="due_on")


def do_create_improvement(
    plan: Plan, *, cases: Iterable[Case] = (), acting_user: User
) -> ImprovementOpportunity:
    _check(plan)
    with transaction.atomic():
        opportunity = ImprovementOpportunity.objects.create(
            title=plan.title.strip(),
            description=plan.description.strip(),
            source=plan.source,
            dependency=plan.dependency,
            owner=plan.owner,
            action_plan=plan.action_plan.strip(),
            due_on=plan.due_on,
            created_by=acting_user,
        )
        linked = list(cases)
        opportunity.cases.set(linked)
        ImprovementEvent.objects.create(
            opportunity=opportunity,
            actor=acting_user,
            at=timezone.now(),
            to_status=ImprovementStatus.OPEN,
            changes={"cases": {"from": "", "to": ", ".join(c.display_code for c in linked)}}
            if linked
            else {},
        )
    return opportunity


def do_update_improvement(
    opportunity: ImprovementOpportunity,
    *,
    status: str,
    action_plan: str,
    owner: User | None,
    due_on: date | None,
    note: str = "",
    acting_user: User,
) -> ImprovementOpportunity:
    """Record progress: the plan, its owner, its due date, its status."""
    with transaction.atomic():
        opportunity = ImprovementOpportunity.objects.select_for_update().get(pk=opportunity.pk)
        if opportunity.status not in OPEN_IMPROVEMENT_STATUSES and status != opportunity.status:
            raise BusinessError(_("A finished opportunity cannot change its status."))
        changes: dict[str, dict[str, str]] = {}
        new: dict[str, Any] = {
            "action_plan": action_plan.strip(),
            "owner": owner,
            "due_on": due_on,
        }
        for name, value in new.items():
            old = getattr(opportunity, name)
            if old != value:
                changes[name] = {"from": _text(old), "to": _text(value)}
                setattr(opportunity, name, value)
        old_status = opportunity.status
        if status != old_status:
            opportunity.status = status
            opportunity.closed_at = None if status in OPEN_IMPROVEMENT_STATUSES else timezone.now()
        if not changes and status == old_status and not note.strip():
            raise BusinessError(_("Nothing changed."))
        opportunity.save()
        ImprovementEvent.objects.create(
            opportunity=opportunity,
            actor=acting_user,
            at=timezone.now(),
            from_status=old_status,
            to_status=opportunity.status,
            changes=changes,
            note=note.strip(),
        )
    return opportunity


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, User):
        return value.get_full_name() or value.username
    return str(value)
