"""Designing instruments in the browser: the list, a version's editor (sections, questions,
options, conditions, weights), its preview as the respondent sees it, publishing and new
versions. Views parse, check access, call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.core.errors import BusinessError
from enlace.surveys.actions import design
from enlace.surveys.forms import InstrumentForm, PublishForm, QuestionForm, SectionForm
from enlace.surveys.models import InstrumentVersion, Question, Section
from enlace.surveys.queries import (
    access_instrument_for_user,
    access_version_for_user,
    can_design,
    visible_instruments,
)
from enlace.surveys.views.questionnaire import questionnaire_items


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_design(user):
        raise PermissionDenied(_("Your role does not design study instruments."))
    status = 200
    form = InstrumentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                instrument = design.do_create_instrument(
                    name=data["name"],
                    kind=data["kind"],
                    code=data["code"],
                    description=data["description"],
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Instrument created: now write its questions."))
                return redirect("surveys:version", pk=instrument.versions.get().pk)
        status = 400
    instruments = visible_instruments(user).prefetch_related("versions").order_by("name")
    return render(
        request,
        "surveys/instruments.html",
        {"instruments": instruments, "form": form},
        status=status,
    )


@login_required
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = access_instrument_for_user(current_user(request), pk)
    latest = instrument.versions.order_by("-number").first()
    if latest is not None:
        return redirect("surveys:version", pk=latest.pk)
    return redirect("surveys:instruments")


def _version_context(version: InstrumentVersion) -> dict[str, object]:
    sections = list(version.sections.order_by("position"))
    questions = list(
        version.questions.select_related("condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )
    for section in sections:
        section.items = [q for q in questions if q.section_id == section.pk]  # type: ignore[attr-defined]
    return {
        "version": version,
        "instrument": version.instrument,
        "versions": version.instrument.versions.order_by("-number"),
        "sections": sections,
        "question_count": len(questions),
        "studies": version.studies.order_by("-period_start"),
    }


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = access_version_for_user(current_user(request), pk)
    context = _version_context(version)
    context["question_form"] = QuestionForm(version=version) if version.is_draft else None
    context["section_form"] = SectionForm() if version.is_draft else None
    context["publish_form"] = PublishForm() if version.is_draft else None
    return render(request, "surveys/version.html", context)


def _spec(form: QuestionForm) -> design.QuestionSpec:
    data = form.cleaned_data
    return design.QuestionSpec(
        code=data["code"],
        text=data["text"],
        kind=data["kind"],
        section=form.section_obj(),
        help_text=data["help_text"],
        required=data["required"],
        low_label=data["low_label"],
        high_label=data["high_label"],
        min_value=data["min_value"],
        max_value=data["max_value"],
        weight=data.get("weight"),
        critical=bool(data.get("critical")),
        condition_question=form.condition_obj(),
        condition_values=data["condition_values"],
        options=data["options"],
    )


@login_required
def question_edit(request: HttpRequest, pk: int, question_pk: int | None = None) -> HttpResponse:
    """Add a question to a draft (POST from the version's page) or change one."""
    version = access_version_for_user(current_user(request), pk)
    question = (
        get_object_or_404(
            Question.objects.prefetch_related("options"), pk=question_pk, version=version
        )
        if question_pk is not None
        else None
    )
    if not version.is_draft:
        messages.error(
            request, _("A published version cannot change: make a new version to change it.")
        )
        return redirect("surveys:version", pk=version.pk)
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST, version=version, question=question)
        if form.is_valid():
            try:
                design.do_save_question(version, _spec(form), question=question)
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Question saved."))
                return redirect(f"{version_url(version)}#questions")
        status = 400
    else:
        initial = QuestionForm.initial_for(question) if question is not None else None
        form = QuestionForm(initial=initial, version=version, question=question)
    return render(
        request,
        "surveys/question.html",
        {"version": version, "instrument": version.instrument, "form": form, "question": question},
        status=status,
    )


def version_url(version: InstrumentVersion) -> str:
    return reverse("surveys:version", kwargs={"pk": version.pk})


@login_required
@require_POST
def question_action(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Move a question up or down, or delete it."""
    version = access_version_for_user(current_user(request), pk)
    question = get_object_or_404(Question, pk=question_pk, version=version)
    try:
        match request.POST.get("do"):
            case "up" | "down" as direction:
                design.do_move_question(question, up=direction == "up")
            case "delete":
                design.do_delete_question(question)
                messages.success(request, _("Question deleted."))
            case _:
                messages.error(request, _("Unknown step."))
    except BusinessError as error:
        messages.error(request, str(error))
    return redirect(f"{version_url(version)}#questions")


@login_required
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = access_version_for_user(current_user(request), pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            design.do_save_section(
                version,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except BusinessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Section added."))
    else:
        messages.error(request, _("Give the section a title."))
    return redirect(f"{version_url(version)}#questions")


@login_required
@require_POST
def section_delete(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    version = access_version_for_user(current_user(request), pk)
    section = get_object_or_404(Section, pk=section_pk, version=version)
    try:
        design.do_delete_section(section)
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Section deleted."))
    return redirect(f"{version_url(version)}#questions")


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    version = access_version_for_user(user, pk)
    form = PublishForm(request.POST)
    note = form.cleaned_data["change_note"] if form.is_valid() else ""
    try:
        design.do_publish_version(version, change_note=note, acting_user=user)
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Version published: studies can use it now."))
    return redirect("surveys:version", pk=version.pk)


@login_required
@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = access_instrument_for_user(current_user(request), pk)
    try:
        draft = design.do_new_version(instrument)
    except BusinessError as error:
        messages.error(request, str(error))
        return redirect("surveys:instrument", pk=instrument.pk)
    messages.success(request, _("New draft version: change it, then publish it."))
    return redirect("surveys:version", pk=draft.pk)


@login_required
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire as the respondent sees it; nothing is stored."""
    version = access_version_for_user(current_user(request), pk)
    return render(
        request,
        "surveys/preview.html",
        {
            "version": version,
            "instrument": version.instrument,
            "sections": questionnaire_items(version.pk, {}),
        },
    )
