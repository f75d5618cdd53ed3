"""POST /canales/fake/: {"id": ..., "from": ..., "text": ...}, stored first, then processed."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enlace.channels.actions import do_receive_message
from enlace.channels.tests.fake.plugin import CODE


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    text = request.body.decode()
    data = json.loads(text)
    message, created = do_receive_message(CODE, data["id"], body=text, sender=data["from"])
    return JsonResponse({"stored": created, "message": message.pk})
