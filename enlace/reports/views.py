"""Report pages. Each checks the capability, reads through one query function, renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

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
from enlace.core import dates
from enlace.reports.compliance import COLUMNS as COMPLIANCE_COLUMNS
from enlace.reports.compliance import Order, deadline_compliance, sort_compliance
from enlace.reports.exports import compliance_csv, compliance_xlsx, participation_xlsx
from enlace.reports.mechanisms import (
    default_year,
    mechanisms_pdf,
    mechanisms_report,
    mechanisms_xlsx,
    stated,
    title,
)
from enlace.reports.participation import (
    Period,
    centre_levels,
    media_header,
    media_rows,
    participation_report,
    social_header,
    social_rows,
)
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


# The compliance page's downloads (`?format=`): what writes each, and its content type.
COMPLIANCE_FILES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class SortHeading:
    """A heading of the compliance table: its link sorts by it (the other way when it is the
    order already), `aria_sort` tells a screen reader the order shown."""

    label: str
    query: str
    aria_sort: str  # "ascending", "descending", or "" for a column the table is not sorted by
    numeric: bool


def sort_headings(date_from: date, date_to: date, order: Order) -> list[SortHeading]:
    headings = []
    for column in COMPLIANCE_COLUMNS:
        active = column.key == order.key
        then = Order(column.key, descending=active and not order.descending)
        query = urlencode({"date_from": date_from, "date_to": date_to, "orden": str(then)})
        aria_sort = ("descending" if order.descending else "ascending") if active else ""
        headings.append(SortHeading(str(column.label), query, aria_sort, column.numeric))
    return headings


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """Deadline compliance per centre for a period, sorted by any column (?orden=, the other way
    with a minus), and the same table as XLSX or CSV (?format=)."""
    user = request.user
    assert isinstance(user, User)
    if not has_capability(user, Capability.VIEW_REPORTS):
        raise PermissionDenied(_("Your role does not see reports."))
    today = timezone.localdate()
    initial = {"date_from": today.replace(month=1, day=1), "date_to": today}
    asked = "date_from" in request.GET or "date_to" in request.GET  # else: this year so far
    form = PeriodForm(request.GET if asked else initial)
    order = Order.parse(request.GET.get("orden"))
    context: dict[str, object] = {"form": form, "rows": [], "order": order}
    if not form.is_valid():
        return render(request, "reports/compliance.html", context, status=400)
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    rows = sort_compliance(
        deadline_compliance(date_from, date_to, dependency_ids=report_scope(user)), order
    )
    file_format = request.GET.get("format", "")
    if file_format in COMPLIANCE_FILES:
        if file_format == "xlsx":
            content = compliance_xlsx(rows, date_from, date_to)
        else:
            content = compliance_csv(rows)
        response = HttpResponse(content, content_type=COMPLIANCE_FILES[file_format])
        name = f"cumplimiento_{date_from.isoformat()}_{date_to.isoformat()}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context.update(
        rows=rows,
        headings=sort_headings(date_from, date_to, order),
        query=urlencode({"date_from": date_from, "date_to": date_to, "orden": str(order)}),
    )
    return render(request, "reports/compliance.html", context)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: str  # as participation_report() computed it
    width: Decimal  # share of the largest bar, for the chart
    channels: tuple[Bar, ...] = ()  # a channel group's channels, below it


def bars(rows: list[dict[str, Any]]) -> list[Bar]:
    """A section's rows for its table and chart: the bar's length relative to the largest."""
    largest = max((row["count"] for row in rows), default=0) or 1

    def bar(row: dict[str, Any]) -> Bar:
        width = (Decimal(row["count"] * 100) / largest).quantize(Decimal("0.1"))
        return Bar(row["name"], row["count"], row["percent"], width)

    return [
        replace(bar(row), channels=tuple(bar(sub) for sub in row.get("channels", [])))
        for row in rows
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
    context.update(
        report=report,
        by_type=bars(opinions["by_type"]),
        by_channel_group=bars(opinions["by_channel_group"]),
        limitantes=bars(opinions["complaints"]["by_limitante"]),
        by_level=bars(opinions["by_level_of_care"]),
        levels=centre_levels(opinions),
        inquiry_groups=bars(inquiries["by_channel_group"]),
        topics=bars(inquiries["topics"]),
        social_header=social_header(),
        social_rows=social_rows(report),
        media_header=media_header(),
        media_rows=media_rows(report),
    )
    return render(request, "reports/participation.html", context)


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)


MECHANISMS_FILES: dict[str, tuple[Callable[[dict[str, Any]], bytes], str]] = {
    "xlsx": (
        mechanisms_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (mechanisms_pdf, "application/pdf"),
}


def require_institution_reports(user: User) -> None:
    """The institution's tables (not one centre's): whoever sees reports of every centre."""
    if not has_capability(user, Capability.VIEW_REPORTS) or report_scope(user) is not None:
        raise PermissionDenied(_("Your role does not see the institution's reports."))


@login_required
def mechanisms(request: HttpRequest) -> HttpResponse:
    """Seed 002's table of participation mechanisms for a year, from the data."""
    user = request.user
    assert isinstance(user, User)
    require_institution_reports(user)
    form = YearForm(request.GET or {"year": default_year()})
    if not form.is_valid():
        return render(request, "reports/mechanisms.html", {"form": form}, status=400)
    report = mechanisms_report(form.cleaned_data["year"])
    file_format = request.GET.get("format", "")
    if file_format in MECHANISMS_FILES:
        write, content_type = MECHANISMS_FILES[file_format]
        response = HttpResponse(write(report), content_type=content_type)
        name = f"mecanismos_{report['year']}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {"form": form, "report": report, "title": title(report), "stated": stated(report)}
    return render(request, "reports/mechanisms.html", context)
