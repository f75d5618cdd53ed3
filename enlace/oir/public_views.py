"""The OIR's public pages under /informacion-publica/: file a request (no login, rate limited,
a honeypot, the form token so a double submit is one request; stored as an InboundMessage
first, then processed, see enlace/channels/oir_portal), its receipt, following a request with its
number and a second factor, the public register of resolved requests and the index of reserved
information."""

from __future__ import annotations

import logging
import uuid

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from enlace.channels.models import InboundMessage
from enlace.core import ratelimit
from enlace.core.errors import BusinessError
from enlace.oir import actions, queries
from enlace.oir.forms import PublicRequestForm, TrackRequestForm
from enlace.oir.models import (
    InformationRequest,
    Outcome,
    RequestChannel,
    RequestStatus,
    ReservedEntry,
    ResolutionDocument,
)
from enlace.oir.rules import format_number

logger = logging.getLogger(__name__)
REGISTER_PAGE_SIZE = 20


@never_cache
@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = PublicRequestForm(initial={"token": uuid.uuid4()})
        return render(request, "oir/public/file.html", {"form": form})
    allowed, retry_after = ratelimit.hit(request, "submit")
    if not allowed:
        return ratelimit.too_many(request, retry_after, "portal/too_many.html")
    form = PublicRequestForm(request.POST)
    if form.is_robot:
        logger.warning(
            "oir: honeypot filled from %s; nothing stored", ratelimit.client_address(request)
        )
        now = timezone.localtime()
        context = {
            "number": format_number(now.year, 1 + now.microsecond % 9000),
            "received_at": now,
            "channel": RequestChannel.PORTAL.label,
            "due_on": None,
            "email": "",
        }
        return render(request, "oir/public/receipt.html", context)
    if form.is_valid():
        data = form.cleaned_data
        token = str(data["token"])
        try:
            actions.do_file_request(
                token,
                actions.NewRequest(
                    channel=RequestChannel.PORTAL,
                    **{name: data[name] for name in actions.FILING_FIELDS},
                ),
            )
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            # The receipt, or, if the processing failed, the notice that the filing is saved
            # and will be registered: reloading that address shows the receipt once it is.
            return redirect("oir_public:receipt", token=token)
    return render(request, "oir/public/file.html", {"form": form}, status=400)


@never_cache
@require_GET
def receipt(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The receipt, at an address only the person who filed knows (the form's random token).
    A filing stored but not yet registered (its processing failed; the sweeper retries it)
    shows that it was received, with a reference, instead."""
    found = (
        InformationRequest.objects.filter(intake_token=str(token))
        .only("number", "received_at", "channel", "due_on", "email")
        .first()
    )
    if found is None:
        message = (
            InboundMessage.objects.filter(plugin=actions.PORTAL_PLUGIN, external_id=str(token))
            .only("received_at", "sender", "status")
            .first()
        )
        if message is None:
            raise Http404(_("No such receipt."))
        context = {
            "reference": str(token)[:8].upper(),
            "received_at": timezone.localtime(message.received_at),
            "email": message.sender,
        }
        return render(request, "oir/public/pending.html", context, status=202)
    context = {
        "number": found.number,
        "received_at": timezone.localtime(found.received_at),
        "channel": found.get_channel_display(),
        "due_on": found.due_on,
        "email": found.email,
    }
    return render(request, "oir/public/receipt.html", context)


# --- Following a request ---------------------------------------------------------------------
# What each status means to the requester, in plain words: (headline, explanation).
REQUESTER_STATUS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    RequestStatus.RECEIVED: (
        gettext_lazy("Received"),
        gettext_lazy("We received your request and will ask the units that hold the information."),
    ),
    RequestStatus.IN_PROCESS: (
        gettext_lazy("In process"),
        gettext_lazy("The units that hold the information are preparing it."),
    ),
    RequestStatus.CLARIFICATION: (
        gettext_lazy("Waiting for your clarification"),
        gettext_lazy(
            "We asked you to clarify your request. The deadline is stopped until you answer: "
            "write to the OIR or come to its office."
        ),
    ),
    RequestStatus.EXTENDED: (
        gettext_lazy("In process, deadline extended"),
        gettext_lazy("The deadline was extended by five business days, as the law allows."),
    ),
    RequestStatus.RESOLVED: (
        gettext_lazy("Resolved"),
        gettext_lazy("The resolution is issued and will be notified to you."),
    ),
    RequestStatus.NOTIFIED: (
        gettext_lazy("Resolved and notified"),
        gettext_lazy("The resolution was notified to you. You can download it below."),
    ),
}


def _looked_up(request: HttpRequest) -> tuple[TrackRequestForm, InformationRequest | None]:
    form = TrackRequestForm(request.POST)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, queries.request_for_requester(data["number"], data["factor"])


def _not_tracked(request: HttpRequest) -> HttpResponse:
    """One answer for a wrong number, a wrong second factor or a document not there to give;
    the number typed stays, the factor is not sent back."""
    form = TrackRequestForm(initial={"number": request.POST.get("number", "")[:20]})
    return render(request, "oir/public/track.html", {"form": form, "not_found": True}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """A requester follows their request with its number and the e-mail or the document
    number they gave: status, legal due date, the items' outcomes once resolved, and the
    resolution's PDF once notified."""
    if request.method != "POST":
        return render(request, "oir/public/track.html", {"form": TrackRequestForm()})
    allowed, retry_after = ratelimit.hit(request, "track")
    if not allowed:
        return ratelimit.too_many(request, retry_after, "portal/too_many.html")
    form, found = _looked_up(request)
    if found is None:
        return _not_tracked(request)
    headline, explanation = REQUESTER_STATUS[found.status]
    context = {
        "info": found,
        "headline": headline,
        "explanation": explanation,
        "items": queries.requester_items(found),
        "has_document": found.status == RequestStatus.NOTIFIED
        and ResolutionDocument.objects.filter(request=found).exists(),
        "factor": form.cleaned_data["factor"],
    }
    return render(request, "oir/public/tracked.html", context)


@never_cache
@require_POST
def track_pdf(request: HttpRequest) -> HttpResponse:
    """The resolution as issued, to the requester once it was notified (number and second
    factor posted again, as the tracking page's button does)."""
    allowed, retry_after = ratelimit.hit(request, "track")
    if not allowed:
        return ratelimit.too_many(request, retry_after, "portal/too_many.html")
    _form, found = _looked_up(request)
    document = (
        ResolutionDocument.objects.select_related("request").filter(request=found).first()
        if found is not None and found.status == RequestStatus.NOTIFIED
        else None
    )
    if document is None:
        return _not_tracked(request)
    with document.pdf.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Resolved requests, without personal data, so a repeated question finds its answer."""
    rows = queries.public_requests()
    text = request.GET.get("q", "").strip()[:200]
    if text:
        rows = rows.filter(Q(number__iexact=text) | Q(public_summary__icontains=text))
    paginator = Paginator(rows.order_by("-resolved_on", "-id"), REGISTER_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("pagina"))
    return render(request, "oir/public/register.html", {"page": page, "q": text})


@require_GET
def register_entry(request: HttpRequest, number: str) -> HttpResponse:
    found = queries.public_request(number)
    outcomes = list(found.items.order_by("position").values_list("position", "outcome", "referral"))
    names = dict(Outcome.choices)
    context = {
        "entry": found,
        "outcomes": [(p, names.get(o, o), referral) for p, o, referral in outcomes],
    }
    return render(request, "oir/public/entry.html", context)


@require_GET
def reserved_index(request: HttpRequest) -> HttpResponse:
    """The index of reserved information is itself public (art. 22 LAIP)."""
    today = timezone.localdate()
    entries = [
        (entry, entry.in_force(today))
        for entry in ReservedEntry.objects.select_related("dependency").order_by(
            "-classified_on", "reference"
        )
    ]
    return render(request, "oir/public/reserved.html", {"entries": entries})
