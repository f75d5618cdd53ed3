"""The agent console. Views parse the request, check access through enlace/cases/queries.py,
call one action from enlace/cases/actions.py, and render."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.models import User
from enlace.cases import actions
from enlace.cases.forms import (
    AssignForm,
    CloseForm,
    CommentForm,
    FilterForm,
    IntakeForm,
    ReclassifyForm,
)
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.cases.permissions import Capability, fixed_dependency_id, has_capability
from enlace.cases.queries import (
    CaseFilters,
    access_case_for_user,
    can_act,
    case_page,
    earlier_cases_of_person,
    filter_cases,
    timeline,
    visible_cases,
)
from enlace.catalogues.models import InquiryTopic, Limitante
from enlace.core.errors import BusinessError
from enlace.core.htmx import is_htmx
from enlace.directory.models import Dependency

SESSION_CHANNEL = "intake_channel"
SESSION_DEPENDENCY = "intake_dependency"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _type_ahead_options() -> dict[str, Any]:
    return {
        "dependency_options": Dependency.objects.active().order_by("name"),
        "topic_options": InquiryTopic.objects.active(),
        "limitante_options": Limitante.objects.active(),
    }


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = FilterForm(request.GET or None)
    filters = form.filters() if request.GET else CaseFilters()
    queryset = filter_cases(visible_cases(user), filters)
    page = case_page(
        queryset, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_register": has_capability(user, Capability.REGISTER),
    }
    if is_htmx(request, target="results"):
        return render(request, "cases/_results.html", context)
    context.update(_type_ahead_options())
    return render(request, "cases/list.html", context)


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_capability(user, Capability.REGISTER):
        raise PermissionDenied(_("Your role does not register cases."))
    fixed_id = fixed_dependency_id(user)
    fixed = Dependency.objects.get(pk=fixed_id) if fixed_id else None
    if request.method == "POST":
        form = IntakeForm(request.POST, fixed_dependency=fixed)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case, created = actions.do_register_case(
                    actions.NewCase(
                        kind=data["kind"],
                        channel=data["channel"],
                        description=data["description"],
                        opinion_type=data["opinion_type"],
                        dependency=data["dependency"],
                        limitante=data["limitante"],
                        topic=data["topic"],
                        citizen=form.citizen(),
                        answered_at_first_contact=data["answered_at_first_contact"],
                        answer=data["answer"],
                        intake_token=data["intake_token"],
                    ),
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field, str(error))
            else:
                request.session[SESSION_CHANNEL] = data["channel"].code
                if data["dependency"] is not None and fixed is None:
                    request.session[SESSION_DEPENDENCY] = data["dependency"].label
                if created:
                    messages.success(request, _registered_message(case))
                else:
                    messages.info(
                        request,
                        _("This form had already been sent: it registered case %(code)s.")
                        % {"code": case.display_code},
                    )
                return redirect(reverse("cases:new") + f"?registered={case.pk}")
        status = 400
    else:
        form = IntakeForm(
            initial={
                "channel": request.session.get(SESSION_CHANNEL, "llamada_127"),
                "dependency": request.session.get(SESSION_DEPENDENCY, ""),
                "intake_token": uuid.uuid4(),
            },
            fixed_dependency=fixed,
        )
        status = 200
    registered = None
    if request.GET.get("registered", "").isdigit():
        registered = visible_cases(user).filter(pk=int(request.GET["registered"])).first()
    context = {"form": form, "registered": registered, **_type_ahead_options()}
    return render(request, "cases/new.html", context, status=status)


def _registered_message(case: Case) -> str:
    if case.kind == CaseKind.INQUIRY and case.resolved_at_first_contact:
        return _("Inquiry %(code)s registered and closed.") % {"code": case.display_code}
    return _("Case %(code)s registered. Give the citizen this tracking code.") % {
        "code": case.display_code
    }


def _detail_context(user: User, case: Case, **forms_: forms.Form) -> dict[str, Any]:
    close_capability = (
        Capability.CLOSE if case.kind == CaseKind.OPINION else Capability.CLOSE_INQUIRY
    )
    allowed = {
        "comment": can_act(user, case, Capability.COMMENT),
        "reclassify": can_act(user, case, Capability.RECLASSIFY) and case.is_open,
        "assign": can_act(user, case, Capability.ASSIGN) and case.is_open,
        "close": can_act(user, case, close_capability) and case.is_open,
    }
    initial_class = {
        "opinion_type": case.opinion_type.code if case.opinion_type else "",
        "limitante": case.limitante.code if case.limitante else "",
        "topic": case.topic.code if case.topic else "",
    }
    return {
        "case": case,
        "events": timeline(case),
        "earlier": earlier_cases_of_person(user, case),
        "allowed": allowed,
        "comment_form": forms_.get("comment_form") or CommentForm(),
        "reclassify_form": forms_.get("reclassify_form") or ReclassifyForm(initial=initial_class),
        "assign_form": forms_.get("assign_form")
        or AssignForm(initial={"dependency": case.dependency.label if case.dependency else ""}),
        "close_form": forms_.get("close_form") or CloseForm(),
        **_type_ahead_options(),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = access_case_for_user(user, pk)
    return render(request, "cases/detail.html", _detail_context(user, case))


def _case_action(
    request: HttpRequest,
    pk: int,
    *,
    capability: Capability | Callable[[Case], Capability],
    form_class: type[forms.Form],
    form_name: str,
    perform: Callable[[Case, dict[str, Any], User], object],
    done: str,
) -> HttpResponse:
    """Check access, validate the form, run one action; on an error show the case again with
    the form's messages (HTTP 400) and nothing changed."""
    user = _user(request)
    case = access_case_for_user(user, pk)
    needed = capability(case) if callable(capability) else capability
    if not can_act(user, case, needed):
        raise PermissionDenied(_("You may not do this with this case."))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(case, form.cleaned_data, user)
        except BusinessError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error))
            else:
                # Not about one field (a lifecycle rule, say): shown at the top of the page,
                # where it is seen even when the form is no longer offered.
                messages.error(request, str(error))
        else:
            messages.success(request, done)
            return redirect("cases:detail", pk=case.pk)
    context = _detail_context(user, case, **{form_name: form})
    return render(request, "cases/detail.html", context, status=400)


@login_required
@require_POST
def case_comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        capability=Capability.COMMENT,
        form_class=CommentForm,
        form_name="comment_form",
        perform=lambda case, data, user: actions.do_add_comment(
            case, data["body"], acting_user=user
        ),
        done=_("Comment added."),
    )


@login_required
@require_POST
def case_reclassify(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        capability=Capability.RECLASSIFY,
        form_class=ReclassifyForm,
        form_name="reclassify_form",
        perform=lambda case, data, user: actions.do_reclassify_case(
            case,
            opinion_type=data["opinion_type"],
            limitante=data["limitante"],
            topic=data["topic"],
            note=data["note"],
            acting_user=user,
        ),
        done=_("Classification saved."),
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        capability=Capability.ASSIGN,
        form_class=AssignForm,
        form_name="assign_form",
        perform=lambda case, data, user: actions.do_assign_case(
            case, data["dependency"], reason=data["reason"], acting_user=user
        ),
        done=_("Case assigned."),
    )


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        capability=lambda case: (
            Capability.CLOSE if case.kind == CaseKind.OPINION else Capability.CLOSE_INQUIRY
        ),
        form_class=CloseForm,
        form_name="close_form",
        perform=lambda case, data, user: actions.do_close_case(
            case, data["answer"], acting_user=user
        ),
        done=_("Case closed."),
    )
