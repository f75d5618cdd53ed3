"""POST /canales/cti/: the telephone system's events (ringing, answered, hangup), with the shared
secret in X-CTI-Token. Each is stored first (once per call and event), then applied to its call
at once; a failure there leaves it pending for the sweeper, and the PBX still gets its 200."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enlace.callcentre.events import parse_event
from enlace.channels.actions import do_process_message, do_receive_message, do_store_refused
from enlace.channels.cti.plugin import PLUGIN_CODE
from enlace.channels.models import InboundStatus

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-CTI-Token"  # noqa: S105 (a header name, not a secret)


@csrf_exempt
@require_POST
def cti(request: HttpRequest) -> HttpResponse:
    """One call event as JSON."""
    expected: str = settings.CTI_TOKEN
    if not expected:
        raise Http404
    token = request.headers.get(TOKEN_HEADER, "")
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        logger.warning(
            "cti: %s token from %s",
            "wrong" if token else "no",
            request.META.get("REMOTE_ADDR", "?"),
        )
        return HttpResponse(status=403)
    try:
        text = request.body.decode("utf-8")
        event = parse_event(json.loads(text))
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        do_store_refused(PLUGIN_CODE, request.body, str(error))
        return JsonResponse({"error": str(error)}, status=400)
    except RecursionError:  # JSON nested deeper than Python parses
        reason = "the body is nested too deeply"
        do_store_refused(PLUGIN_CODE, request.body, reason)
        return JsonResponse({"error": reason}, status=400)
    message, created = do_receive_message(
        PLUGIN_CODE, event.external_id, body=text, sender=event.caller, process=False
    )
    if message.status == InboundStatus.PENDING:
        do_process_message(message.pk)
    return JsonResponse({"stored": created})
