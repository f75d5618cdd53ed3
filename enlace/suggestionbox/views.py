"""Suggestion boxes: the openings, a new opening before witnesses, and the batch transcription of
its forms into cases. Only those who open boxes (Capability.OPEN_BOX) get here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.channels.models import InboundMessage
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.suggestionbox import actions
from enlace.suggestionbox.forms import BATCH_SIZE, CorrectionForm, FormRows, OpeningForm
from enlace.suggestionbox.models import BoxOpening
from enlace.suggestionbox.queries import access_opening_for_user, next_numbers, openings


def _refuse(error: BusinessError) -> None:
    if error.code == "forbidden":
        raise PermissionDenied(str(error))


@login_required
def opening_list(request: HttpRequest) -> HttpResponse:
    rows = openings(current_user(request)).order_by("-opened_on", "-id")[:200]
    return render(request, "suggestionbox/list.html", {"openings": rows})


@login_required
def opening_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    openings(user)  # refuses those who do not open boxes
    status = 200
    if request.method == "POST":
        form = OpeningForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                opening = actions.do_open_box(
                    actions.Opening(
                        dependency=data["dependency"],
                        opened_on=data["opened_on"],
                        witnesses=data["witnesses"],
                        forms_found=data["forms_found"],
                        notes=data["notes"],
                    ),
                    acting_user=user,
                )
            except BusinessError as error:
                _refuse(error)
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Opening recorded: transcribe its forms."))
                return redirect("suggestionbox:detail", pk=opening.pk)
        status = 400
    else:
        form = OpeningForm()
    context = {"form": form, "dependency_options": Dependency.objects.active().order_by("name")}
    return render(request, "suggestionbox/new.html", context, status=status)


def _detail_context(opening: BoxOpening, **overrides: Any) -> dict[str, Any]:
    numbers = next_numbers(opening, BATCH_SIZE)
    context: dict[str, Any] = {
        "opening": opening,
        "transcribed": opening.forms.count(),
        "rows": FormRows(
            initial=[{"number": n, "dependency": opening.dependency.label} for n in numbers]
        ),
        "correction": CorrectionForm(initial={"forms_found": opening.forms_found}),
        "box_forms": opening.forms.select_related("case").order_by("number"),
        "corrections": opening.corrections.select_related("by"),
        "dependency_options": Dependency.objects.active().order_by("name"),
    }
    context.update(overrides)
    return context


@login_required
def opening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opening = access_opening_for_user(current_user(request), pk)
    return render(request, "suggestionbox/detail.html", _detail_context(opening))


@login_required
@require_POST
def transcribe(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    opening = access_opening_for_user(user, pk)
    rows = FormRows(request.POST)
    error_message = ""
    if rows.is_valid():
        forms = [found for row in rows if (found := row.transcribed()) is not None]
        try:
            stored = actions.do_transcribe_forms(opening, forms, acting_user=user)
        except BusinessError as error:
            _refuse(error)
            error_message = str(error)
        else:
            _report(request, stored)
            return redirect("suggestionbox:detail", pk=opening.pk)
    context = _detail_context(opening, rows=rows, batch_error=error_message)
    return render(request, "suggestionbox/detail.html", context, status=400)


def _report(request: HttpRequest, stored: list[InboundMessage]) -> None:
    made = sum(1 for message in stored if message.case_id is not None)
    if made:
        messages.success(request, _("%(count)s forms transcribed.") % {"count": made})
    if made < len(stored):
        messages.error(
            request,
            _("%(count)s forms are stored but not yet registered; they will be retried.")
            % {"count": len(stored) - made},
        )
    if not stored:
        messages.info(request, _("No form had text: nothing was transcribed."))


@login_required
@require_POST
def correct_count(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    opening = access_opening_for_user(user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_correct_count(
                opening,
                form.cleaned_data["forms_found"],
                form.cleaned_data["reason"],
                acting_user=user,
            )
        except BusinessError as error:
            _refuse(error)
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Count of forms corrected."))
            return redirect("suggestionbox:detail", pk=opening.pk)
    context = _detail_context(opening, correction=form)
    return render(request, "suggestionbox/detail.html", context, status=400)
