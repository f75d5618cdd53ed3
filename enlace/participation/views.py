"""The communications staff's pages: participation events (one by one or imported), the
social-network accounts and their figures, the information media, the mechanisms'
descriptions. Views parse, check access, call one action, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.core.errors import BusinessError
from enlace.core.tabular import TableFileError, header_check, open_source
from enlace.participation import actions, figures
from enlace.participation.forms import (
    EventForm,
    FiguresForm,
    GrowthForm,
    ImportForm,
    MechanismForm,
    MediumForm,
)
from enlace.participation.models import (
    AccountFigures,
    InformationMedium,
    Mechanism,
    SocialAccount,
)
from enlace.participation.queries import (
    access_account,
    access_event,
    access_evidence,
    access_mechanism,
    access_medium,
    events,
    require_keeper,
)

PAGE = 50


def _event_data(form: EventForm) -> actions.EventData:
    data = form.cleaned_data
    return actions.EventData(
        mechanism=data["mechanism"],
        name=data["name"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        municipality=data["municipality"],
        venue=data["venue"],
        region=data["region"],
        centres=list(data["centres"]),
        attendance=data["attendance"],
        services=data["services"],
        description=data["description"],
        source=data["source"],
    )


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    queryset = events(user)
    mechanism = request.GET.get("mechanism", "")
    if mechanism:
        queryset = queryset.filter(mechanism__code=mechanism)
    year = request.GET.get("year", "")
    if year.isdigit() and 1900 <= int(year) <= 2999:
        queryset = queryset.filter(starts_on__year=int(year))
    else:
        year = ""
    page = Paginator(queryset.order_by("-starts_on", "-id"), PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "mechanisms": Mechanism.objects.filter(has_events=True),
        "mechanism": mechanism,
        "year": year,
    }
    return render(request, "participation/events.html", context)


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_keeper(user)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.do_register_event(_event_data(form), acting_user=user)
        except BusinessError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Event registered."))
            return redirect("participation:event", event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/event_form.html", {"form": form}, status=status)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    event = access_event(user, pk)
    initial = {
        "mechanism": event.mechanism,
        "name": event.name,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "department": event.municipality.department,
        "municipality": event.municipality.name,
        "venue": event.venue,
        "region": event.region,
        "centres": list(event.supporting_centres.all()),
        "attendance": event.attendance,
        "services": event.services,
        "description": event.description,
        "source": event.source,
    }
    form = EventForm(request.POST or None, initial=initial)
    upload = ImportForm(prefix="evidence")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_update_event(event, _event_data(form), acting_user=user)
            except BusinessError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Event saved."))
                return redirect("participation:event", event.pk)
        status = 400
    context = {
        "event": event,
        "form": form,
        "upload": upload,
        "evidence": event.evidence.all(),
        "centres": event.supporting_centres.order_by("name"),
    }
    return render(request, "participation/event.html", context, status=status)


@login_required
@require_POST
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    event = access_event(user, pk)
    actions.do_delete_event(event, acting_user=user)
    messages.success(request, _("Event deleted."))
    return redirect("participation:events")


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    event = access_event(user, pk)
    form = ImportForm(request.POST, request.FILES, prefix="evidence")
    if form.is_valid():
        try:
            actions.do_add_evidence(event, form.cleaned_data["file"], acting_user=user)
        except BusinessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Evidence added."))
    else:
        messages.error(request, _("Choose a photo or a PDF document."))
    return redirect("participation:event", event.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    user = current_user(request)
    evidence = access_evidence(user, pk, evidence_pk)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _import(
    request: HttpRequest,
    *,
    template: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    run: Any,
    done: str,
    success: str,
) -> HttpResponse:
    user = current_user(request)
    require_keeper(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                source = open_source(upload, upload.name or "", header_check(required, optional))
                report = run(source, acting_user=user)
            except TableFileError as error:
                problems = error.problems
            except BusinessError as error:
                form.add_error(None, str(error))
            else:
                problems = report.problems
                if not problems:
                    messages.success(request, success % {"n": report.imported})
                    return redirect(done)
    context = {"form": form, "problems": problems[:200], "more": max(0, len(problems) - 200)}
    context["columns"] = required
    context["optional"] = optional
    return render(request, template, context, status=status)


@login_required
def event_import(request: HttpRequest) -> HttpResponse:
    return _import(
        request,
        template="participation/event_import.html",
        required=actions.EVENT_COLUMNS,
        optional=actions.EVENT_OPTIONAL,
        run=actions.do_import_events,
        done="participation:events",
        success=_("%(n)s events imported."),
    )


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_keeper(user)
    today = timezone.localdate()
    form = GrowthForm(request.GET or {"date_from": date(today.year, 1, 1), "date_to": today})
    rows = []
    status = 200
    if form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        for account in SocialAccount.objects.filter(is_active=True):
            rows.append({"account": account, **figures.growth(account, start, end)})
    else:
        status = 400
    latest = figures.social_figures(today)
    for row in latest:
        row["on_date"] = date.fromisoformat(row["on"])
    context = {"form": form, "rows": rows, "latest": latest}
    return render(request, "participation/accounts.html", context, status=status)


@login_required
def account_figures(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    account = access_account(user, pk)
    form = FiguresForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_record_figures(
                    actions.FiguresData(
                        account=account,
                        on=data["on"],
                        followers=data["followers"],
                        posts=data["posts"],
                        views=data["views"],
                        interactions=data["interactions"],
                        audience=form.audience(),
                    ),
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Figures recorded."))
                return redirect("participation:account", account.pk)
    history = AccountFigures.objects.filter(account=account).order_by("-on")[:36]
    context = {"account": account, "form": form, "history": history}
    return render(request, "participation/account.html", context, status=status)


@login_required
def figures_import(request: HttpRequest) -> HttpResponse:
    required, optional = actions.figures_columns()
    return _import(
        request,
        template="participation/figures_import.html",
        required=required,
        optional=optional,
        run=actions.do_import_figures,
        done="participation:accounts",
        success=_("%(n)s records of figures imported."),
    )


@login_required
def media(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_keeper(user)
    today = timezone.localdate()
    context = {
        "media": InformationMedium.objects.select_related("dependency").order_by(
            "kind", "dependency__name", "name"
        ),
        "summary": figures.information_media(today),
        "today": today,
    }
    return render(request, "participation/media.html", context)


@login_required
def medium_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = current_user(request)
    medium = access_medium(user, pk) if pk else InformationMedium()
    require_keeper(user)
    form = MediumForm(request.POST or None, instance=medium)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.do_save_medium(form.save(commit=False), acting_user=user)
            except BusinessError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Information medium saved."))
                return redirect("participation:media")
    context = {"form": form, "medium": medium}
    return render(request, "participation/medium_form.html", context, status=status)


@login_required
def mechanisms(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_keeper(user)
    return render(request, "participation/mechanisms.html", {"mechanisms": Mechanism.objects.all()})


@login_required
def mechanism_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    mechanism = access_mechanism(user, code)
    form = MechanismForm(request.POST or None, instance=mechanism)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            actions.do_save_mechanism(form.save(commit=False), acting_user=user)
            messages.success(request, _("Mechanism saved."))
            return redirect("participation:mechanisms")
    context = {"form": form, "mechanism": mechanism}
    return render(request, "participation/mechanism_form.html", context, status=status)
