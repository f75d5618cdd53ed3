"""Report pages. Each checks the capability, reads through one query function, renders."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.reports.compliance import deadline_compliance


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not has_capability(user, Capability.VIEW_REPORTS):
        raise PermissionDenied(_("Your role does not see reports."))
    today = timezone.localdate()
    initial = {"date_from": today.replace(month=1, day=1), "date_to": today}
    form = PeriodForm(request.GET or initial)
    rows = []
    if form.is_valid():
        rows = deadline_compliance(
            form.cleaned_data["date_from"],
            form.cleaned_data["date_to"],
            dependency_ids=report_scope(user),
        )
    status = 200 if form.is_valid() else 400
    return render(request, "reports/compliance.html", {"form": form, "rows": rows}, status=status)
