"""The data-protection officer's pages under /proteccion-datos/: the overview, the people's
requests over their data (register, search the person's data, export it, rectify, cancel,
extend, answer, refuse), the access log by person or by user, the unusual accesses, the
breaches, and the retention policies with what each would anonymise now.

Views parse, check access through queries.py, call one action, render. Anyone but the officer
(or a superuser) is refused with 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enlace.accounts.current import current_user
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.privacy import actions, export, queries, registry, sweeper
from enlace.privacy.forms import (
    AccessSearchForm,
    AnswerForm,
    BreachForm,
    BreachNoticeForm,
    ReasonForm,
    RecordsForm,
    RectifyForm,
    SubjectRequestForm,
)
from enlace.privacy.models import (
    Breach,
    RetentionPolicy,
    SubjectRequest,
    SubjectRequestStatus,
    UnusualAccess,
)
from enlace.privacy.registry import RETENTION


def _attach(form: forms.Form, error: BusinessError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    queries.require_dpo(current_user(request))
    context = {
        "counts": queries.overview(),
        "due": queries.subject_requests()[:10],
        "breaches": Breach.objects.exclude(status="closed").order_by("due_at")[:10],
    }
    return render(request, "privacy/home.html", context)


# --- The people's requests --------------------------------------------------------------------
@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    queries.require_dpo(current_user(request))
    status = request.GET.get("estado", "open")
    choices = [("open", _("Open")), ("all", _("All"))] + [
        (value, str(label)) for value, label in SubjectRequestStatus.choices
    ]
    if status not in dict(choices):
        status = "open"
    rows = queries.subject_requests(status)[:500]
    return render(
        request,
        "privacy/requests.html",
        {"rows": rows, "status": status, "choices": choices, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    queries.require_dpo(user)
    if request.method != "POST":
        form = SubjectRequestForm(
            initial={"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        return render(request, "privacy/request_new.html", {"form": form})
    form = SubjectRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        identifiers = form.identifiers()
        try:
            created, _new = actions.do_register_subject_request(
                actions.NewSubjectRequest(
                    kind=data["kind"],
                    channel=data["channel"],
                    requester_name=data["requester_name"],
                    description=data["description"],
                    dui=identifiers.dui,
                    email=identifiers.email,
                    phone=identifiers.phone,
                    received_at=data["received_at"],
                ),
                acting_user=user,
            )
        except BusinessError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                _("Request %(number)s registered; due on %(due)s.")
                % {"number": created.number, "due": f"{created.due_on:%d/%m/%Y}"},
            )
            return redirect("privacy:request", pk=created.pk)
    return render(request, "privacy/request_new.html", {"form": form}, status=400)


def _request_page(
    request: HttpRequest,
    subject: SubjectRequest,
    *,
    found: Any = None,
    forms_: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    given = forms_ or {}
    context = {
        "subject": subject,
        "events": subject.events.select_related("actor").order_by("at", "id"),
        "found": found,
        "extend_form": given.get("extend") or ReasonForm(),
        "answer_form": given.get("answer") or AnswerForm(),
        "refuse_form": given.get("refuse") or ReasonForm(),
        # A step refused on a request that no longer offers it (answered, say).
        "step_errors": [str(e) for form in given.values() for e in form.non_field_errors()],
        "today": timezone.localdate(),
    }
    return render(request, "privacy/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = queries.access_subject_request(current_user(request), pk)
    return _request_page(request, subject)


@login_required
@require_POST
def request_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything Enlace keeps about the requester, with the forms to correct or erase it.
    Searching is logged: the page is never cached, and a reload asks again."""
    user = current_user(request)
    subject = queries.access_subject_request(user, pk)
    found = actions.do_search_subject(subject, acting_user=user)
    subject.refresh_from_db()
    return _request_page(request, subject, found=found)


@login_required
@require_POST
def request_export(request: HttpRequest, pk: int, export_format: str) -> HttpResponse:
    user = current_user(request)
    subject = queries.access_subject_request(user, pk)
    found = registry.find_everything(actions.identifiers_of(subject))
    actions.do_record_export(subject, found, export_format, acting_user=user)
    if export_format == "pdf":
        body, content_type = export.as_pdf(subject, found), "application/pdf"
    else:
        body, content_type = export.as_json(subject, found), "application/json"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="datos-{subject.number}.{export_format}"'
    )
    return response


def _records_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = current_user(request)
    subject = queries.access_subject_request(user, pk)
    form: RecordsForm = (RectifyForm if step == "rectify" else RecordsForm)(request.POST)
    if form.is_valid():
        try:
            if isinstance(form, RectifyForm):
                done = actions.do_rectify(
                    subject,
                    form.cleaned_data["holder"],
                    form.record_ids(),
                    form.values(),
                    acting_user=user,
                )
                messages.success(request, _("%(n)s records corrected.") % {"n": done})
            else:
                done = actions.do_cancel(
                    subject, form.cleaned_data["holder"], form.record_ids(), acting_user=user
                )
                messages.success(request, _("%(n)s records anonymised.") % {"n": done})
        except BusinessError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("privacy:request", pk=subject.pk)


@login_required
@require_POST
def request_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    return _records_step(request, pk, "rectify")


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _records_step(request, pk, "cancel")


@login_required
@require_POST
def request_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Extend, answer or refuse (the last two close the request)."""
    user = current_user(request)
    subject = queries.access_subject_request(user, pk)
    form: forms.Form = AnswerForm(request.POST) if step == "answer" else ReasonForm(request.POST)
    if form.is_valid():
        try:
            if step == "extend":
                actions.do_extend_subject_request(
                    subject, form.cleaned_data["reason"], acting_user=user
                )
                messages.success(request, _("The deadline was extended."))
            elif step == "answer":
                actions.do_answer_subject_request(
                    subject, form.cleaned_data["answer"], acting_user=user
                )
                messages.success(request, _("The request is answered."))
            else:
                actions.do_refuse_subject_request(
                    subject, form.cleaned_data["reason"], acting_user=user
                )
                messages.success(request, _("The request is refused."))
        except BusinessError as error:
            _attach(form, error)
        else:
            return redirect("privacy:request", pk=subject.pk)
    return _request_page(request, subject, forms_={step: form}, status=400)


# --- The access log -----------------------------------------------------------------------------
@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    queries.require_dpo(current_user(request))
    form = AccessSearchForm(request.GET or None)
    rows = None
    if form.is_bound and form.is_valid():
        before = _before(request.GET.get("antes", ""))
        identifiers = form.identifiers()
        if identifiers:
            rows = list(queries.accesses_of_person(identifiers, before))
        else:
            rows = list(queries.accesses_by_user(form.cleaned_data["username"], before))
    query = request.GET.copy()
    query.pop("antes", None)
    return render(
        request,
        "privacy/access_log.html",
        {
            "form": form,
            "rows": rows,
            "shown": queries.ACCESS_ROWS_SHOWN,
            "older": rows[-1].at.isoformat()
            if rows and len(rows) == queries.ACCESS_ROWS_SHOWN
            else "",
            "query": query.urlencode(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _before(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo and dates.in_range(moment) else None


@login_required
@require_GET
def unusual_list(request: HttpRequest) -> HttpResponse:
    queries.require_dpo(current_user(request))
    rows = UnusualAccess.objects.select_related("user", "reviewed_by").order_by(
        "reviewed_at", "-hour"
    )[:200]
    return render(request, "privacy/unusual.html", {"rows": rows})


@login_required
@require_POST
def unusual_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    alert = queries.access_unusual(user, pk)
    actions.do_review_unusual_access(alert, acting_user=user)
    messages.success(request, _("Marked as reviewed."))
    return redirect("privacy:unusual")


# --- Breaches -----------------------------------------------------------------------------------
@login_required
@require_GET
def breach_list(request: HttpRequest) -> HttpResponse:
    queries.require_dpo(current_user(request))
    rows = Breach.objects.order_by("-discovered_at", "-id")[:200]
    return render(request, "privacy/breaches.html", {"rows": rows, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def breach_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    queries.require_dpo(user)
    if request.method != "POST":
        form = BreachForm(
            initial={"discovered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        return render(request, "privacy/breach_new.html", {"form": form})
    form = BreachForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            breach = actions.do_register_breach(
                actions.NewBreach(
                    title=data["title"],
                    discovered_at=data["discovered_at"],
                    description=data["description"],
                    data_affected=data["data_affected"],
                    people_affected=data["people_affected"],
                    measures=data["measures"],
                ),
                acting_user=user,
            )
        except BusinessError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                _("Breach registered: the authority and the people must be told by %(due)s.")
                % {"due": f"{timezone.localtime(breach.due_at):%d/%m/%Y %H:%M}"},
            )
            return redirect("privacy:breach", pk=breach.pk)
    return render(request, "privacy/breach_new.html", {"form": form}, status=400)


def _breach_page(
    request: HttpRequest, breach: Breach, notice: BreachNoticeForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "breach": breach,
        "events": breach.events.select_related("actor").order_by("at", "id"),
        "notice_form": notice
        or BreachNoticeForm(initial={"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        "close_form": ReasonForm(),
        "now": timezone.now(),
    }
    return render(request, "privacy/breach_detail.html", context, status=status)


@login_required
@require_GET
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _breach_page(request, queries.access_breach(current_user(request), pk))


@login_required
@require_POST
def breach_notice(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    breach = queries.access_breach(user, pk)
    form = BreachNoticeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_record_breach_notice(
                breach,
                authority=data["authority"],
                people=data["people"],
                at=data["at"],
                acting_user=user,
            )
        except BusinessError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The notice is recorded."))
            return redirect("privacy:breach", pk=breach.pk)
    return _breach_page(request, breach, form, status=400)


@login_required
@require_POST
def breach_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    breach = queries.access_breach(user, pk)
    try:
        actions.do_close_breach(breach, request.POST.get("reason", ""), acting_user=user)
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The breach is closed."))
    return redirect("privacy:breach", pk=breach.pk)


# --- Retention ----------------------------------------------------------------------------------
@login_required
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """Each policy, and how many records it would anonymise if the sweeper ran now (a dry
    run: counting only)."""
    queries.require_dpo(current_user(request))
    due = sweeper.apply_retention(timezone.now(), dry_run=True)
    rows = [
        {
            "policy": policy,
            "label": RETENTION[policy.kind].label if policy.kind in RETENTION else policy.kind,
            "due": due.get(policy.kind),
        }
        for policy in RetentionPolicy.objects.order_by("kind")
    ]
    return render(request, "privacy/retention.html", {"rows": rows})
