"""The public portal: send an opinion or an inquiry, get a receipt, follow the case with its
code and a second factor, reply to it while it waits for the citizen, and rate the answer. No
login; every POST is rate limited per client address; nothing personal is shown without the
second factor.

Post/redirect/get, and where the receipt's clave lives
------------------------------------------------------
A submission answers with a redirect to `/recibo/`, so that reloading the receipt asks again
for a page, not for the form to be sent again. The receipt's address names nothing: what it
shows is found through the citizen's own session, which holds only the form's token (the
stored message's external id, already in the database), whether a clave is due, and until when
the receipt may be shown (`RECEIPT_SECONDS`; on a shared computer the next person does not find
it). The clave itself is never stored, in the session or anywhere: it is derived again from the
token with the SECRET_KEY (`keys.clave_for`) on the first showing of the receipt only, which
then marks it shown. So it travels once, in that page's body (never cached: `never_cache`), and
never in an address, a redirect's Location, a cookie or a log; reloading shows the receipt
without it and says so. A signed token in the address was the other choice; it would put a
bearer of the receipt in browser histories and proxies' logs for as long as it lived.

The honeypot's robot gets the same redirect and a receipt-shaped page for no case.

A reply from the tracking page is posted with the code and the factor in the body (as the
rating is), and is followed by a redirect to the tracking form with a notice kept in the
session: the factor is never in an address.
"""

from __future__ import annotations

import json
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
from enlace.channels.portal.plugin import PLUGIN_CODE, Portal
from enlace.core import ratelimit
from enlace.core.errors import BusinessError
from enlace.portal.actions import Submission, do_rate_case, do_reply, do_submit
from enlace.portal.forms import (
    DataRequestForm,
    RateForm,
    ReplyForm,
    SubmitForm,
    TrackForm,
    new_token,
)
from enlace.portal.keys import clave_for, format_clave, hash_clave
from enlace.portal.models import SatisfactionRating
from enlace.portal.queries import (
    CITIZEN_STATUS,
    case_for_citizen,
    public_steps,
    shows_answer,
    waits_for_citizen,
)
from enlace.privacy.models import SubjectRequest

logger = logging.getLogger(__name__)

# The session's keys: the receipt of the latest submission, and the notice that a reply arrived.
RECEIPT = "portal_receipt"
REPLIED = "portal_replied"
# How long after sending the receipt can be shown again (reloaded, printed).
RECEIPT_SECONDS = 30 * 60


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
        _keep_receipt(request, str(new_token()), clave=False, decoy=True)
        return redirect("portal:receipt")
    if not form.is_valid():
        return render(request, "portal/home.html", {"form": form}, status=400)
    token = str(form.cleaned_data["token"])
    clave = "" if form.has_second_factor() else clave_for(token)
    data = form.cleaned_data
    do_submit(
        Submission(
            token=token,
            payload=form.payload(hash_clave(clave) if clave else ""),
            sender=data["email"] or data["phone"],
            uploads=data.get("attachments") or [],
        )
    )
    # Only the token and whether a clave is due: the clave is derived again when shown.
    _keep_receipt(request, token, clave=bool(clave))
    return redirect("portal:receipt")


def _keep_receipt(request: HttpRequest, token: str, *, clave: bool, decoy: bool = False) -> None:
    kept: dict[str, Any] = {
        "token": token,
        "clave": clave,
        "until": timezone.now().timestamp() + RECEIPT_SECONDS,
    }
    if decoy:  # the honeypot's: a code and a moment of its own, the same on every reload
        kept["decoy"] = format_tracking_code(new_tracking_code())
        kept["at"] = timezone.now().isoformat()
    request.session[RECEIPT] = kept


@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt of this browser's latest submission (see the module's docstring): the clave,
    if the citizen gave no second factor, on the first showing only. Nothing to show (another
    browser, too late) leads back to the form."""
    kept = request.session.get(RECEIPT)
    if not isinstance(kept, dict) or float(kept.get("until") or 0) < timezone.now().timestamp():
        request.session.pop(RECEIPT, None)
        return redirect("portal:home")
    clave = ""
    if kept.get("clave"):
        clave = clave_for(str(kept["token"]))
        request.session[RECEIPT] = {**kept, "clave": False}  # shown once
    if kept.get("decoy"):
        return _fake_receipt(request, str(kept["decoy"]), str(kept.get("at") or ""))
    message = (
        InboundMessage.objects.select_related("case__channel")
        .filter(plugin=PLUGIN_CODE, external_id=str(kept.get("token")))
        .first()
    )
    if message is None:
        request.session.pop(RECEIPT, None)
        return redirect("portal:home")
    return _receipt(request, message, clave=clave)


def _channel_name() -> str:
    channel = Channel.objects.filter(code=Portal.catalogue_channel).first()
    return channel.name if channel else _("Website")


def _receipt(request: HttpRequest, message: InboundMessage, *, clave: str) -> HttpResponse:
    case = message.case
    try:
        submitted: dict[str, Any] = json.loads(message.body)
    except ValueError:  # erased since (data protection): nothing of the person to show
        submitted = {}
    context: dict[str, Any] = {
        "case": case,
        "code": case.display_code if case else "",
        "received_at": timezone.localtime(case.received_at if case else message.received_at),
        "channel": case.channel.name if case else _channel_name(),
        "subject": case.subject if case else "",
        "due_on": answer_due_on(case) if case else None,
        "clave": format_clave(clave) if clave else "",
        # Anonymous, and the clave was shown already: the page says it is not shown again.
        "clave_shown": bool(submitted.get("clave_hash")) and not clave,
        "email": submitted.get("citizen", {}).get("email", ""),
    }
    return render(request, "portal/receipt.html", context)


def _fake_receipt(request: HttpRequest, code: str, at: str) -> HttpResponse:
    """What a robot that filled the honeypot sees: a receipt like any other, for no case."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = timezone.now()
    context = {
        "case": True,
        "code": code,
        "received_at": timezone.localtime(moment),
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
        replied = request.session.pop(REPLIED, None)
        replied = replied if isinstance(replied, str) else ""
        # After a reply, the code is filled in again; the factor never is.
        form = TrackForm(initial={"code": replied} if replied else None)
        return render(request, "portal/track.html", {"form": form, "replied": replied})
    allowed, retry_after = ratelimit.hit(request, "track")
    if not allowed:
        return too_many(request, retry_after)
    form = TrackForm(request.POST)
    if not form.is_valid():
        # A field left empty (or too long) says so by the field; this tells nothing of a case.
        form.forget_factor()
        return render(request, "portal/track.html", {"form": form}, status=400)
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
    request: HttpRequest,
    case: Case,
    form: TrackForm,
    rate_form: RateForm | None = None,
    reply_form: ReplyForm | None = None,
    *,
    refusal: str = "",
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
    if reply_form is None and waits_for_citizen(case):
        reply_form = ReplyForm(initial={"token": new_token()})
    context = {
        "case": case,
        "headline": headline,
        "explanation": explanation,
        "steps": public_steps(case),
        "shows_answer": shows_answer(case),
        "due_on": answer_due_on(case),
        "rating": rating,
        "rate_form": rate_form,
        "reply_form": reply_form if waits_for_citizen(case) else None,
        "refusal": refusal,
        "factor": form.cleaned_data["factor"],
    }
    status = 200
    if refusal:
        status = 409
    elif (rate_form and rate_form.errors) or (reply_form and reply_form.errors):
        status = 400
    return render(request, "portal/result.html", context, status=status)


@never_cache
@require_POST
def reply(request: HttpRequest) -> HttpResponse:
    """The citizen's reply to a case waiting for them: the code and the factor open the case
    again (a wrong pair gets the one generic answer); a case no longer waiting refuses it and
    keeps nothing; a reply kept is followed by a redirect to the tracking form, which says it
    arrived (the factor goes in no address)."""
    allowed, retry_after = ratelimit.hit(request, "track")
    if not allowed:
        return too_many(request, retry_after)
    form = ReplyForm(request.POST)
    form.is_valid()
    code = form.cleaned_data.get("code", "")
    factor = form.cleaned_data.get("factor", "")
    case = case_for_citizen(code, factor) if code and factor else None
    if case is None:
        return _not_found(request)
    if form.errors:
        return _result(request, case, form, reply_form=form)
    try:
        do_reply(case, str(form.cleaned_data["token"]), form.cleaned_data["text"].strip())
    except BusinessError as error:
        return _result(request, case, form, refusal=str(error))
    request.session[REPLIED] = case.display_code
    return redirect("portal:track")


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
