"""Report pages. Each checks the capability, reads through one query function, renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

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
from enlace.catalogues.models import Channel, OpinionType
from enlace.core import dates
from enlace.directory.models import LevelOfCare
from enlace.reports.compliance import deadline_compliance
from enlace.reports.exports import participation_xlsx
from enlace.reports.participation import Period, participation_report, percentages
from enlace.reports.pdf import participation_pdf


class PeriodForm(forms.Form):
    date_from = dates.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = dates.DateField(
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


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: Decimal
    width: Decimal  # share of the largest bar, for the chart


def bars(items: list[tuple[str, int]]) -> list[Bar]:
    """Rows of a table-and-chart section: label, count, share of the total (two decimals,
    adding up to 100.00) and the bar's length relative to the largest."""
    shares = percentages([count for _, count in items])
    largest = max((count for _, count in items), default=0) or 1
    return [
        Bar(label, count, share, (Decimal(count * 100) / largest).quantize(Decimal("0.1")))
        for (label, count), share in zip(items, shares, strict=True)
    ]


# The participation page's downloads (`?format=`): what writes each, and its content type.
PARTICIPATION_FILES: dict[str, tuple[Callable[[dict[str, Any]], bytes], str]] = {
    "xlsx": (
        participation_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (participation_pdf, "application/pdf"),
}


@login_required
def participation(request: HttpRequest) -> HttpResponse:
    """The participation report of seed 003 for a period: each section a table and a chart."""
    user = request.user
    assert isinstance(user, User)
    if not has_capability(user, Capability.VIEW_REPORTS):
        raise PermissionDenied(_("Your role does not see reports."))
    today = timezone.localdate()
    first_semester = today.month <= 6  # the report the unit writes is the last full semester
    default_from = date(today.year - 1, 7, 1) if first_semester else date(today.year, 1, 1)
    default_to = date(today.year - 1, 12, 31) if first_semester else date(today.year, 6, 30)
    form = PeriodForm(request.GET or {"date_from": default_from, "date_to": default_to})
    context: dict[str, object] = {"form": form}
    if not form.is_valid():
        return render(request, "reports/participation.html", context, status=400)
    report = participation_report(
        Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"]),
        dependency_ids=report_scope(user),
    )
    file_format = request.GET.get("format", "")
    if file_format in PARTICIPATION_FILES:
        write, content_type = PARTICIPATION_FILES[file_format]
        response = HttpResponse(write(report), content_type=content_type)
        name = f"participacion_{report['period']['from']}_{report['period']['to']}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    opinions, inquiries = report["opinions"], report["inquiries"]
    types = dict(OpinionType.objects.values_list("code", "name"))
    channels = dict(Channel.objects.values_list("code", "name"))
    levels = dict(LevelOfCare.choices)
    complaints = sum(opinions["by_type"].get(code, 0) for code in ("reclamo", "queja"))
    context.update(
        report=report,
        by_type=bars([(types.get(c, c), n) for c, n in opinions["by_type"].items()]),
        by_channel=bars([(channels.get(c, c), n) for c, n in opinions["by_channel"].items()]),
        by_level=bars(
            [(str(levels.get(c, c)), n) for c, n in opinions["by_level_of_care"].items()]
        ),
        complaints=complaints,
        complaints_share=percentages([complaints, opinions["total"] - complaints])[0],
        limitantes=bars([(row["name"], row["count"]) for row in opinions["limitantes"]]),
        levels=[
            {
                "name": levels.get(code, code),
                "total": opinions["by_level_of_care"].get(code, 0),
                "centres": [d for d in opinions["by_dependency"] if d["level_of_care"] == code],
                "limitantes": opinions["limitantes_by_level"].get(code, [])[:5],
            }
            for code in LevelOfCare.values
            if opinions["by_level_of_care"].get(code)
        ],
        inquiry_groups=bars(
            [(row["group"], row["total"]) for row in inquiries["by_channel_group"]]
        ),
        topics=bars([(row["name"], row["count"]) for row in inquiries["topics"][:10]]),
    )
    return render(request, "reports/participation.html", context)
