"""The audit of API writes: every write made with an API key or a session through the API leaves
one `ApiAudit` row with its outcome, refused or not. config/api.py wraps every operation with
`audited`; Open311's writes (enlace/open311/views.py) too."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from enlace.accounts.models import User
from enlace.apikeys.auth import request_key
from enlace.apikeys.models import ApiAudit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def audited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps every view of the API: a write (any method but GET, HEAD, OPTIONS) made by an
    authenticated user or key leaves one ApiAudit row with its outcome, refused or not."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return view(request, *args, **kwargs)
        # One transaction for the write and its audit row: both are kept or neither, and the
        # request pays one commit. Refusals are answers, not exceptions: their row is kept
        # (the actions roll back their own writes before they refuse).
        with transaction.atomic():
            response = view(request, *args, **kwargs)
            if request.user.is_authenticated:
                user = request.user
                ApiAudit.objects.create(
                    at=timezone.now(),
                    user=user if isinstance(user, User) else None,
                    api_key=request_key(request),
                    method=str(request.method)[:10],
                    path=request.path[:300],
                    status_code=response.status_code,
                    object_id=str(getattr(request, "audit_object_id", ""))[:40],
                )
        return response

    return wrapper
