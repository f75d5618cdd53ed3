"""The campaigns' pages (/campanas/): the supervisor plans, imports, follows and exports; the
agent takes the next call, reads the script, dials and records how it went, keyboard first."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from enlace.accounts.current import current_user
from enlace.accounts.models import User
from enlace.campaigns import actions, queries, rules
from enlace.campaigns.exports import results_xlsx
from enlace.campaigns.forms import (
    CampaignForm,
    DoNotCallForm,
    ImportForm,
    OutcomeForm,
    windows_text,
)
from enlace.campaigns.history import ACTION_LABELS
from enlace.campaigns.models import (
    Attempt,
    Campaign,
    CampaignStatus,
    Contact,
    ContactImport,
    ContactState,
    DoNotCall,
)
from enlace.core.errors import BusinessError
from enlace.core.identifiers import format_phone
from enlace.core.tabular import TableFileError, header_check, open_source
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia
from enlace.surveys.models import StudyCentre

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _runner(request: HttpRequest) -> Any:
    user = current_user(request)
    if not queries.can_run(user):
        raise PermissionDenied
    return user


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not queries.can_see_campaigns(user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    campaigns = queries.visible_campaigns(user).select_related("requested_by")
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns.order_by("-created_at", "-id")[:200],
            "status": status,
            "statuses": CampaignStatus.choices,
            "can_run": queries.can_run(user),
        },
    )


def _form_page(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    user = _runner(request)
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            plan = actions.CampaignPlan(
                name=data["name"],
                purpose=data["purpose"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                script=data["script"],
                requested_by=data["requested_by"],
                study=data["study"],
                priority=data["priority"],
                max_attempts=data["max_attempts"],
                retry_busy_minutes=data["retry_busy_minutes"],
                retry_no_answer_minutes=data["retry_no_answer_minutes"],
                retry_voicemail_minutes=data["retry_voicemail_minutes"],
                windows=data["windows"],
                agents=list(data["agents"]),
            )
            try:
                saved = actions.do_save_campaign(plan, acting_user=user, campaign=campaign)
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("campaigns:detail", pk=saved.pk)
        status = 400
    else:
        initial: dict[str, Any] = {}
        if campaign is not None:
            initial = {
                "name": campaign.name,
                "purpose": campaign.purpose,
                "requested_by": campaign.requested_by.label if campaign.requested_by else "",
                "starts_on": campaign.starts_on,
                "ends_on": campaign.ends_on,
                "script": campaign.script,
                "study": campaign.study_id,
                "windows": windows_text(actions.windows_of(campaign)),
                "priority": campaign.priority,
                "max_attempts": campaign.max_attempts,
                "retry_busy_minutes": campaign.retry_busy_minutes,
                "retry_no_answer_minutes": campaign.retry_no_answer_minutes,
                "retry_voicemail_minutes": campaign.retry_voicemail_minutes,
                "agents": list(campaign.agents.values_list("id", flat=True)),
            }
        form = CampaignForm(initial=initial)
    return render(
        request,
        "campaigns/form.html",
        {
            "form": form,
            "campaign": campaign,
            "dependency_options": Dependency.objects.active().order_by("name"),
        },
        status=status,
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = queries.access_campaign_for_user(_runner(request), pk)
    if campaign.status == CampaignStatus.FINISHED:
        messages.error(request, _("A finished campaign cannot change."))
        return redirect("campaigns:detail", pk=pk)
    return _form_page(request, campaign)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    campaign = queries.access_campaign_for_user(user, pk)
    runner = queries.can_run(user)
    now = timezone.now()
    held = (
        Contact.objects.filter(
            campaign=campaign,
            lease_holder=user,
            lease_until__gt=now,
            state=ContactState.TO_CALL,
        )
        .order_by("id")
        .first()
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "can_run": runner,
        "can_call": queries.works_on(user, campaign),
        "held": held,
        "progress": queries.progress(campaign, agent=None if runner else user),
        "windows": windows_text(actions.windows_of(campaign)).splitlines(),
    }
    if runner:
        context["imports"] = campaign.imports.select_related("by")[:20]
        context["events"] = [
            (event, ACTION_LABELS.get(event.action, event.action))
            for event in campaign.events.select_related("actor")[:30]
        ]
        context["agents"] = [a.get_full_name() or a.username for a in campaign.agents.all()]
        # Who holds contacts now: the supervisor may give them back to the queue.
        context["holders"] = list(
            User.objects.filter(
                pk__in=Contact.objects.filter(
                    campaign=campaign, lease_until__gt=now, lease_holder__isnull=False
                ).values("lease_holder")
            ).order_by("first_name", "username")
        )
    return render(request, "campaigns/detail.html", context)


@login_required
@require_POST
def campaign_step(request: HttpRequest, pk: int) -> HttpResponse:
    user = _runner(request)
    campaign = queries.access_campaign_for_user(user, pk)
    try:
        actions.do_step(campaign, request.POST.get("do", ""), acting_user=user)
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Campaign updated."))
    return redirect("campaigns:detail", pk=pk)


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _runner(request)
    campaign = queries.access_campaign_for_user(user, pk)
    agent = User.objects.filter(pk=request.POST.get("agent") or 0).first()
    if agent is None:
        messages.error(request, _("Choose the agent."))
        return redirect("campaigns:detail", pk=pk)
    released = actions.do_reassign(campaign, from_agent=agent, acting_user=user)
    messages.success(
        request,
        ngettext(
            "%(n)s contact given back to the queue.",
            "%(n)s contacts given back to the queue.",
            released,
        )
        % {"n": released},
    )
    return redirect("campaigns:detail", pk=pk)


@login_required
def campaign_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = _runner(request)
    campaign = queries.access_campaign_for_user(user, pk)
    report = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            check = header_check(actions.REQUIRED_COLUMNS, actions.KNOWN_COLUMNS, extra=True)
            try:
                source = open_source(upload.file, upload.name, check)
                report = actions.do_import_contacts(
                    campaign,
                    source,
                    acting_user=user,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                )
            except TableFileError as error:
                for problem in error.problems:
                    form.add_error("file", str(problem))
            except BusinessError as error:
                form.add_error(None, str(error))
            else:
                if report.problems and not form.cleaned_data["skip_invalid"]:
                    status = 400
                else:
                    messages.success(
                        request,
                        _(
                            "%(added)s contacts added, %(merged)s merged as duplicates, "
                            "%(excluded)s left out (do not call), %(rejected)s rejected."
                        )
                        % {
                            "added": report.created,
                            "merged": report.merged,
                            "excluded": report.excluded,
                            "rejected": report.rejected_rows,
                        },
                    )
                    return redirect("campaigns:detail", pk=pk)
        if not form.is_valid() or status != 200 or form.errors:
            status = 400
    else:
        form = ImportForm()
    return render(
        request,
        "campaigns/import.html",
        {
            "campaign": campaign,
            "form": form,
            "problems": report.problems[:200] if report else [],
            "problem_count": len(report.problems) if report else 0,
        },
        status=status,
    )


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    user = _runner(request)
    done = get_object_or_404(
        ContactImport.objects.filter(campaign__in=queries.visible_campaigns(user)), pk=pk
    )
    record_access(user, AccessVia.CAMPAIGN_EXPORT, subject=f"campaign:{done.campaign_id}")
    response = HttpResponse(done.rejected, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rechazadas-{done.pk}.csv"'
    return response


@login_required
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    user = _runner(request)
    campaign = queries.access_campaign_for_user(user, pk)
    record_access(user, AccessVia.CAMPAIGN_EXPORT, subject=f"campaign:{campaign.pk}")
    response = HttpResponse(results_xlsx(campaign), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="campana-{campaign.pk}.xlsx"'
    return response


@login_required
@require_POST
def next_call(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    campaign = queries.access_campaign_for_user(user, pk)
    if not queries.works_on(user, campaign):
        raise PermissionDenied
    try:
        contact = actions.do_claim_next(campaign, user)
    except BusinessError as error:
        messages.error(request, str(error))
        return redirect("campaigns:detail", pk=pk)
    if contact is None:
        messages.info(request, _("Nobody is due to be called now."))
        return redirect("campaigns:detail", pk=pk)
    actions.do_dial(contact, user)
    return redirect("campaigns:call", pk=contact.pk)


@login_required
def call(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    contact = queries.access_contact_for_user(user, pk)
    campaign = contact.campaign
    status = 200
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_record_outcome(
                    contact,
                    actions.CallResult(
                        outcome=data["outcome"],
                        note=data["note"],
                        rescheduled_to=data["rescheduled_to"],
                        call_back_at=data["call_back_at"],
                        phone=data["phone"],
                    ),
                    agent=user,
                    seen_version=data["version"],
                )
            except BusinessError as error:
                if error.code == "conflict":
                    messages.error(request, str(error))
                    return redirect("campaigns:detail", pk=campaign.pk)
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Call recorded."))
                if request.POST.get("then") == "next" and campaign.status == CampaignStatus.RUNNING:
                    return next_call(request, campaign.pk)
                return redirect("campaigns:detail", pk=campaign.pk)
        status = 400
    else:
        form = OutcomeForm(initial={"version": contact.version})
        # Who saw whose data: the person's phone names them in the access log.
        record_access(user, AccessVia.CAMPAIGN_CALL, subject=contact.phone or f"contact:{pk}")
    survey_centre = _survey_centre(campaign, contact)
    values = {
        "nombre": contact.name,
        "telefono": format_phone(contact.phone),
        "dui": contact.dui,
        "afiliacion": contact.affiliation,
        **contact.data,
    }
    return render(
        request,
        "campaigns/call.html",
        {
            "contact": contact,
            "campaign": campaign,
            "form": form,
            "script": rules.fill_script(campaign.script, values),
            "phones": [(p, format_phone(p)) for p in (contact.phone, contact.phone_alt) if p],
            "earlier": Attempt.objects.filter(contact=contact).select_related("agent")[:20],
            "survey_centre": survey_centre,
            "intake_url": reverse("cases:new")
            + f"?contacto={contact.pk}"
            + (f"&llamada={contact.open_call_id}" if contact.open_call_id else ""),
        },
        status=status,
    )


def _survey_centre(campaign: Campaign, contact: Contact) -> int | None:
    """For a survey campaign, the study's centre the interview is about: the list's column
    `centro` (a code or a name), else the dependency that asked, else the study's first."""
    if campaign.study_id is None:
        return None
    centres = list(
        StudyCentre.objects.filter(study_id=campaign.study_id)
        .order_by("id")
        .values_list("dependency_id", flat=True)
    )
    named = resolve_dependency(str(contact.data.get("centro", ""))) if contact.data else None
    for candidate in (named.pk if named else None, campaign.requested_by_id):
        if candidate in centres:
            return candidate
    return centres[0] if centres else None


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    contact = queries.access_contact_for_user(user, pk)
    actions.do_release(contact, user)
    messages.info(request, _("The contact was given back to the queue."))
    return redirect("campaigns:detail", pk=contact.campaign_id)


@login_required
def do_not_call(request: HttpRequest) -> HttpResponse:
    user = _runner(request)
    status = 200
    if request.method == "POST":
        form = DoNotCallForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_add_do_not_call(
                    data["phone"], data["dui"], data["reason"], acting_user=user, note=data["note"]
                )
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Added to the do-not-call register."))
                return redirect("campaigns:do_not_call")
        status = 400
    else:
        form = DoNotCallForm()
    query = request.GET.get("q", "").strip()
    entries = DoNotCall.objects.select_related("by").order_by("-at", "-id")
    if query:
        entries = entries.filter(phone__contains=query) | entries.filter(dui__contains=query)
    return render(
        request,
        "campaigns/do_not_call.html",
        {"form": form, "entries": entries[:100], "query": query},
        status=status,
    )


@login_required
@require_POST
def do_not_call_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = _runner(request)
    entry = get_object_or_404(DoNotCall, pk=pk)
    actions.do_remove_do_not_call(entry, acting_user=user)
    messages.success(request, _("Removed from the do-not-call register."))
    return redirect("campaigns:do_not_call")
