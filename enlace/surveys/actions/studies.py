"""Studies: planned as a draft, in fieldwork while responses come in, then closed."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.surveys.history import StudyAction, study_history
from enlace.surveys.models import (
    InstrumentVersion,
    Response,
    ResponseMode,
    Study,
    StudyCentre,
    StudyEvent,
    StudyKind,
    StudyMethod,
    StudyStatus,
    VersionStatus,
)


@dataclass(frozen=True)
class StudyPlan:
    name: str
    kind: str
    version: InstrumentVersion
    method: str
    period_start: date
    period_end: date
    # (centre, sample target)
    centres: Sequence[tuple[Dependency, int]]
    requested_by: Dependency | None = None
    request_note: str = ""
    requires_review: bool = False
    visit_every_days: int | None = None


def _check(plan: StudyPlan) -> None:
    if not plan.name.strip():
        raise BusinessError(_("Give the study a name."), field="name")
    if plan.kind not in StudyKind.values:
        raise BusinessError(_("Choose the kind of study."), field="kind")
    if plan.method not in StudyMethod.values:
        raise BusinessError(_("Choose the method."), field="method")
    if plan.version.status != VersionStatus.PUBLISHED:
        raise BusinessError(
            _("A study uses a published version of an instrument."), field="version"
        )
    for day in (plan.period_start, plan.period_end):
        if not dates.in_range(day):
            raise BusinessError(dates.OUT_OF_RANGE, field="period_start")
    if plan.period_end < plan.period_start:
        raise BusinessError(_("The period ends before it starts."), field="period_end")
    if not plan.centres:
        raise BusinessError(_("Choose at least one centre."), field="centres")
    ids = [centre.pk for centre, _target in plan.centres]
    if len(set(ids)) != len(ids):
        raise BusinessError(_("A centre is listed twice."), field="centres")
    if any(target < 0 for _centre, target in plan.centres):
        raise BusinessError(_("A sample target cannot be negative."), field="centres")
    if plan.kind == StudyKind.MONITORING and not plan.visit_every_days:
        raise BusinessError(
            _("Say how often each centre is visited (days)."), field="visit_every_days"
        )


def _event(study: Study, action: str, user: User | None, note: str = "") -> None:
    study_history.add(
        StudyEvent(study=study, actor=user, at=timezone.now(), action=action, note=note[:500])
    )


def _centres(study: Study, centres: Sequence[tuple[Dependency, int]]) -> None:
    keep = {centre.pk: target for centre, target in centres}
    study.centres.exclude(dependency_id__in=keep).delete()
    existing = {row.dependency_id: row for row in study.centres.all()}
    for dependency_id, target in keep.items():
        row = existing.get(dependency_id)
        if row is None:
            StudyCentre.objects.create(
                study=study,
                dependency_id=dependency_id,
                target=target,
                qr_token=secrets.token_urlsafe(12),
            )
        elif row.target != target:
            row.target = target
            row.save(update_fields=["target"])


def do_create_study(plan: StudyPlan, *, acting_user: User, continuous: bool = False) -> Study:
    _check(plan)
    with transaction.atomic():
        study = Study.objects.create(
            name=plan.name.strip(),
            kind=plan.kind,
            version=plan.version,
            method=plan.method,
            period_start=plan.period_start,
            period_end=plan.period_end,
            requested_by=plan.requested_by,
            request_note=plan.request_note.strip(),
            requires_review=plan.requires_review,
            visit_every_days=plan.visit_every_days,
            continuous=continuous,
            created_by=acting_user,
        )
        _centres(study, plan.centres)
        _event(study, StudyAction.CREATED, acting_user)
    return study


def do_update_study(study: Study, plan: StudyPlan, *, acting_user: User) -> Study:
    """Change a study's plan. Its instrument and method are fixed once fieldwork starts; the
    centres, targets and end of the period may still change."""
    _check(plan)
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        if locked.status == StudyStatus.CLOSED:
            raise BusinessError(_("A closed study cannot change."))
        if locked.status == StudyStatus.FIELDWORK and (
            plan.version.pk != locked.version_id
            or plan.method != locked.method
            or plan.kind != locked.kind
        ):
            raise BusinessError(
                _("The instrument, kind and method cannot change once fieldwork has started.")
            )
        if locked.status == StudyStatus.FIELDWORK:
            answered = set(locked.responses.values_list("dependency_id", flat=True).distinct())
            dropped = answered - {centre.pk for centre, _target in plan.centres}
            if dropped:
                raise BusinessError(
                    _("A centre with responses cannot leave the study."), field="centres"
                )
        for name in (
            "name",
            "kind",
            "version",
            "method",
            "period_start",
            "period_end",
            "requested_by",
            "request_note",
            "requires_review",
            "visit_every_days",
        ):
            setattr(locked, name, getattr(plan, name))
        locked.name = plan.name.strip()
        locked.save()
        _centres(locked, plan.centres)
        _event(locked, StudyAction.CHANGED, acting_user)
    return locked


def do_start_fieldwork(study: Study, *, acting_user: User) -> Study:
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        if locked.status != StudyStatus.DRAFT:
            raise BusinessError(_("Only a draft study starts its fieldwork."))
        locked.status = StudyStatus.FIELDWORK
        locked.opened_at = timezone.now()
        locked.save(update_fields=["status", "opened_at"])
        if locked.kind == StudyKind.MONITORING:
            # The first visit to each centre, planned for the first day of the period.
            today = timezone.localdate()
            Response.objects.bulk_create(
                Response(
                    study=locked,
                    version_id=locked.version_id,
                    dependency_id=row.dependency_id,
                    mode=ResponseMode.VISIT,
                    planned_on=max(locked.period_start, today),
                    started_at=timezone.now(),
                    day=max(locked.period_start, today),
                )
                for row in locked.centres.all()
            )
        _event(locked, StudyAction.FIELDWORK, acting_user)
    return locked


def do_close_study(study: Study, *, acting_user: User | None) -> Study:
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        if locked.status != StudyStatus.FIELDWORK:
            raise BusinessError(_("Only a study in fieldwork can be closed."))
        if locked.continuous:
            raise BusinessError(_("A continuous study does not close."))
        locked.status = StudyStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        _event(locked, StudyAction.CLOSED, acting_user)
    return locked
