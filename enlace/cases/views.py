"""The agent console. Views parse the request, check access through enlace/cases/queries.py,
call one action from enlace/cases/actions.py, and render.

Every step on one case is posted to one view, `case_action`, at /casos/<id>/<slug>/; the
registry `CASE_STEPS` (enlace/cases/steps.py) says, for each slug, who may take it, with which
form, which action it calls, and when the page offers it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from enlace.accounts.current import current_user
from enlace.accounts.models import Role, User
from enlace.cases import bulk, intake, listing, page_links
from enlace.cases.actions import do_delete_view, do_save_view
from enlace.cases.exports import ExportFormat, export_response
from enlace.cases.forms import (
    BulkForm,
    CaseActionForm,
    FilterForm,
    IntakeForm,
)
from enlace.cases.history import CHANGE_LABELS
from enlace.cases.lifecycle import CaseKind, CaseStatus, check_transition
from enlace.cases.models import (
    Case,
    CaseDeadline,
    CaseEvent,
    CaseFile,
    DeadlineStatus,
    EventKind,
)
from enlace.cases.permissions import (
    DENUNCIA,
    Capability,
    case_scope,
    fixed_dependency_id,
    has_capability,
)
from enlace.cases.personal import sees_personal_data
from enlace.cases.queries import (
    WORK_QUEUE_LIMIT,
    CaseFilters,
    ListOrder,
    QueueView,
    access_case_for_user,
    case_page,
    due_soon_until,
    earlier_cases_of_person,
    filter_cases,
    queue_counts,
    saved_view_for,
    saved_views_for,
    timeline,
    visible_cases,
    work_queue,
)
from enlace.cases.rules import scoped_token
from enlace.cases.steps import CASE_STEPS, NEXT_STEPS
from enlace.catalogues.models import InquiryTopic, Limitante
from enlace.core import navigation
from enlace.core.errors import BusinessError
from enlace.core.htmx import is_htmx
from enlace.core.steps import Step
from enlace.directory.models import Dependency
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia
from enlace.privacy.queries import viewers_of_case

SESSION_CHANNEL = "intake_channel"


def _type_ahead_options() -> dict[str, Any]:
    return {
        "dependency_options": Dependency.objects.active().order_by("name"),
        "topic_options": InquiryTopic.objects.active(),
        "limitante_options": Limitante.objects.active(),
    }


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if case_scope(user) is None and (home := navigation.home_url(user)):
        return redirect(home)  # a role that works no cases starts on its own page
    form = FilterForm(request.GET or None)
    filters = form.filters(user) if request.GET else CaseFilters()
    order = form.order() if request.GET else ListOrder.NEWEST
    queryset = filter_cases(visible_cases(user), filters)
    page = case_page(
        queryset,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        order=order,
    )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    today = timezone.localdate()
    # The first words of each case are personal data: shown to whoever sees it, and logged.
    shows_snippets = sees_personal_data(user)
    if shows_snippets and page.cases:
        record_access(user, AccessVia.CASE_LIST, case_ids=[case.pk for case in page.cases])
    context = {
        "form": form,
        "page": page,
        "shows_snippets": shows_snippets,
        "bulk_form": BulkForm(user=user),
        "query": query.urlencode(),
        "order": order.value,
        "sort_links": listing.sort_links(query, order),
        "active_filters": listing.active_filters(form, query),
        "saved_views": saved_views_for(user),
        "can_register": has_capability(user, Capability.REGISTER),
        "can_export": has_capability(user, Capability.EXPORT_CASES),
        "today": today,
        "soon_until": due_soon_until(today),
    }
    if is_htmx(request, target="results"):
        return render(request, "cases/_results.html", context)
    context.update(_type_ahead_options())
    return render(request, "cases/list.html", context)


@login_required
@never_cache  # personal data: no copy kept by a browser or a proxy
def case_export(request: HttpRequest) -> HttpResponseBase:
    """The list's cases for the same filters, as a file: ?<the list's filters>&formato=csv|xlsx.
    The cases are those the list would show the user, however many (see exports.py)."""
    user = current_user(request)
    if not has_capability(user, Capability.EXPORT_CASES):
        raise PermissionDenied(_("Your role does not export cases."))
    try:
        export_format = ExportFormat(request.GET.get("formato", ExportFormat.CSV))
    except ValueError:
        return HttpResponseBadRequest(_("Unknown export format: use csv or xlsx."))
    form = FilterForm(request.GET or None)
    filters = form.filters(user) if request.GET else CaseFilters()
    selection = request.GET.getlist("ids")
    if selection:  # the rows ticked in the list ("export the selection")
        try:
            ids = tuple(int(value) for value in selection[: bulk.MAX_CASES])
        except ValueError:
            return HttpResponseBadRequest(_("Unknown selection of cases."))
        filters = replace(filters, ids=ids)
    query = request.GET.copy()
    query.pop("formato", None)
    return export_response(user, filters, export_format, described=query.urlencode())


def _back_to_list(request: HttpRequest) -> HttpResponse:
    """Back to the list as it was: its query, kept in the form, with only its own parameters."""
    query = QueryDict(request.POST.get("back", "")[:2000])
    saved = listing.saved_query(query)
    return redirect(f"{reverse('cases:list')}?{saved}" if saved else reverse("cases:list"))


@login_required
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    """A step on the cases ticked in the list: each through its action, one history row each;
    what could not be done is said case by case."""
    user = current_user(request)
    if case_scope(user) is None or not bulk.offered_steps(user):
        raise PermissionDenied(_("Your role takes no step on cases."))
    form = BulkForm(request.POST, user=user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back_to_list(request)
    data = form.cleaned_data
    step = bulk.BulkStep(data["step"])
    cases = bulk.selected_cases(user, data["ids"])
    try:
        result = bulk.run(user, step, cases, data)
    except BusinessError as error:
        messages.error(request, str(error))
        return _back_to_list(request)
    if result.done:
        messages.success(
            request,
            ngettext("%(n)s case done.", "%(n)s cases done.", len(result.done))
            % {"n": len(result.done)},
        )
    for case, reason in result.refused:
        messages.warning(request, f"{case.display_code}: {reason}")
    return _back_to_list(request)


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Keep the list's filters under a name, for oneself or shared with the team."""
    user = current_user(request)
    if case_scope(user) is None:
        raise PermissionDenied(_("Your role does not work cases."))
    query = listing.saved_query(QueryDict(request.POST.get("back", "")[:2000]))
    try:
        view = do_save_view(
            user,
            request.POST.get("name", "")[:200],
            query,
            shared=request.POST.get("shared") == "on",
        )
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _back_to_list(request)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    view = saved_view_for(user, pk)
    do_delete_view(view, acting_user=user)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("cases:list")


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not has_capability(user, Capability.REGISTER):
        raise PermissionDenied(_("Your role does not register cases."))
    fixed_id = fixed_dependency_id(user)
    fixed = Dependency.objects.get(pk=fixed_id) if fixed_id else None
    if request.method == "POST":
        form = IntakeForm(request.POST, fixed_dependency=fixed)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case, created = intake.do_register_from_intake(
                    # The form's token, scoped to this user: a token posted by someone else
                    # can never find (and name) a case this user did not register.
                    form.new_case(intake_token=scoped_token(user.pk, data["intake_token"])),
                    data,
                    acting_user=user,
                )
            except BusinessError as error:
                form.add_error(error.field, str(error))
            else:
                # The desk's channel stays for the next call; the centre is each caller's own.
                request.session[SESSION_CHANNEL] = data["channel"].code
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
                "intake_token": uuid.uuid4(),
                **intake.initial(user, request.GET),  # opened from a call, say
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


# --- One case: its page and the steps on it -------------------------------------------------
# The page's one box (cases/detail.html) is a set of tabs, one per step offered: first what is
# written (to the citizen, or for the team), then the next step and the others, then the rare
# ones under "More". Each tab's panel holds the step's form.
MESSAGE_TABS: dict[str, StrOrPromise] = {
    "responder": gettext_lazy("Reply to the citizen"),
    "mensaje": gettext_lazy("Message on their channel"),  # added by the channels
    "comentar": gettext_lazy("Internal note"),
    "proponer": gettext_lazy("Proposal"),
}
# Under "More", besides the steps registered as secondary (classify, escalate, merge, void).
RARE_STEPS = frozenset({"esperar"})


class TabGroup(StrEnum):
    MESSAGE = "message"
    STEP = "step"
    MORE = "more"


@dataclass
class OfferedAction:
    slug: str
    action: Step[Case]
    form: CaseActionForm
    is_next: bool = False

    @property
    def is_open(self) -> bool:
        """Shown without a click: the next step, the internal note, or a form that came back
        with errors (the box shows one of them first; see `StepBox.selected`)."""
        return self.is_next or self.form.is_bound or self.slug == "comentar"

    @property
    def group(self) -> TabGroup:
        if self.slug in MESSAGE_TABS:
            return TabGroup.MESSAGE
        if self.action.secondary or self.slug in RARE_STEPS:
            return TabGroup.MORE
        return TabGroup.STEP

    @property
    def label(self) -> StrOrPromise:
        """The tab's name: what is written for a message, else the step's title."""
        return MESSAGE_TABS.get(self.slug) or self.action.title

    @property
    def panel_id(self) -> str:
        return f"paso-{self.slug}"


@dataclass(frozen=True)
class StepBox:
    """The steps offered, as the box's tabs in their order, and the one it shows first."""

    messages: list[OfferedAction]
    steps: list[OfferedAction]  # the next step first
    more: list[OfferedAction]
    selected: str

    @property
    def tabs(self) -> list[OfferedAction]:
        return [*self.messages, *self.steps, *self.more]

    @property
    def first_more(self) -> str:
        """The first rare step: the "More" tab comes before it."""
        return self.more[0].slug if self.more else ""


def step_box(offered: list[OfferedAction], *, left_out: str = "") -> StepBox:
    """Group the offered steps (all but `left_out`, shown elsewhere) into the box's tabs. The
    box first shows a form that came back with errors; else the next step when it is written
    in the box; else the internal note, which reaches no citizen by mistake."""
    shown = [item for item in offered if item.slug != left_out]
    messages = sorted(
        (item for item in shown if item.group == TabGroup.MESSAGE),
        key=lambda item: list(MESSAGE_TABS).index(item.slug),
    )
    steps = [item for item in shown if item.group == TabGroup.STEP]
    steps.sort(key=lambda item: not item.is_next)  # stable: the registry's order otherwise
    more = [item for item in shown if item.group == TabGroup.MORE]
    first = (
        next((item for item in shown if item.form.is_bound), None)
        or next((item for item in messages if item.is_next), None)
        or next((item for item in messages if item.slug == "comentar"), None)
        or next(iter([*messages, *steps, *more]), None)
    )
    return StepBox(messages, steps, more, selected=first.slug if first else "")


def _form_for(slug: str, case: Case, user: User, data: Any = None, **kwargs: Any) -> CaseActionForm:
    # Every form is on one page: ids carry the slug so that they stay unique.
    form = CASE_STEPS[slug].form_class(
        data, case=case, user=user, auto_id=f"id_{slug}_%s", **kwargs
    )
    return cast(CaseActionForm, form)


def offered_actions(
    user: User,
    case: Case,
    *,
    bound: CaseActionForm | None = None,
    bound_slug: str = "",
    initial: dict[str, dict[str, Any]] | None = None,
) -> list[OfferedAction]:
    """The actions this user may take on this case now, each with its form (the posted one,
    with its errors, in place of a fresh one)."""
    initial = initial or {}
    offered = []
    for slug, action in CASE_STEPS.offered(user, case):
        if slug == bound_slug and bound is not None:
            form = bound
        else:
            form = _form_for(slug, case, user, initial=initial.get(slug))
        offered.append(OfferedAction(slug, action, form))
    # A case that arrived to classify is first said what it is.
    next_steps = NEXT_STEPS.get(case.status, ())
    if case.to_classify:
        next_steps = ("triaje", *next_steps)
    for slug in next_steps:
        chosen = next((item for item in offered if item.slug == slug), None)
        if chosen is not None:
            chosen.is_next = True
            break
    # The next step first, then the comment, the other steps, and the housekeeping last.
    offered.sort(
        key=lambda item: (not item.is_next, item.slug != "comentar", item.action.secondary)
    )
    return offered


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


# How an entry of the conversation reads: written to or by the citizen, written for the team,
# or a line of what happened.
PUBLIC_KINDS = frozenset(
    {EventKind.ANSWERED, EventKind.MESSAGE_SENT, EventKind.CITIZEN_MESSAGE, EventKind.CLOSED}
)
INTERNAL_KINDS = frozenset(
    {EventKind.COMMENTED, EventKind.ANSWER_PROPOSED, EventKind.ANSWER_RETURNED}
)


@dataclass(frozen=True)
class TimelineItem:
    event: CaseEvent
    changes: list[ChangeRow]
    is_deadline: bool
    files: tuple[CaseFile, ...] = ()

    @property
    def tone(self) -> str:
        if self.event.kind == EventKind.CITIZEN_MESSAGE:
            return "citizen"
        if self.event.kind in PUBLIC_KINDS and self.event.note:
            return "public"
        if self.event.kind in INTERNAL_KINDS:
            return "internal"
        return "system"


def _change_label(name: str) -> str:
    """The label the app that wrote the key gave it, else the case's field's own name (a
    relation pointing at the case, such as the portal's rating, has none)."""
    if name in CHANGE_LABELS:
        return str(capfirst(CHANGE_LABELS[name]))
    try:
        field = Case._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    return str(capfirst(getattr(field, "verbose_name", None) or name.replace("_", " ")))


def _timeline_items(
    events: list[CaseEvent], files: list[CaseFile] | None = None
) -> list[TimelineItem]:
    by_event: dict[int, list[CaseFile]] = {}
    for case_file in files or []:
        by_event.setdefault(case_file.event_id, []).append(case_file)
    items = []
    for event in events:
        rows = []
        for name, change in (event.changes or {}).items():
            if not isinstance(change, dict):
                continue
            before, after = str(change.get("from") or ""), str(change.get("to") or "")
            if name == "deadline":
                # {"deadline": {"from": step label, "to": dd/mm/yyyy}}, written by the sweeper.
                rows.append(ChangeRow(label=before, before="", after=after))
            else:
                rows.append(ChangeRow(label=_change_label(name), before=before, after=after))
        is_deadline = event.kind in (
            EventKind.DEADLINE_REMINDER,
            EventKind.DEADLINE_MISSED,
            EventKind.DEADLINE_ESCALATED,
        )
        items.append(
            TimelineItem(
                event=event,
                changes=rows,
                is_deadline=is_deadline,
                files=tuple(by_event.get(event.pk, ())),
            )
        )
    return items


@dataclass(frozen=True)
class DeadlineRow:
    deadline: CaseDeadline
    is_open: bool


def _related_cases(user: User, case: Case) -> dict[str, Any]:
    """The cases this one points at, or that point at it, which the user may see; one query."""
    pointed = [
        pk
        for pk in (case.merged_into_id, case.escalated_from_id, case.possible_duplicate_of_id)
        if pk is not None
    ]
    condition = Q(merged_into=case) | Q(escalated_from=case)
    if pointed:
        condition |= Q(pk__in=pointed)
    related = list(
        visible_cases(user)
        .filter(condition)
        .select_related("opinion_type", "topic")
        .order_by("received_at", "id")
    )
    by_pk = {other.pk: other for other in related}
    duplicate_of = by_pk.get(case.possible_duplicate_of_id or 0)
    return {
        "merged_into": by_pk.get(case.merged_into_id or 0),
        "escalated_from": by_pk.get(case.escalated_from_id or 0),
        "possible_duplicate_of": duplicate_of if case.is_open else None,
        "escalations": [other for other in related if other.escalated_from_id == case.pk],
        "merged_cases": [other for other in related if other.merged_into_id == case.pk],
    }


def _detail_context(
    user: User,
    case: Case,
    *,
    bound: CaseActionForm | None = None,
    bound_slug: str = "",
) -> dict[str, Any]:
    today = timezone.localdate()
    related = _related_cases(user, case)
    initial: dict[str, dict[str, Any]] = {}
    duplicate_of = related["possible_duplicate_of"]
    if duplicate_of is not None and not duplicate_of.is_open:
        duplicate_of = None  # merging needs a case that is still open
    if duplicate_of is not None:
        initial["fusionar"] = {"into": duplicate_of.display_code}
    actions_ = offered_actions(user, case, bound=bound, bound_slug=bound_slug, initial=initial)
    # Shown in the notice of a possible duplicate, prefilled, rather than with the others.
    merge_in_notice = next(
        (item for item in actions_ if item.slug == "fusionar" and duplicate_of), None
    )
    events = list(timeline(case))
    files = list(case.files.order_by("uploaded_at", "id"))
    items = _timeline_items(events, files)
    deadlines = [
        DeadlineRow(deadline=deadline, is_open=deadline.status == DeadlineStatus.OPEN)
        for deadline in case.deadlines.order_by("due_on", "id")
    ]
    return {
        "case": case,
        "events": events,
        "timeline_items": items,
        # An answer no entry of the conversation shows (a case imported with it, say).
        "answer_apart": bool(case.answer)
        and not any(event.note == case.answer for event in events),
        "earlier": earlier_cases_of_person(user, case),
        "deadlines": deadlines,
        "attachments": list(case.attachments.order_by("uploaded_at", "id")),
        "files": files,
        "actions": actions_,
        "box": step_box(actions_, left_out="fusionar" if merge_in_notice else ""),
        "offered": [item.slug for item in actions_],
        "merge_in_notice": merge_in_notice,
        "today": today,
        "soon_until": due_soon_until(today),
        "notifications": case.notifications.order_by("created_at", "id"),
        "case_links": page_links.links(user, case),  # what other apps start from a case
        # Who has seen an aviso de denuncia (whistle-blowers' protection): from the access log.
        "seen_by": _seen_by(case) if _is_denuncia(case) else [],
        **related,
        **_type_ahead_options(),
    }


def _is_denuncia(case: Case) -> bool:
    return case.opinion_type is not None and case.opinion_type.code == DENUNCIA


def _seen_by(case: Case) -> list[dict[str, Any]]:
    roles = dict(Role.choices)
    return [
        {
            "name": " ".join(filter(None, [row["user__first_name"], row["user__last_name"]]))
            or row["user__username"],
            "role": roles.get(row["user__role"], row["user__role"]),
            "first": row["first"],
            "last": row["last"],
            "times": row["times"],
        }
        for row in viewers_of_case(case.pk)
    ]


def _case_page(request: HttpRequest, pk: int) -> tuple[User, Case]:
    """The case whose page (with its personal data) `request`'s user may open: 404 outside
    their scope, 403 for a role that does not see personal data; each opening is logged."""
    user = current_user(request)
    case = access_case_for_user(user, pk, capability=Capability.SEE_PERSONAL_DATA)
    record_access(user, AccessVia.CASE_PAGE, case_ids=[case.pk])
    return user, case


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, case = _case_page(request, pk)
    return render(request, "cases/detail.html", _detail_context(user, case))


@login_required
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """A file the citizen sent, for whoever may see the case (404 outside the scope). Served
    under the type its content was sniffed as, never the one it came with."""
    _user, case = _case_page(request, pk)
    attachment = get_object_or_404(case.attachments.all(), pk=attachment_id)
    inline = attachment.content_type.startswith("image/") or (
        attachment.content_type == "application/pdf"
    )
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.name.replace("/", "_").replace("\\", "_"),
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """A file the staff attached to an answer or a proposal, for whoever may see the case (404
    outside the scope): always downloaded, under the type its content was sniffed as."""
    _user, case = _case_page(request, pk)
    stored = get_object_or_404(case.files.all(), pk=file_id)
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=True,
        filename=stored.name.replace("/", "_").replace("\\", "_"),
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Check access, validate the form, run one action; on an error show the case again with
    the form's messages (HTTP 400) and nothing changed."""
    registered = CASE_STEPS.get(action)
    if registered is None:
        raise Http404(_("No such action."))
    user, case = _case_page(request, pk)  # a refused step shows the page again
    if not CASE_STEPS.allowed(user, case, registered):
        raise PermissionDenied(_("You may not do this with this case."))
    form = _form_for(action, case, user, request.POST, files=request.FILES)
    try:
        if not registered.offered(case):
            # A form left open in another tab, or a hand-made post: the lifecycle's own word
            # when it is the lifecycle that refuses, else a plain one.
            if registered.target is not None:
                check_transition(case.status, registered.target)
            raise BusinessError(
                _("This cannot be done to a case that is %(status)s.")
                % {"status": CaseStatus(case.status).label}
            )
        if form.is_valid():
            registered.perform(case, form.cleaned_data, user)
            messages.success(request, str(registered.done))
            return redirect("cases:detail", pk=case.pk)
    except BusinessError as error:
        if error.field in form.fields:
            form.add_error(error.field, str(error))
        else:
            # Not about one field (a lifecycle rule, say): shown at the top of the page,
            # where it is seen even when the form is no longer offered.
            messages.error(request, str(error))
    context = _detail_context(user, case, bound=form, bound_slug=action)
    return render(request, "cases/detail.html", context, status=400)


# --- The work queue --------------------------------------------------------------------------
@login_required
def work_queue_view(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    try:
        view = QueueView(request.GET.get("vista", QueueView.MINE))
    except ValueError:
        view = QueueView.MINE
    cases = work_queue(user, view)
    counts = queue_counts(user)
    labels = {
        QueueView.MINE: _("My cases"),
        QueueView.UNOWNED: _("Nobody's yet"),
        QueueView.TEAM: _("The whole team"),
    }
    context = {
        "view": view,
        "views": [(tab.value, labels[tab], counts[tab.value]) for tab in QueueView],
        "cases": cases,
        "limit": WORK_QUEUE_LIMIT,
        "is_full": len(cases) >= WORK_QUEUE_LIMIT,
        "today": today,
        "soon_until": due_soon_until(today),
    }
    return render(request, "cases/queue.html", context)
