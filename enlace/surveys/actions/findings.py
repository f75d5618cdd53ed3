"""What a visit found: an improvement opportunity of the centre, with owner and due date,
which the centre's next visit checks."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.improvements import actions as improvements
from enlace.improvements.models import ImprovementSource, ImprovementStatus
from enlace.surveys.history import StudyAction, study_history
from enlace.surveys.models import (
    Finding,
    Question,
    Response,
    ResponseMode,
    StudyEvent,
    StudyKind,
)

SOURCE_OF_KIND = {
    StudyKind.MONITORING: ImprovementSource.MONITORING_VISIT,
    StudyKind.MYSTERY_SHOPPER: ImprovementSource.MYSTERY_SHOPPER,
    StudyKind.SATISFACTION: ImprovementSource.SATISFACTION_STUDY,
}


def do_record_finding(
    response: Response,
    *,
    title: str,
    description: str = "",
    question: Question | None = None,
    owner: User | None = None,
    due_on: date | None = None,
    acting_user: User,
) -> Finding:
    if question is not None and question.version_id != response.version_id:
        raise BusinessError(_("That question is not part of this questionnaire."))
    with transaction.atomic():
        opportunity = improvements.do_create_improvement(
            improvements.Plan(
                title=title,
                dependency=response.dependency,
                description=description,
                source=SOURCE_OF_KIND[StudyKind(response.study.kind)],
                owner=owner,
                due_on=due_on,
            ),
            acting_user=acting_user,
        )
        finding = Finding.objects.create(
            response=response, question=question, improvement=opportunity
        )
        study_history.add(
            StudyEvent(
                study_id=response.study_id,
                response=response,
                actor=acting_user,
                at=timezone.now(),
                action=StudyAction.FINDING,
                note=title[:500],
            )
        )
    return finding


def findings_to_check(visit: Response) -> list[Finding]:
    """The earlier visits' findings at the same centre that no visit has checked yet."""
    return list(
        Finding.objects.filter(
            response__study_id=visit.study_id,
            response__dependency_id=visit.dependency_id,
            checked_by__isnull=True,
        )
        .exclude(response=visit)
        .select_related("improvement", "question", "response")
        .order_by("improvement__due_on", "pk")
    )


def do_check_finding(
    finding: Finding, visit: Response, *, solved: bool, note: str = "", acting_user: User
) -> Finding:
    """The next visit says whether the problem is solved; a solved one closes its opportunity."""
    if visit.mode != ResponseMode.VISIT or visit.dependency_id != finding.response.dependency_id:
        raise BusinessError(_("Only a later visit to the same centre checks a finding."))
    with transaction.atomic():
        locked = (
            Finding.objects.select_for_update().select_related("improvement").get(pk=finding.pk)
        )
        if locked.checked_by_id is not None:
            raise BusinessError(_("This finding has already been checked."))
        locked.checked_by = visit
        locked.solved = solved
        locked.save(update_fields=["checked_by", "solved"])
        opportunity = locked.improvement
        if opportunity.is_open:
            improvements.do_update_improvement(
                opportunity,
                status=ImprovementStatus.DONE if solved else opportunity.status,
                action_plan=opportunity.action_plan,
                owner=opportunity.owner,
                due_on=opportunity.due_on,
                note=note
                or (
                    _("Checked on a visit: solved.")
                    if solved
                    else _("Checked on a visit: not solved yet.")
                ),
                acting_user=acting_user,
            )
        study_history.add(
            StudyEvent(
                study_id=visit.study_id,
                response=visit,
                actor=acting_user,
                at=timezone.now(),
                action=StudyAction.FINDING_CHECKED,
                note=f"{opportunity.title}: {'solved' if solved else 'open'}"[:500],
            )
        )
    return locked
