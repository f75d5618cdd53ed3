"""Staff sessions: they end after SESSION_IDLE_SECONDS without activity, and a role that needs
a second factor (security.py) gives it before anything else."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.accounts.security import confirmed_device, needs_second_factor

LAST_SEEN = "enlace_last_seen"
# The session is written at most this often to note activity (not on every request).
TOUCH_SECONDS = 60


def _is_automatic(request: HttpRequest) -> bool:
    """A page polling on its own (the call panel, a live dashboard) is not the person acting."""
    return request.GET.get("poll") == "1" or request.headers.get("X-Enlace-Poll") == "1"


class SessionExpiry:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if settings.SESSION_IDLE_SECONDS and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    _("Your session ended after %(minutes)s minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_SECONDS // 60},
                )
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("The session has ended."), "errors": []}, status=401
                    )
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
                )
            if not isinstance(last, int) or (
                now - last >= TOUCH_SECONDS and not _is_automatic(request)
            ):
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# Pages a person who has not given the second factor yet may open.
ALLOWED_BEFORE = (
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor",
    "accounts:second_factor_enrol",
    "set_language",
)


class SecondFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: frozenset[str] | None = None

    def allowed(self) -> frozenset[str]:
        if self._allowed is None:
            self._allowed = frozenset(reverse(name) for name in ALLOWED_BEFORE)
        return self._allowed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and needs_second_factor(user)
            and not user.is_verified()  # type: ignore[attr-defined]
            and request.path not in self.allowed()
            and not request.path.startswith(settings.STATIC_URL)
        ):
            if request.path.startswith("/api/"):
                detail = _("Give your second factor in the console before using the API.")
                return JsonResponse({"detail": detail, "errors": []}, status=403)
            page = (
                "accounts:second_factor"
                if confirmed_device(user)
                else "accounts:second_factor_enrol"
            )
            return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
