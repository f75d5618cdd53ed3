"""Reads of instruments, studies and responses, scoped by role in one place.

- Designers (resolution staff, administrators) see and change everything.
- Results are figures: whoever sees reports sees them, a liaison only their centre's.
- Fieldwork: the call centre interviews for studies by phone; a Punto Seguro agent interviews
  and visits only at their own centre; resolution staff anywhere.
- Free-text comments may name people: shown to those who see reports and personal data.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.accounts.models import Role, User
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.surveys.models import (
    Instrument,
    InstrumentVersion,
    Response,
    Study,
    StudyMethod,
    StudyStatus,
)


def can_design(user: User) -> bool:
    return has_capability(user, Capability.DESIGN_STUDIES)


def can_see_results(user: User) -> bool:
    return has_capability(user, Capability.VIEW_REPORTS) or can_design(user)


def can_read_comments(user: User) -> bool:
    return can_see_results(user) and has_capability(user, Capability.SEE_PERSONAL_DATA)


def can_review(user: User) -> bool:
    return has_capability(user, Capability.REVIEW_RESPONSES)


def can_do_fieldwork(user: User) -> bool:
    return has_capability(user, Capability.FIELDWORK)


def can_see_studies(user: User) -> bool:
    return can_see_results(user) or can_do_fieldwork(user)


def visible_instruments(user: User) -> QuerySet[Instrument]:
    return Instrument.objects.all() if can_design(user) else Instrument.objects.none()


def access_instrument_for_user(user: User, pk: int) -> Instrument:
    if not can_design(user):
        raise PermissionDenied(_("Your role does not design study instruments."))
    try:
        return Instrument.objects.get(pk=pk)
    except Instrument.DoesNotExist:
        raise Http404(_("No such instrument.")) from None


def access_version_for_user(user: User, pk: int) -> InstrumentVersion:
    if not can_design(user):
        raise PermissionDenied(_("Your role does not design study instruments."))
    try:
        return InstrumentVersion.objects.select_related("instrument").get(pk=pk)
    except InstrumentVersion.DoesNotExist:
        raise Http404(_("No such instrument version.")) from None


def centre_scope(user: User) -> list[int] | None:
    """The centres whose studies' results and fieldwork `user` may reach: None for all."""
    if user.is_superuser:
        return None
    if user.role == Role.PUNTO_SEGURO:
        return [user.dependency_id] if user.dependency_id else []
    return report_scope(user)


def visible_studies(user: User) -> QuerySet[Study]:
    if not can_see_studies(user):
        return Study.objects.none()
    studies = Study.objects.all()
    if not (can_see_results(user) or can_design(user)):
        # Interviewers see the studies in fieldwork that they can work on.
        studies = studies.filter(status=StudyStatus.FIELDWORK)
        if user.role in (Role.AGENT, Role.CALL_SUPERVISOR) and not user.is_superuser:
            studies = studies.filter(method=StudyMethod.PHONE)
    scope = centre_scope(user)
    if scope is not None:
        studies = studies.filter(centres__dependency_id__in=scope).distinct()
    return studies


def access_study_for_user(user: User, pk: int, *, for_change: bool = False) -> Study:
    try:
        study = (
            visible_studies(user).select_related("version__instrument", "requested_by").get(pk=pk)
        )
    except Study.DoesNotExist:
        raise Http404(_("No such study.")) from None
    if for_change and not can_design(user):
        raise PermissionDenied(_("Your role does not plan studies."))
    return study


def visible_responses(user: User, study: Study) -> QuerySet[Response]:
    responses = Response.objects.filter(study=study)
    scope = centre_scope(user)
    if scope is not None:
        responses = responses.filter(dependency_id__in=scope)
    if not (can_review(user) or can_design(user)):
        # An interviewer sees their own work.
        responses = responses.filter(interviewer=user)
    return responses


def access_response_for_user(user: User, pk: int) -> Response:
    try:
        response = Response.objects.select_related(
            "study__version__instrument", "dependency", "interviewer"
        ).get(pk=pk)
    except Response.DoesNotExist:
        raise Http404(_("No such response.")) from None
    visible = visible_studies(user).filter(pk=response.study_id).exists()
    if not visible or not visible_responses(user, response.study).filter(pk=pk).exists():
        raise Http404(_("No such response."))
    return response
