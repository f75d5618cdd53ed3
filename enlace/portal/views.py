"""The public portal: send an opinion or an inquiry, get a receipt, follow the case with its
code and a second factor, and rate the answer. No login; every POST is rate limited per
client address; nothing personal is shown without the second factor."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enlace.cases.deadlines import answer_due_on
from enlace.cases.models import Case
from enlace.cases.rules import format_tracking_code, new_tracking_code
from enlace.catalogues.models import Channel
from enlace.channels.dsr_portal import plugin as dsr_portal
from enlace.channels.models import InboundMessage
from enlace.channels.portal.plugin import Portal
from enlace.core import ratelimit
from enlace.portal.actions import Submission, do_rate_case, do_submit
from enlace.portal.forms import DataRequestForm, RateForm, SubmitForm, TrackForm, new_token
from enlace.portal.keys import clave_for, format_clave, hash_clave
from enlace.portal.models import SatisfactionRating
from enlace.portal.queries import CITIZEN_STATUS, case_for_citizen, shows_answer
from enlace.privacy.models import SubjectRequest

logger = logging.getLogger(__name__)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    return ratelimit.too_many(request, retry_after, "portal/too_many.html")


@never_cache
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = SubmitForm(initial={"token": new_token()})
        return render(request, "portal/home.html", {"form": form})
    allowed, retry_after = ratelimit.hit(request, "submit")
    if not allowed:
        return too_many(request, retry_after)
    form = SubmitForm(request.POST, request.FILES)
    if form.is_robot:
        logger.warning(
            "portal: honeypot filled from %s; nothing stored", ratelimit.client_address(request)
        )
        return _fake_receipt(request)
    if not form.is_valid():
        return render(request, "portal/home.html", {"form": form}, status=400)
    token = str(form.cleaned_data["token"])
    clave = "" if form.has_second_factor() else clave_for(token)
    data = form.cleaned_data
    message = do_submit(
        Submission(
            token=token,
            payload=form.payload(hash_clave(clave) if clave else ""),
            sender=data["email"] or data["phone"],
            uploads=data.get("attachments") or [],
        )
    )
    return _receipt(request, message, clave=clave, email=data["email"])


def _channel_name() -> str:
    channel = Channel.objects.filter(code=Portal.catalogue_channel).first()
    return channel.name if channel else _("Website")


def _receipt(
    request: HttpRequest, message: InboundMessage, *, clave: str, email: str
) -> HttpResponse:
    case = (
        Case.objects.select_related("channel").filter(pk=message.case_id).first()
        if message.case_id is not None
        else None
    )
    context: dict[str, Any] = {
        "case": case,
        "code": case.display_code if case else "",
        "received_at": timezone.localtime(case.received_at if case else message.received_at),
        "channel": case.channel.name if case else _channel_name(),
        "subject": case.subject if case else "",
        "due_on": answer_due_on(case) if case else None,
        "clave": format_clave(clave) if clave else "",
        "email": email,
    }
    return render(request, "portal/receipt.html", context)


def _fake_receipt(request: HttpRequest) -> HttpResponse:
    """What a robot that filled the honeypot sees: a receipt like any other, for no case."""
    now: datetime = timezone.localtime()
    context = {
        "case": True,
        "code": format_tracking_code(new_tracking_code()),
        "received_at": now,
        "channel": _channel_name(),
        "subject": "",
        "clave": "",
        "email": "",
    }
    return render(request, "portal/receipt.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": TrackForm()})
    allowed, retry_after = ratelimit.hit(request, "track")
    if not allowed:
        return too_many(request, retry_after)
    form = TrackForm(request.POST)
    case = None
    if form.is_valid():
        case = case_for_citizen(form.cleaned_data["code"], form.cleaned_data["factor"])
    if case is None:
        return _not_found(request)
    return _result(request, case, form)


def _not_found(request: HttpRequest) -> HttpResponse:
    """One answer for a wrong code and a wrong factor; the code typed stays, the factor (it
    may be a key) is not sent back."""
    form = TrackForm(initial={"code": request.POST.get("code", "")[:20]})
    return render(request, "portal/track.html", {"form": form, "not_found": True}, status=400)


def _result(
    request: HttpRequest, case: Case, form: TrackForm, rate_form: RateForm | None = None
) -> HttpResponse:
    headline, explanation = CITIZEN_STATUS[case.status]
    rating = SatisfactionRating.objects.filter(case=case).first()
    if rate_form is None and shows_answer(case):
        rate_form = RateForm(
            initial={
                "code": case.display_code,
                "factor": form.cleaned_data["factor"],
                "rating": rating.rating if rating else None,
                "comment": rating.comment if rating else "",
            }
        )
    context = {
        "case": case,
        "headline": headline,
        "explanation": explanation,
        "shows_answer": shows_answer(case),
        "due_on": answer_due_on(case),
        "rating": rating,
        "rate_form": rate_form,
        "factor": form.cleaned_data["factor"],
    }
    return render(
        request,
        "portal/result.html",
        context,
        status=400 if rate_form and rate_form.errors else 200,
    )


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    allowed, retry_after = ratelimit.hit(request, "track")
    if not allowed:
        return too_many(request, retry_after)
    form = RateForm(request.POST)
    form.is_valid()
    code = form.cleaned_data.get("code", "")
    factor = form.cleaned_data.get("factor", "")
    case = case_for_citizen(code, factor) if code and factor else None
    if case is None or not shows_answer(case):
        return _not_found(request)
    if form.errors:
        return _result(request, case, form, rate_form=form)
    rating = do_rate_case(case, form.cleaned_data["rating"], form.cleaned_data["comment"])
    return render(request, "portal/rated.html", {"case": case, "rating": rating})


# --- Requests over one's personal data ---------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def data_request(request: HttpRequest) -> HttpResponse:
    """File a request over one's personal data: stored as it arrived, then registered with
    its number and its legal due date (enlace/channels/dsr_portal)."""
    if request.method != "POST":
        form = DataRequestForm(initial={"token": new_token()})
        return render(request, "portal/data_request.html", {"form": form})
    allowed, retry_after = ratelimit.hit(request, "submit")
    if not allowed:
        return too_many(request, retry_after)
    form = DataRequestForm(request.POST)
    if form.is_robot:
        logger.warning(
            "portal: honeypot filled from %s; nothing stored", ratelimit.client_address(request)
        )
        return redirect("portal:data_receipt", token=new_token())
    if not form.is_valid():
        return render(request, "portal/data_request.html", {"form": form}, status=400)
    token = str(form.cleaned_data["token"])
    dsr_portal.file_request(token, form.cleaned_data)
    return redirect("portal:data_receipt", token=token)


@never_cache
@require_GET
def data_receipt(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The receipt, at an address only the person who filed knows (the form's random token);
    a filing stored but not yet registered shows that it was received. An unknown token (a
    robot's) shows a receipt-shaped page that names nothing."""
    found = (
        SubjectRequest.objects.filter(intake_token=token)
        .only("number", "received_at", "due_on", "email", "kind")
        .first()
    )
    if found is not None:
        context: dict[str, Any] = {
            "number": found.number,
            "kind": found.get_kind_display(),
            "received_at": timezone.localtime(found.received_at),
            "due_on": found.due_on,
            "email": found.email,
        }
        return render(request, "portal/data_receipt.html", context)
    message = (
        InboundMessage.objects.filter(plugin=dsr_portal.CODE, external_id=str(token))
        .only("received_at")
        .first()
    )
    context = {
        "number": str(token)[:8].upper(),
        "received_at": timezone.localtime(message.received_at if message else timezone.now()),
        "pending": True,
    }
    return render(request, "portal/data_receipt.html", context, status=202 if message else 200)
