"""Fieldwork: an interviewer's (or a visitor's) form that saves each answer as it is given,
its submission, a response's page with its review and, for visits, its findings and the
earlier findings the visit checks; the review queue of a study."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.surveys.actions import findings, responses
from enlace.surveys.forms import FindingForm, ReviewForm, uploads_of
from enlace.surveys.models import (
    Finding,
    Question,
    Response,
    ResponseMode,
    ResponseStatus,
    ReviewState,
    StudyKind,
)
from enlace.surveys.queries import (
    access_response_for_user,
    access_study_for_user,
    can_design,
    can_do_fieldwork,
    can_review,
    centre_scope,
    visible_responses,
)
from enlace.surveys.views.questionnaire import answer_text, questionnaire_items


def _may_fill(request: HttpRequest, response: Response) -> None:
    user = current_user(request)
    if not (can_do_fieldwork(user) or can_design(user)):
        raise PermissionDenied(_("Your role does not interview for studies."))
    if response.interviewer_id not in (None, user.pk) and not can_design(user):
        raise PermissionDenied(_("Another person is filling in this response."))


@login_required
@require_POST
def interview_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Begin an interview (or a visit) at one of the study's centres."""
    user = current_user(request)
    study = access_study_for_user(user, pk)
    if not (can_do_fieldwork(user) or can_design(user)):
        raise PermissionDenied(_("Your role does not interview for studies."))
    dependency = Dependency.objects.filter(pk=request.POST.get("centre") or 0).first()
    scope = centre_scope(user)
    if dependency is None or (scope is not None and dependency.pk not in scope):
        messages.error(request, _("Choose one of the study's centres."))
        return redirect("surveys:study", pk=study.pk)
    mode = ResponseMode.INTERVIEW
    if study.kind in (StudyKind.MONITORING, StudyKind.MYSTERY_SHOPPER):
        mode = ResponseMode.VISIT
    try:
        response = responses.do_start_response(study, dependency, mode=mode, interviewer=user)
    except BusinessError as error:
        messages.error(request, str(error))
        return redirect("surveys:study", pk=study.pk)
    return redirect("surveys:response", pk=response.pk)


def _form_context(
    request: HttpRequest,
    response: Response,
    errors: dict[str, str] | None = None,
    raw: dict[str, list[str]] | None = None,
) -> dict[str, object]:
    user = current_user(request)
    values = responses.stored_values(response)
    editable = response.status == ResponseStatus.IN_PROGRESS and response.interviewer_id in (
        None,
        user.pk,
    )
    context: dict[str, object] = {
        "response": response,
        "study": response.study,
        "sections": questionnaire_items(response.version_id, values, errors, raw=raw),
        "editable": editable and (can_do_fieldwork(user) or can_design(user)),
        "save_url": reverse("surveys:response", kwargs={"pk": response.pk}) + "respuesta/"
        if editable
        else "",
        "can_review": can_review(user) and response.is_submitted,
        "review_form": ReviewForm(initial={"state": response.review_state}),
        "events": response.events.select_related("actor"),
    }
    if response.mode == ResponseMode.VISIT:
        context["findings"] = response.findings.select_related("improvement", "question")
        context["to_check"] = findings.findings_to_check(response) if editable else []
        context["finding_form"] = FindingForm(version=response.version)
    if response.is_submitted:
        by_question = {
            q.pk: q
            for q in Question.objects.filter(version_id=response.version_id)
            .prefetch_related("options")
            .order_by("section__position", "position")
        }
        context["answers"] = [
            (question, answer_text(question, values.get(question.pk, [])))
            for question in by_question.values()
        ]
        context["photos"] = response.answers.exclude(photo="").select_related("question")
    return context


@login_required
def response_page(request: HttpRequest, pk: int) -> HttpResponse:
    response = access_response_for_user(current_user(request), pk)
    return render(request, "surveys/response.html", _form_context(request, response))


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Autosave of one answer (htmx): the question's status line, saved or its error."""
    user = current_user(request)
    response = access_response_for_user(user, pk)
    _may_fill(request, response)
    question = get_object_or_404(Question.objects.prefetch_related("options"), pk=question_pk)
    try:
        responses.do_save_answer(
            response,
            question,
            request.POST.getlist(question.code),
            upload=request.FILES.get(question.code),
            acting_user=user,
        )
    except BusinessError as error:
        return HttpResponse(
            format_html('<span class="error" id="error-{}">{}</span>', question.code, str(error))
        )
    saved_at = formats.time_format(timezone.localtime(), "H:i")
    return HttpResponse(
        format_html('<span class="saved">{}</span>', _("Saved at %(time)s") % {"time": saved_at})
    )


@login_required
@require_POST
def response_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit: every answer in the form saved (the page works without its script), then the
    response checked whole."""
    user = current_user(request)
    response = access_response_for_user(user, pk)
    _may_fill(request, response)
    questionnaire = responses.Questionnaire.published(response.version_id)
    raw = {code: request.POST.getlist(code) for code in questionnaire.by_code}
    errors: dict[str, str] = {}
    try:
        errors = responses.do_save_answers(
            response,
            raw,
            uploads=uploads_of(request),
            acting_user=user,
        )
        if not errors:
            responses.do_finish_response(response, acting_user=user)
    except responses.InvalidAnswers as invalid:
        errors.update(invalid.by_field())
    except BusinessError as error:
        messages.error(request, str(error))
        return redirect("surveys:response", pk=response.pk)
    if errors:
        response.refresh_from_db()
        context = _form_context(request, response, errors, raw)
        messages.error(request, _("Some answers need attention."))
        return render(request, "surveys/response.html", context, status=400)
    messages.success(request, _("Response submitted."))
    return redirect("surveys:study", pk=response.study_id)


@login_required
@require_POST
def response_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    response = access_response_for_user(user, pk)
    if not can_review(user):
        raise PermissionDenied(_("Your role does not review responses."))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accepted, has issues or rejected."))
        return redirect("surveys:response", pk=response.pk)
    try:
        responses.do_review_response(
            response,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            acting_user=user,
        )
    except BusinessError as error:
        messages.error(request, str(error))
        return redirect("surveys:response", pk=response.pk)
    messages.success(request, _("Review recorded."))
    following = (
        visible_responses(user, response.study)
        .filter(status=ResponseStatus.SUBMITTED, review_state=ReviewState.RECEIVED)
        .order_by("submitted_at", "id")
        .first()
    )
    if following is not None and request.POST.get("next") == "1":
        return redirect("surveys:response", pk=following.pk)
    return redirect("surveys:review", pk=response.study_id)


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    response = access_response_for_user(user, pk)
    _may_fill(request, response)
    form = FindingForm(request.POST, version=response.version)
    if form.is_valid():
        data = form.cleaned_data
        try:
            findings.do_record_finding(
                response,
                title=data["title"],
                description=data["description"],
                question=form.question_obj(),
                owner=data["owner"],
                due_on=data["due_on"],
                acting_user=user,
            )
        except BusinessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Finding recorded as an improvement opportunity."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('surveys:response', kwargs={'pk': response.pk})}#findings")


@login_required
@require_POST
def finding_check(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    user = current_user(request)
    response = access_response_for_user(user, pk)
    _may_fill(request, response)
    finding = get_object_or_404(Finding.objects.select_related("response"), pk=finding_pk)
    if finding.response.study_id != response.study_id:
        raise PermissionDenied(_("That finding belongs to another study."))
    try:
        findings.do_check_finding(
            finding,
            response,
            solved=request.POST.get("solved") == "1",
            note=request.POST.get("note", "")[:500],
            acting_user=user,
        )
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Finding checked."))
    return redirect(f"{reverse('surveys:response', kwargs={'pk': response.pk})}#findings")


@login_required
def review_queue(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    study = access_study_for_user(user, pk)
    if not can_review(user):
        raise PermissionDenied(_("Your role does not review responses."))
    state = request.GET.get("estado", ReviewState.RECEIVED)
    queryset = visible_responses(user, study).filter(status=ResponseStatus.SUBMITTED)
    if state in ReviewState.values:
        queryset = queryset.filter(review_state=state)
    page = Paginator(
        queryset.select_related("dependency", "interviewer").order_by("submitted_at", "id"), 50
    ).get_page(request.GET.get("pagina"))
    return render(
        request,
        "surveys/review.html",
        {"study": study, "page": page, "state": state, "states": ReviewState.choices},
    )


@login_required
def response_photo(request: HttpRequest, pk: int, answer_pk: int) -> FileResponse:
    """A photo of a visit, for whoever may see the response (404 outside the scope). It was
    checked to be an image when it was saved; served as a plain image, never scripted."""
    response = access_response_for_user(current_user(request), pk)
    answer = get_object_or_404(response.answers.exclude(photo=""), pk=answer_pk)
    try:
        handle = answer.photo.open("rb")
    except FileNotFoundError:
        raise Http404(_("The photo is no longer stored.")) from None
    kind = mimetypes.guess_type(answer.photo.name or "")[0] or ""
    served = FileResponse(
        handle, content_type=kind if kind.startswith("image/") else "application/octet-stream"
    )
    served["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    served["Cache-Control"] = "private, no-store"
    served["X-Content-Type-Options"] = "nosniff"
    return served
