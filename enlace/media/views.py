"""The media archive's pages under /medios/: the list (search and filters), a new item, an
item (its clipping or recording served here only, and the case made from it), and the
analysis of a period with its PDF and workbook. Views parse, check access (queries.py), call
one action or one query, render."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enlace.accounts.current import current_user
from enlace.cases.queries import visible_cases
from enlace.core.errors import BusinessError
from enlace.core.htmx import is_htmx
from enlace.directory.models import Dependency
from enlace.media import actions, rules
from enlace.media.analysis import MediaAnalysis, media_analysis
from enlace.media.exports import analysis_xlsx
from enlace.media.forms import FilterForm, MakeCaseForm, NewsItemForm, PeriodForm
from enlace.media.pdf import analysis_pdf
from enlace.media.queries import (
    access_news_item_for_user,
    check_monitors_media,
    check_reads_media_analysis,
    filter_news_items,
    makes_cases_from_news,
    news_page,
    visible_news_items,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _centres() -> Any:
    return Dependency.objects.active().order_by("name")


@login_required
@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    """The archive, newest first, by keyset pages; searched and filtered (htmx swaps the
    results only)."""
    user = current_user(request)
    check_monitors_media(user)
    form = FilterForm(request.GET or None)
    queryset = visible_news_items(user)
    if request.GET:
        queryset = filter_news_items(queryset, form.filters())
    page = news_page(
        queryset, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if is_htmx(request, target="results"):
        return render(request, "media/_results.html", context)
    context["dependency_options"] = _centres()
    return render(request, "media/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def news_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    check_monitors_media(user)
    status = 200
    if request.method == "POST":
        form = NewsItemForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                item = actions.do_register_news_item(form.new_item(), acting_user=user)
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("News item registered."))
                return redirect("media:detail", pk=item.pk)
        status = 400
    else:
        form = NewsItemForm(initial={"published_on": timezone.localdate()})
    context = {"form": form, "dependency_options": _centres()}
    return render(request, "media/new.html", context, status=status)


def _detail(
    request: HttpRequest, pk: int, *, case_form: MakeCaseForm | None = None, status: int = 200
) -> HttpResponse:
    user = current_user(request)
    item = access_news_item_for_user(user, pk)
    may_make_case = makes_cases_from_news(user) and item.case_id is None
    if case_form is None and may_make_case:
        case_form = MakeCaseForm(
            initial={
                "opinion_type": "reclamo",
                "dependency": item.dependency.label if item.dependency else "",
            }
        )
    # The case's tracking code is shown to whoever may see the case (a code identifies it to
    # the citizen); to others only that the item became a case.
    case_visible = item.case_id is not None and (
        visible_cases(user).filter(pk=item.case_id).exists()
    )
    context = {
        "item": item,
        "case_visible": case_visible,
        "clip_kind": rules.kind_of(item.clip_type) if item.clip else "",
        "case_form": case_form if may_make_case else None,
        "dependency_options": _centres() if may_make_case else [],
    }
    return render(request, "media/detail.html", context, status=status)


@login_required
@require_GET
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
def news_make_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the opinion case the item reports, once; on an error the item's page again
    with the form's messages (400) and nothing registered."""
    user = current_user(request)
    item = access_news_item_for_user(user, pk, for_case=True)
    if item.case_id is not None:
        messages.error(request, _("This news item is already a case."))
        return redirect("media:detail", pk=item.pk)
    form = MakeCaseForm(request.POST)
    if form.is_valid():
        try:
            case = actions.do_make_case_from_item(
                item,
                opinion_type=form.cleaned_data["opinion_type"],
                dependency=form.cleaned_data["dependency"],
                acting_user=user,
            )
        except BusinessError as error:
            if error.code == "already_a_case":
                messages.error(request, str(error))
                return redirect("media:detail", pk=item.pk)
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                _("Case %(code)s registered from this news item.") % {"code": case.display_code},
            )
            return redirect("media:detail", pk=item.pk)
    return _detail(request, pk, case_form=form, status=400)


@login_required
@never_cache
@require_GET
def news_clip(request: HttpRequest, pk: int) -> FileResponse:
    """The clipping or recording, for whoever keeps the archive. Served under the type its
    content was sniffed as, never scripted (sandboxed, no sniffing by the browser)."""
    item = access_news_item_for_user(current_user(request), pk)
    if not item.clip:
        raise Http404(_("This news item has no file."))
    try:
        handle = item.clip.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is no longer stored.")) from None
    inline = rules.kind_of(item.clip_type) in rules.SHOWN_INLINE
    response = FileResponse(
        handle,
        content_type=item.clip_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=rules.safe_file_name(item.clip_name),
    )
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The analysis ----------------------------------------------------------------------------
def _analysis_from_query(request: HttpRequest) -> tuple[PeriodForm, MediaAnalysis | None]:
    """The period's form (this year so far when no date is given) and, when it is valid, the
    analysis."""
    check_reads_media_analysis(current_user(request))
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        today = timezone.localdate()
        data.update({"date_from": date(today.year, 1, 1).isoformat(), "date_to": today.isoformat()})
    form = PeriodForm(data)
    if not form.is_valid():
        return form, None
    return form, media_analysis(form.cleaned_data["date_from"], form.cleaned_data["date_to"])


def _query(analysis: MediaAnalysis) -> str:
    return urlencode({"date_from": analysis.start.isoformat(), "date_to": analysis.end.isoformat()})


@login_required
@require_GET
def analysis(request: HttpRequest) -> HttpResponse:
    """Counts of a period's items by tone, medium, outlet, topic and centre mentioned, and
    their trend, each a table beside its chart."""
    form, found = _analysis_from_query(request)
    if found is None:
        return render(request, "media/analysis.html", {"form": form}, status=400)
    largest_trend = max((row.count for row in found.trend), default=0) or 1
    context = {
        "form": form,
        "analysis": found,
        "query": _query(found),
        "sections": [(section, _bars(section.rows)) for section in found.sections],
        "trend": [(row, f"{row.count * 100 / largest_trend:.1f}") for row in found.trend],
    }
    return render(request, "media/analysis.html", context)


def _bars(rows: list[Any]) -> list[tuple[Any, str]]:
    """Each row with its bar's width, % of the largest row's."""
    largest = max((row.count for row in rows), default=0) or 1
    return [(row, f"{row.count * 100 / largest:.1f}") for row in rows]


def _download(request: HttpRequest, extension: str) -> HttpResponse:
    form, found = _analysis_from_query(request)
    if found is None:
        return render(request, "media/analysis.html", {"form": form}, status=400)
    if extension == "pdf":
        response = HttpResponse(analysis_pdf(found), content_type="application/pdf")
    else:
        response = HttpResponse(analysis_xlsx(found), content_type=XLSX)
    name = f"analisis_medios_{found.start}_{found.end}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def analysis_pdf_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


@login_required
@require_GET
def analysis_xlsx_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")
