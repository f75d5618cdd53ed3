"""Improvement opportunities: the list of a centre's open actions, creation from cases, and
progress. Views parse, check access, call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.current import current_user
from enlace.accounts.models import Role, User
from enlace.cases.permissions import Capability, has_capability
from enlace.cases.queries import visible_cases
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.improvements import actions
from enlace.improvements.forms import ImprovementForm, ProgressForm
from enlace.improvements.models import OPEN_IMPROVEMENT_STATUSES, ImprovementStatus
from enlace.improvements.queries import (
    access_improvement_for_user,
    can_see_improvements,
    visible_improvements,
)


@login_required
def improvement_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_see_improvements(user):
        raise PermissionDenied(_("Your role does not see improvement opportunities."))
    status = request.GET.get("status", "open")
    queryset = visible_improvements(user).select_related("dependency", "owner")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_IMPROVEMENT_STATUSES)
    elif status in ImprovementStatus.values:
        queryset = queryset.filter(status=status)
    context = {
        "opportunities": queryset.order_by("due_on", "id")[:200],
        "status": status,
        "statuses": ImprovementStatus.choices,
        "today": timezone.localdate(),
        "can_create": has_capability(user, Capability.IMPROVE),
    }
    return render(request, "improvements/list.html", context)


def _fixed_dependency(user: User) -> Dependency | None:
    if user.role == Role.LIAISON and not user.is_superuser:
        return user.dependency
    return None


@login_required
def improvement_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not has_capability(user, Capability.IMPROVE):
        raise PermissionDenied(_("Your role does not create improvement opportunities."))
    fixed = _fixed_dependency(user)
    status = 200
    if request.method == "POST":
        form = ImprovementForm(request.POST, fixed_dependency=fixed)
        if form.is_valid():
            data = form.cleaned_data
            cases = list(visible_cases(user).filter(pk__in=form.case_ids()))
            try:
                opportunity = actions.do_create_improvement(
                    actions.Plan(
                        title=data["title"],
                        description=data["description"],
                        source=data["source"],
                        dependency=data["dependency"],
                        owner=data["owner"],
                        action_plan=data["action_plan"],
                        due_on=data["due_on"],
                    ),
                    cases=cases,
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Improvement opportunity created."))
                return redirect("improvements:detail", pk=opportunity.pk)
        status = 400
    else:
        case_ids = [int(p) for p in request.GET.get("casos", "").split(",") if p.isdigit()]
        cases = list(visible_cases(user).filter(pk__in=case_ids).select_related("dependency"))
        form = ImprovementForm(
            initial={
                "cases": ",".join(str(c.pk) for c in cases),
                "dependency": cases[0].dependency.label if cases and cases[0].dependency else "",
                "description": "\n".join(f"{c.display_code}: {c.description}" for c in cases),
            },
            fixed_dependency=fixed,
        )
    context = {
        "form": form,
        "dependency_options": Dependency.objects.active().order_by("name"),
    }
    return render(request, "improvements/new.html", context, status=status)


@login_required
def improvement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    opportunity = access_improvement_for_user(user, pk, for_change=request.method == "POST")
    status = 200
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_update_improvement(
                    opportunity,
                    status=data["status"],
                    action_plan=data["action_plan"],
                    owner=data["owner"],
                    due_on=data["due_on"],
                    note=data["note"],
                    acting_user=user,
                )
            except BusinessError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Progress recorded."))
                return redirect("improvements:detail", pk=opportunity.pk)
        status = 400
    else:
        form = ProgressForm(
            initial={
                "status": opportunity.status,
                "owner": opportunity.owner_id,
                "action_plan": opportunity.action_plan,
                "due_on": opportunity.due_on,
            }
        )
    context = {
        "opportunity": opportunity,
        "events": opportunity.events.select_related("actor"),
        "cases": visible_cases(user).filter(improvements=opportunity),
        "form": form,
        "can_change": has_capability(user, Capability.IMPROVE),
        "today": timezone.localdate(),
    }
    return render(request, "improvements/detail.html", context, status=status)
