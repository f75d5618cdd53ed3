"""Studies: the list, the plan (new and changed), fieldwork started and closed, and a study's
page with its centres' progress against their targets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.surveys.actions import studies
from enlace.surveys.forms import StudyForm
from enlace.surveys.history import ACTION_LABELS, StudyAction
from enlace.surveys.models import (
    InvitationChannel,
    ResponseStatus,
    Study,
    StudyKind,
    StudyStatus,
    counted_responses_q,
)
from enlace.surveys.queries import (
    access_study_for_user,
    can_design,
    can_do_fieldwork,
    can_review,
    can_see_results,
    centre_scope,
    visible_studies,
)


@login_required
def study_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not (can_see_results(user) or can_do_fieldwork(user)):
        raise PermissionDenied(_("Your role does not take part in studies."))
    status = request.GET.get("status", "")
    queryset = visible_studies(user).select_related("version__instrument")
    if status in StudyStatus.values:
        queryset = queryset.filter(status=status)
    rows = queryset.annotate(
        counted=Count("responses", filter=counted_responses_q("responses__"), distinct=True),
        centre_count=Count("centres", distinct=True),
    ).order_by("-period_start", "-id")[:200]
    context = {
        "studies": rows,
        "status": status,
        "statuses": StudyStatus.choices,
        "can_design": can_design(user),
    }
    return render(request, "surveys/studies.html", context)


def _plan(form: StudyForm) -> studies.StudyPlan:
    data = form.cleaned_data
    return studies.StudyPlan(
        name=data["name"],
        kind=data["kind"],
        version=data["version"],
        method=data["method"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        centres=data["centres"],
        requested_by=data["requested_by"],
        request_note=data["request_note"],
        requires_review=data["requires_review"],
        visit_every_days=data["visit_every_days"],
    )


def _study_form_page(request: HttpRequest, study: Study | None) -> HttpResponse:
    user = current_user(request)
    if not can_design(user):
        raise PermissionDenied(_("Your role does not plan studies."))
    status = 200
    if request.method == "POST":
        form = StudyForm(request.POST)
        if form.is_valid():
            try:
                if study is None:
                    saved = studies.do_create_study(_plan(form), acting_user=user)
                else:
                    saved = studies.do_update_study(study, _plan(form), acting_user=user)
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Study saved."))
                return redirect("surveys:study", pk=saved.pk)
        status = 400
    else:
        initial: dict[str, Any] = {}
        if study is not None:
            initial = {
                "name": study.name,
                "kind": study.kind,
                "version": study.version_id,
                "method": study.method,
                "period_start": study.period_start,
                "period_end": study.period_end,
                "requested_by": study.requested_by.label if study.requested_by else "",
                "request_note": study.request_note,
                "requires_review": study.requires_review,
                "visit_every_days": study.visit_every_days,
                "centres": "\n".join(
                    f"{row.dependency.label} | {row.target}"
                    for row in study.centres.select_related("dependency")
                ),
            }
        form = StudyForm(initial=initial)
    return render(
        request,
        "surveys/study_form.html",
        {
            "form": form,
            "study": study,
            "dependency_options": Dependency.objects.active().order_by("name"),
        },
        status=status,
    )


@login_required
def study_new(request: HttpRequest) -> HttpResponse:
    return _study_form_page(request, None)


@login_required
def study_edit(request: HttpRequest, pk: int) -> HttpResponse:
    study = access_study_for_user(current_user(request), pk, for_change=True)
    return _study_form_page(request, study)


@login_required
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    study = access_study_for_user(user, pk)
    scope = centre_scope(user)
    centres = study.centres.select_related("dependency")
    if scope is not None:
        centres = centres.filter(dependency_id__in=scope)
    progress: dict[int, dict[str, int]] = {
        row[0]: {"counted": row[1], "in_progress": row[2], "to_review": row[3]}
        for row in study.responses.values("dependency_id")
        .annotate(
            counted=Count("id", filter=counted_responses_q()),
            in_progress=Count("id", filter=Q(status=ResponseStatus.IN_PROGRESS)),
            to_review=Count(
                "id", filter=Q(status=ResponseStatus.SUBMITTED, review_state="received")
            ),
        )
        .values_list("dependency_id", "counted", "in_progress", "to_review")
    }
    rows = []
    for centre in centres.order_by("dependency__name"):
        figures = progress.get(centre.dependency_id, {})
        counted = figures.get("counted", 0)
        rows.append(
            {
                "centre": centre,
                "counted": counted,
                "in_progress": figures.get("in_progress", 0),
                "to_review": figures.get("to_review", 0),
                "rate": round(100 * counted / centre.target) if centre.target else None,
            }
        )
    visits = None
    if study.kind == StudyKind.MONITORING:
        visits = (
            study.responses.filter(dependency_id__in=[c.dependency_id for c in centres])
            .select_related("dependency", "interviewer")
            .order_by("-planned_on", "-id")[:100]
        )
    # Invitations by channel (a study "after a case"): one row each, counted in SQL.
    invitations = (
        study.invitations.filter(dependency_id__in=[c.dependency_id for c in centres])
        .values("channel")
        .annotate(
            invited=Count("id"),
            reminded=Count("id", filter=Q(reminded_at__isnull=False)),
            answered=Count("id", filter=Q(responded_at__isnull=False)),
        )
        .order_by("channel")
    )
    channel_labels = dict(InvitationChannel.choices)
    context = {
        "study": study,
        "rows": rows,
        "visits": visits,
        "invitations": [
            {**row, "label": channel_labels.get(row["channel"], row["channel"])}
            for row in invitations
        ],
        # The study's own history; each invitation and reminder is counted above instead.
        "events": [
            (event, ACTION_LABELS.get(event.action, event.action))
            for event in study.events.filter(response__isnull=True)
            .exclude(action__in=(StudyAction.INVITED, StudyAction.REMINDED))
            .select_related("actor")[:50]
        ],
        "can_design": can_design(user),
        "can_review": can_review(user),
        "can_interview": can_do_fieldwork(user) and study.in_fieldwork,
        "can_see_results": can_see_results(user),
    }
    return render(request, "surveys/study.html", context)


@login_required
@require_POST
def study_step(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    study = access_study_for_user(user, pk, for_change=True)
    try:
        match request.POST.get("do"):
            case "start":
                studies.do_start_fieldwork(study, acting_user=user)
                messages.success(request, _("Fieldwork started: the study takes responses."))
            case "close":
                studies.do_close_study(study, acting_user=user)
                messages.success(request, _("Study closed."))
            case _:
                messages.error(request, _("Unknown step."))
    except BusinessError as error:
        messages.error(request, str(error))
    return redirect("surveys:study", pk=study.pk)
