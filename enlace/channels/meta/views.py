"""The webhooks: /canales/whatsapp/webhook/ and /canales/facebook/webhook/.

GET is Meta's verification handshake. POST must be signed: `X-Hub-Signature-256` is
"sha256=" and the HMAC-SHA256 of the raw body with the app secret, compared in constant time.
A signed delivery is stored as it arrived, one InboundMessage per message or status in it,
before anything else is done with it, and answered 200 at once; processing runs in the
background. Meta retries anything but a 200, so a repeat finds its rows and changes nothing.

Each row holds the whole delivery as it arrived (usually one message; a batch of statuses is
repeated on each of its rows), so that it can be checked against its signature later; the
plug-in picks its own part out of it by the row's id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from enlace.channels.actions import do_receive_message, do_store_refused
from enlace.channels.meta import envelope
from enlace.channels.meta.platforms import Platform, platform

logger = logging.getLogger(__name__)

# Headers kept with what arrived: enough to check the signature again later.
KEPT_HEADERS = ("X-Hub-Signature-256", "Content-Type", "User-Agent")


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, plugin: str) -> HttpResponse:
    target = platform(plugin)
    if not target.receives:
        raise Http404
    if request.method == "GET":
        return _verify(request, target)
    return _receive(request, target)


def _verify(request: HttpRequest, target: Platform) -> HttpResponse:
    token = request.GET.get("hub.verify_token", "")
    if request.GET.get("hub.mode") == "subscribe" and hmac.compare_digest(
        token.encode(), target.verify_token.encode()
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    logger.warning("%s webhook: verification refused", target.code)
    return HttpResponseForbidden()


def _receive(request: HttpRequest, target: Platform) -> HttpResponse:
    body = request.body
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header or not signature_ok(target.app_secret, body, header):
        logger.warning(
            "%s webhook: %s signature from %s, %d bytes refused",
            target.code,
            "wrong" if header else "no",
            request.META.get("REMOTE_ADDR", "?"),
            len(body),
        )
        return HttpResponseForbidden()
    headers = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deeply
        logger.warning("%s webhook: signed but not JSON, %d bytes", target.code, len(body))
        do_store_refused(target.code, body, f"not JSON: {type(error).__name__}", headers=headers)
        return HttpResponse(status=400)
    found = envelope.items(target.code, payload)
    with transaction.atomic():
        for item in found:
            do_receive_message(
                target.code, item.external_id, body=text, sender=item.sender, headers=headers
            )
        if not found:
            # Something Enlace does not act on (a reaction, an unknown field): kept all the
            # same, once, under its content's hash; processing ignores it.
            digest = hashlib.sha256(body).hexdigest()
            do_receive_message(target.code, f"other:{digest}", body=text, headers=headers)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")
