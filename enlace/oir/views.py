"""The OIR's staff pages under /oir/: the officer's list, intake, a request's page with its
actions, the items sent to a unit, the index of reserved information and the statistics.
Views parse, check access through queries.py, call one action, render.

Every step on a request is posted to one view, `request_action`, at
/oir/solicitudes/<id>/<slug>/; `REQUEST_STEPS` (enlace/oir/steps.py) says, for each slug, who
may take it, its form, the action it calls and when it is offered. Only the officer acts on
requests (403 for any other role that sees one)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from enlace.accounts.current import current_user
from enlace.accounts.models import User
from enlace.cases.queries import access_case_for_user
from enlace.core.errors import BusinessError
from enlace.core.htmx import is_htmx
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency
from enlace.oir import actions, deadlines, queries
from enlace.oir.exports import statistics_xlsx
from enlace.oir.forms import (
    DeclassifyForm,
    IntakeForm,
    PeriodForm,
    ReservedEntryForm,
    UnitAnswerForm,
)
from enlace.oir.models import (
    InformationRequest,
    ItemStatus,
    NotifyBy,
    RequestChannel,
    RequestStatus,
    ReservedEntry,
)
from enlace.oir.permissions import can_view_statistics, is_officer, unit_scope
from enlace.oir.rules import legal_rules
from enlace.oir.statistics import Period, labels, oir_statistics
from enlace.oir.steps import APPEAL_STEP, ITEM_STEPS, REQUEST_STEPS, PartStep
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia


def _officer(request: HttpRequest) -> User:
    user = current_user(request)
    if not is_officer(user):
        raise PermissionDenied(_("Only the OIR officer works with information requests."))
    return user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The header's OIR link: the officer's list, a liaison's items, an analyst's figures."""
    user = current_user(request)
    if is_officer(user):
        return redirect("oir:list")
    if unit_scope(user) is not None:
        return redirect("oir:unit")
    if can_view_statistics(user):
        return redirect("oir:statistics")
    raise PermissionDenied(_("Your role does not work with information requests."))


# --- The officer's list ----------------------------------------------------------------------
DUE_CHOICES = [
    ("", gettext_lazy("Any deadline")),
    (queries.DUE_SOON, gettext_lazy("Due soon")),
    (queries.OVERDUE, gettext_lazy("Overdue")),
    (queries.VERY_OVERDUE, gettext_lazy("Very overdue")),
]


class ListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Number, name or words"), required=False)
    estado = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("open", gettext_lazy("Open")),
            *list(RequestStatus.choices),
        ],
    )
    plazo = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False, choices=DUE_CHOICES)
    unidad = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        queryset=Dependency.objects.none(),
        empty_label=gettext_lazy("Any unit"),
    )
    canal = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("Any")), *list(RequestChannel.choices)],
    )
    orden = forms.ChoiceField(
        label=gettext_lazy("Order"),
        required=False,
        choices=[
            (queries.ORDER_DUE, gettext_lazy("Due date, urgent first")),
            (queries.ORDER_RECEIVED, gettext_lazy("Received, newest first")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the units that have items: a short list.
        self.fields["unidad"].queryset = (  # type: ignore[attr-defined]
            Dependency.objects.filter(information_items__isnull=False).distinct().order_by("name")
        )


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """The officer's list: open requests in the work order (legal due date, the most urgent
    first) by default; filters, the order of arrival and keyset pages by the query string."""
    user = _officer(request)
    # Only the filters make the form bound: a page's cursor alone keeps the default filters.
    chosen = any(name in request.GET for name in ListFilterForm.base_fields)
    form = ListFilterForm(request.GET if chosen else None, initial={"estado": "open"})
    filters = queries.RequestFilters(status="open")
    order = queries.ORDER_DUE
    if chosen and form.is_valid():
        data = form.cleaned_data
        unit = data.get("unidad")
        filters = queries.RequestFilters(
            status=data.get("estado") or "",
            due=data.get("plazo") or "",
            unit_id=unit.pk if unit else None,
            channel=data.get("canal") or "",
            text=data.get("q") or "",
        )
        order = data.get("orden") or queries.ORDER_DUE
    elif chosen:
        filters = queries.RequestFilters()
    bounds = queries.bounds_today()
    rows = queries.filter_requests(queries.visible_requests(user), filters, bounds)
    page = queries.request_page(
        rows,
        bounds,
        order=order,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    items = queries.items_by_request(page.requests)
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(r, items.get(r.pk, [])) for r in page.requests],
        "query": query.urlencode(),
        "today": bounds.today,
        "mail": queries.unregistered_mail(user),
    }
    return render(request, "oir/list.html", context)


# --- The OIR's mailbox: identical messages ---------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def mail_group(request: HttpRequest, pk: int) -> HttpResponse:
    """A message of the OIR's mailbox with the identical ones still to register (the same
    sender and text, e.g. one e-mail sent three times): the first is the one to register, the
    others are set aside as its duplicates by a POST."""
    user = _officer(request)
    group = queries.identical_mail(user, pk)
    if request.method == "POST":
        if not group.duplicates:
            messages.error(request, _("There are no duplicates of this message to set aside."))
            return redirect("oir:mail", pk=pk)
        try:
            count = actions.do_set_aside_duplicates(
                group.duplicates, kept=group.kept, registered=group.registered, acting_user=user
            )
        except BusinessError as error:
            messages.error(request, str(error))
            return redirect("oir:mail", pk=pk)
        messages.success(request, _("Duplicates set aside: %(count)s.") % {"count": count})
        if group.kept is not None:
            return redirect("oir:mail", pk=group.kept.pk)
        return redirect("oir:list")
    return render(request, "oir/mail.html", {"group": group})


# --- Intake ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """The officer transcribes a request made in person or by e-mail; from a message of the
    OIR's mailbox (?caso=<id>) the form comes filled from it and the request links it."""
    user = _officer(request)
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            source = None
            if data.get("source_case"):
                source = access_case_for_user(user, data["source_case"])
            try:
                created, _new = actions.do_register_request(
                    actions.NewRequest(
                        channel=data["channel"],
                        requester_name=data["requester_name"],
                        person_type=data["person_type"],
                        gender=data["gender"],
                        document_type=data["document_type"],
                        document_number=data["document_number"],
                        notify_by=data["notify_by"],
                        email=data["email"],
                        address=data["address"],
                        phone=data["phone"],
                        description=data["description"],
                        delivery_mode=data["delivery_mode"],
                        received_at=data.get("received_at"),
                        source_case=source,
                    ),
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _("Request %(number)s registered. Legal due date: %(due)s.")
                    % {"number": created.number, "due": _day(created.due_on)},
                )
                return redirect("oir:detail", pk=created.pk)
        status = 400
    else:
        initial: dict[str, Any] = {}
        case_id = request.GET.get("caso", "")
        if case_id.isdigit():
            case = access_case_for_user(user, int(case_id))
            initial = {
                "channel": RequestChannel.EMAIL,
                "requester_name": case.citizen_name,
                "email": case.citizen_email,
                "notify_by": NotifyBy.EMAIL if case.citizen_email else NotifyBy.OFFICE,
                "phone": case.citizen_phone,
                "description": case.description,
                "received_at": timezone.localtime(case.received_at).strftime("%Y-%m-%dT%H:%M"),
                "source_case": case.pk,
            }
        form = IntakeForm(initial=initial)
    return render(request, "oir/new.html", {"form": form}, status=status)


def _day(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


# --- One request: its page and the steps on it (enlace/oir/steps.py) --------------------------
def _detail_context(
    user: User,
    info: InformationRequest,
    *,
    bound: forms.Form | None = None,
    bound_slug: str = "",
) -> dict[str, Any]:
    """The request's page: its items and appeals, each with the forms of the steps offered on
    it, and the steps offered on the request (the posted form, with its errors, in place of a
    fresh one)."""
    bounds = queries.bounds_today()
    computed = (
        queries.visible_requests(user)
        .filter(pk=info.pk)
        .annotate(state=queries.deadline_state(bounds))
        .values_list("state", flat=True)
        .first()
    )
    items = list(info.items.select_related("dependency", "reserved_entry", "unit_answered_by"))
    officer = is_officer(user)
    posted = bound.data if bound is not None and bound.is_bound else {}

    def form_for(slug: str, initial: dict[str, Any], part: str = "") -> forms.Form:
        """The posted form if it is this one (for this item or appeal), else a fresh one."""
        if (
            bound is not None
            and bound_slug == slug
            and str(posted.get(part, "")) == str(initial.get(part, ""))
        ):
            return bound
        return REQUEST_STEPS[slug].form_class(request=info, initial=initial)

    def part_form(slug: str, part_name: str, part: Any) -> forms.Form | None:
        step = REQUEST_STEPS[slug]
        assert isinstance(step, PartStep)
        if not (REQUEST_STEPS.allowed(user, info, step) and step.offered(info)):
            return None
        if not step.part_offered(info, part):
            return None
        return form_for(slug, step.part_initial(info, part), part_name)

    item_rows = [
        {"item": item, **{name: part_form(slug, "item", item) for slug, name in ITEM_STEPS.items()}}
        for item in items
    ]
    offered: dict[str, forms.Form] = {}
    for slug, step in REQUEST_STEPS.items():
        if isinstance(step, PartStep) or not REQUEST_STEPS.allowed(user, info, step):
            continue
        if step.offered(info) or (bound is not None and bound_slug == slug):
            offered[slug] = form_for(slug, step.initial_for(info))
    appeals = [(appeal, part_form(APPEAL_STEP, "appeal", appeal)) for appeal in info.appeals.all()]
    calendar = business_calendar(info.received_on)
    rules = legal_rules()
    appeal_until = None
    complaint_from = None
    if info.notified_on:
        appeal_until = deadlines.appeal_deadline(calendar, info.notified_on, rules)
    elif info.is_open and info.due_on and info.due_on < bounds.today:
        complaint_from = deadlines.appeal_deadline(calendar, info.due_on, rules)
    pending = [c for c in info.clarifications.all() if c.answered_on is None]
    return {
        "info": info,
        "state": computed or "",
        "items": item_rows,
        "events": queries.timeline(info),
        "clarifications": list(info.clarifications.all()),
        "pending_clarification": pending[0] if pending else None,
        "appeals": appeals,
        "offered": offered,
        "is_officer": officer,
        "has_document": hasattr(info, "document"),
        "notifications": info.notifications.order_by("-created_at", "-id")[:20] if officer else [],
        "appeal_until": appeal_until,
        "complaint_from": complaint_from,
        "today": bounds.today,
        "bound_slug": bound_slug,
        "dependency_options": Dependency.objects.active().order_by("name").only("code", "name"),
    }


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    info = queries.access_request_for_user(user, pk)
    if not is_officer(user):
        # A liaison sees the request through the items sent to their unit.
        raise PermissionDenied(_("Open the items sent to your unit instead."))
    record_access(user, AccessVia.OIR_REQUEST, request_ids=[info.pk])  # the requester's data
    return render(request, "oir/detail.html", _detail_context(user, info))


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on a request. An item's form posted by htmx (send, decide, edit) gets that
    item back in place, with the request's status, the timeline and the message out of band;
    without JavaScript, the same form redirects to the page (or shows it with the errors)."""
    registered = REQUEST_STEPS.get(action)
    if registered is None:
        raise Http404(_("No such action."))
    user = current_user(request)
    info = queries.access_request_for_user(user, pk)
    if not REQUEST_STEPS.allowed(user, info, registered):
        raise PermissionDenied(_("Only the OIR officer acts on information requests."))
    in_place = action in ITEM_STEPS and is_htmx(request)
    form = registered.form_class(request.POST, request=info)
    try:
        if form.is_valid():
            registered.perform(info, form.cleaned_data, user)
            if in_place:
                return _item_in_place(request, user, pk, form, action, str(registered.done))
            messages.success(request, str(registered.done))
            return redirect("oir:detail", pk=info.pk)
    except BusinessError as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, str(error))
        elif in_place:
            return _item_in_place(request, user, pk, form, action, str(error), failed=True)
        else:
            messages.error(request, str(error))
    if in_place:
        return _item_in_place(request, user, pk, form, action, "", failed=True)
    info = queries.access_request_for_user(user, pk)
    context = _detail_context(user, info, bound=form, bound_slug=action)
    return render(request, "oir/detail.html", context, status=400)


def _item_in_place(
    request: HttpRequest,
    user: User,
    pk: int,
    form: forms.Form,
    action: str,
    flash: str,
    *,
    failed: bool = False,
) -> HttpResponse:
    """The item an htmx form was posted from, as it stands now (the bound form with its errors
    if it failed), for htmx to swap in place; a form about no item of this request (tampered
    with) makes the browser reload the page."""
    info = queries.access_request_for_user(user, pk)
    context = _detail_context(user, info, bound=form if failed else None, bound_slug=action)
    posted = str(form.data.get("item", ""))
    row = next((r for r in context["items"] if str(r["item"].pk) == posted), None)
    if row is None:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context.update(row=row, flash=flash, flash_level="error" if failed else "success")
    return render(request, "oir/_item_update.html", context, status=400 if failed else 200)


@login_required
def resolution_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    info = queries.access_request_for_user(user, pk, for_change=True)
    document = getattr(info, "document", None)
    if document is None:
        raise Http404(_("This request has no resolution yet."))
    record_access(user, AccessVia.OIR_REQUEST, request_ids=[info.pk])
    with document.pdf.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- A unit's items --------------------------------------------------------------------------
@login_required
def unit_items(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if unit_scope(user) is None and not is_officer(user):
        raise PermissionDenied(_("Your role does not answer information requests."))
    rows = list(queries.unit_items(user)[:200])
    return render(request, "oir/unit.html", {"items": rows, "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    item = queries.access_item_for_user(user, pk, for_answer=request.method == "POST")
    status = 200
    form = UnitAnswerForm()
    if request.method == "POST":
        form = UnitAnswerForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_answer_item(
                    item,
                    finding=data["finding"],
                    answer=data["answer"],
                    upload=data.get("file"),
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Answer sent to the OIR."))
                return redirect("oir:item", pk=item.pk)
        status = 400
    context = {
        "item": item,
        "form": form,
        "can_answer": item.request.is_open
        and item.status in (ItemStatus.SENT, ItemStatus.ANSWERED),
        "is_officer": is_officer(user),
    }
    return render(request, "oir/item.html", context, status=status)


@login_required
def item_file(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.access_item_for_user(current_user(request), pk)
    if not item.unit_file_name or not item.unit_file:
        raise Http404(_("This item has no file."))
    with item.unit_file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=item.unit_file_type)
    name = item.unit_file_name.replace('"', "").replace("/", "_")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The index of reserved information --------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def reserved_index(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    status = 200
    form = ReservedEntryForm(initial={"classified_on": timezone.localdate(), "period_years": 7})
    if request.method == "POST":
        form = ReservedEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.do_create_reserved_entry(
                    actions.NewEntry(
                        reference=data["reference"],
                        information=data["information"],
                        dependency=data["dependency"],
                        legal_article=data["legal_article"],
                        cause=data["cause"],
                        classified_on=data["classified_on"],
                        period_years=data["period_years"],
                    ),
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(
                    request, _("Entry %(reference)s added.") % {"reference": entry.reference}
                )
                return redirect("oir:reserved")
        status = 400
    today = timezone.localdate()
    entries = list(ReservedEntry.objects.select_related("dependency").annotate(uses=Count("items")))
    context = {
        "entries": [(e, e.in_force(today)) for e in entries],
        "form": form,
        "declassify": DeclassifyForm(initial={"declassified_on": today}),
        "dependency_options": Dependency.objects.active().order_by("name").only("code", "name"),
    }
    return render(request, "oir/reserved.html", context, status=status)


@login_required
@require_POST
def reserved_declassify(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    entry = ReservedEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404(_("No such entry."))
    form = DeclassifyForm(request.POST)
    try:
        if not form.is_valid():
            raise BusinessError(_("Give the date of declassification."))
        actions.do_declassify_entry(entry, form.cleaned_data["declassified_on"], acting_user=user)
    except BusinessError as error:
        messages.error(request, str(error))
        return redirect("oir:reserved")
    messages.success(
        request, _("Entry %(reference)s declassified.") % {"reference": entry.reference}
    )
    return redirect("oir:reserved")


# --- Statistics ------------------------------------------------------------------------------
@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_view_statistics(user):
        raise PermissionDenied(_("Your role does not see the OIR statistics."))
    today = timezone.localdate()
    first = today.replace(day=1)
    default_from = (first - timedelta(days=1)).replace(day=1)
    if "from" in request.GET or "to" in request.GET:
        form = PeriodForm({"date_from": request.GET.get("from"), "date_to": request.GET.get("to")})
    else:
        form = PeriodForm({"date_from": default_from, "date_to": first - timedelta(days=1)})
    if not form.is_valid():
        return render(request, "oir/statistics.html", {"form": form}, status=400)
    period = Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    report = oir_statistics(period)
    if request.GET.get("formato") == "xlsx":
        response = HttpResponse(
            statistics_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"oir-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    names = labels()
    requests = report["requests"]
    tables = [
        (_("Outcomes of the items of the requests resolved"), "outcomes", [
            (names["outcome"][k], n) for k, n in report["items"]["by_outcome"].items()
        ]),
        (_("Channel"), "channels", [
            (names["channel"][k], n) for k, n in requests["by_channel"].items()
        ]),
        (_("Requester"), "requesters", [
            *((names["person_type"][k], n) for k, n in requests["by_person_type"].items()),
            *((names["gender"][k], n) for k, n in requests["by_gender"].items()),
        ]),
        (_("Notification medium"), "media", [
            (names["medium"][k], n) for k, n in report["notification"]["by_medium"].items()
        ]),
        (_("Appeals and complaints before the IAIP"), "appeals", [
            (f"{names['appeal_kind'][kind]}: {names['appeal_outcome'][code]}", n)
            for kind, results in report["appeals"]["results"].items()
            for code, n in results.items()
        ]),
    ]  # fmt: skip
    context = {
        "form": form,
        "report": report,
        "tables": tables,
        "period": period,
        "query": f"from={period.date_from.isoformat()}&to={period.date_to.isoformat()}",
    }
    return render(request, "oir/statistics.html", context)
