"""The results of studies: the page (HTML with bars), its PDF and XLSX, the trends of a question
across studies, and the comments. Each view checks access through enlace/surveys/queries.py,
reads through enlace/surveys/results.py and renders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.accounts.models import User
from enlace.core import dates
from enlace.directory.models import LevelOfCare
from enlace.surveys.models import QuestionKind, Study, StudyCentre
from enlace.surveys.pdf import results_pdf
from enlace.surveys.queries import (
    access_study_for_user,
    can_read_comments,
    can_see_results,
    centre_scope,
    visible_studies,
)
from enlace.surveys.results import (
    DISCRETE_KINDS,
    HEADLINE_NAMES,
    Filters,
    comments,
    study_results,
    trends,
)
from enlace.surveys.xlsx import results_xlsx

COMMENTS_PER_PAGE = 25
MAX_SEARCH = 200
MAX_CODE = 40


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_see_results(user):
        raise PermissionDenied(_("Your role does not see the results of studies."))
    return user


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResultsFilterForm(forms.Form):
    """The centre (of those the user sees), the level of care and days within the period."""

    centre = forms.ChoiceField(label=gettext_lazy("Centre"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level of care"), required=False)
    date_from = dates.DateField(label=gettext_lazy("From"), required=False, widget=_date_input())
    date_to = dates.DateField(label=gettext_lazy("To"), required=False, widget=_date_input())
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=MAX_SEARCH)

    def __init__(self, data: Any, *, study: Study, scope: list[int] | None) -> None:
        super().__init__(data)
        self.study = study
        centres = StudyCentre.objects.filter(study=study)
        if scope is not None:
            centres = centres.filter(dependency_id__in=scope)
        rows = list(
            centres.order_by("dependency__name").values_list(
                "dependency_id", "dependency__code", "dependency__name", "dependency__level_of_care"
            )
        )
        self.centre_ids = {code: pk for pk, code, _name, _level in rows}
        self.fields["centre"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *((code, name) for _pk, code, name, _level in rows),
        ]
        present = {level for *_rest, level in rows}
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *((code, label) for code, label in LevelOfCare.choices if code in present),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        period = (self.study.period_start, self.study.period_end)
        for day in (start, end):
            if isinstance(day, date) and not period[0] <= day <= period[1]:
                raise forms.ValidationError(
                    _("Pick days within the study's period (%(start)s to %(end)s).")
                    % {
                        "start": period[0].strftime("%d/%m/%Y"),
                        "end": period[1].strftime("%d/%m/%Y"),
                    }
                )
        if isinstance(start, date) and isinstance(end, date) and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def filters(self, scope: list[int] | None) -> Filters:
        data = self.cleaned_data
        ids = scope
        if data.get("centre"):
            ids = [self.centre_ids[data["centre"]]]
        return Filters(
            dependency_ids=ids,
            level_of_care=data.get("level") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def query(self, *, api: bool = False) -> str:
        """The filters as a query string, for the downloads' links (the API names the days
        `from` and `to`)."""
        if not self.is_bound or not self.is_valid():
            return ""
        data = self.cleaned_data
        values = {
            "centre": data.get("centre") or "",
            "level": data.get("level") or "",
            "from" if api else "date_from": data["date_from"].isoformat()
            if data.get("date_from")
            else "",
            "to" if api else "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
        }
        return urlencode({key: value for key, value in values.items() if value})


def _filtered(request: HttpRequest, pk: int) -> tuple[User, Study, ResultsFilterForm]:
    user = _user(request)
    study = access_study_for_user(user, pk)
    scope = centre_scope(user)
    form = ResultsFilterForm(request.GET, study=study, scope=scope)
    return user, study, form


def headline_cell(headline: str | None, name: str, cell: dict[str, Any]) -> dict[str, Any]:
    """A line of a cross-tabulation: the headline figure of a cell, its interval where it has
    one, and its flags."""
    found = cell["figures"] if headline else {}
    return {
        "name": name,
        "n": cell["n"],
        "suppressed": cell["suppressed"],
        "unreliable": cell["unreliable"],
        "value": found.get(headline) if headline else None,
        "low": found.get(f"{headline}_low") if headline else None,
        "high": found.get(f"{headline}_high") if headline else None,
    }


def _charts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions with bars for their distributions (the share as the bar's length) and
    their headline figure by centre and by level of care."""
    shown = []
    for question in results["questions"]:
        headline = question["headline"]
        bars = [row | {"width": row["percent"] or "0"} for row in question["distribution"]]
        shown.append(
            question
            | {
                "bars": bars,
                "headline_name": HEADLINE_NAMES.get(headline or "", ""),
                "kind_label": QuestionKind(question["kind"]).label,
                "has_values": question["kind"] in DISCRETE_KINDS,
                "total_line": headline_cell(headline, _("Total"), question),
                "by_centre_lines": [
                    headline_cell(headline, cell["name"], cell) for cell in question["by_centre"]
                ],
                "by_level_lines": [
                    headline_cell(headline, cell["name"], cell)
                    for cell in question["by_level_of_care"]
                ],
            }
        )
    return shown


@login_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    user, study, form = _filtered(request, pk)
    context: dict[str, Any] = {"study": study, "form": form}
    if not form.is_valid():
        return render(request, "surveys/results.html", context, status=400)
    results = study_results(study, form.filters(centre_scope(user)))
    context.update(
        results=results,
        questions=_charts(results),
        query=form.query(),
        api_query=form.query(api=True),
        may_read_comments=can_read_comments(user),
    )
    return render(request, "surveys/results.html", context)


def _download(
    write: Callable[[dict[str, Any]], bytes], content_type: str, extension: str
) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        user, study, form = _filtered(request, pk)
        if not form.is_valid():
            return render(
                request, "surveys/results.html", {"study": study, "form": form}, status=400
            )
        results = study_results(study, form.filters(centre_scope(user)))
        response = HttpResponse(write(results), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="resultados_{study.pk}.{extension}"'
        )
        return response

    return view


results_pdf_view = _download(results_pdf, "application/pdf", "pdf")
results_xlsx_view = _download(
    results_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
)


class TrendForm(forms.Form):
    codigo = forms.SlugField(label=gettext_lazy("Question code"), max_length=MAX_CODE)


@login_required
def trends_page(request: HttpRequest) -> HttpResponse:
    """The headline figure of one question (by its stable code) in every study that asked it."""
    user = _user(request)
    form = TrendForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "surveys/results_trends.html", context, status=400)
    if form.is_bound:
        trend = trends(
            form.cleaned_data["codigo"], visible_studies(user), dependency_ids=centre_scope(user)
        )
        context["trend"] = trend
        context["bars"] = [
            row
            | {
                "width": max(float(row["value"]), 0.0) if row["value"] is not None else 0,
                "headline_name": HEADLINE_NAMES.get(row["headline"] or "", ""),
                "line": headline_cell(row["headline"], row["name"], row),
            }
            for row in trend["studies"]
        ]
    return render(request, "surveys/results_trends.html", context)


@login_required
def comments_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The free-text answers, newest first, searchable; only for who may read personal data."""
    user, study, form = _filtered(request, pk)
    if not can_read_comments(user):
        raise PermissionDenied(_("Your role does not read what respondents wrote."))
    context: dict[str, Any] = {"study": study, "form": form}
    if not form.is_valid():
        return render(request, "surveys/results_comments.html", context, status=400)
    search = form.cleaned_data.get("q") or ""
    paginator = Paginator(
        comments(study, form.filters(centre_scope(user)), search), COMMENTS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    context.update(page=page, search=search, query=form.query())
    return render(request, "surveys/results_comments.html", context)
