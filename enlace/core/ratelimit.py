"""Requests per client address per window, counted in Django's cache (CACHES in
config/settings.py: the database by default, so every web server counts into one place).

A fixed window: the count of `scope` for an address lives under a key named after the window
it falls in, and expires with it. Over the limit, the view answers 429 (`too_many`). The
citizens' portal and the OIR's public pages count their submissions and look-ups here, the
public questionnaires their answers.
"""

from __future__ import annotations

import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from enlace.core import proxy

# (requests, seconds) per client address; settings may override either.
DEFAULT_LIMITS = {
    "submit": (10, 60 * 60),  # ten submissions an hour: a family, a desk helping citizens
    "track": (20, 10 * 60),  # twenty look-ups in ten minutes
    # Public questionnaires sent: a centre's waiting room may share one address (its Wi-Fi, a
    # carrier's NAT), so the limit is generous; a device answers a study once a day anyway.
    "survey": (60, 60 * 60),
}


def limit_for(scope: str) -> tuple[int, int]:
    limits: dict[str, tuple[int, int]] = getattr(settings, "PORTAL_RATE_LIMITS", {})
    if scope == "login":  # failed staff logins per address (settings.LOGIN_ADDRESS_LIMIT)
        return limits.get(scope, (settings.LOGIN_ADDRESS_LIMIT, 15 * 60))
    return limits.get(scope, DEFAULT_LIMITS[scope])


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR: behind a proxy, the client's as enlace/core/proxy.py found it, believing
    `X-Forwarded-For` only from the addresses of TRUSTED_PROXIES (a header sent by the client
    itself could name any address and escape the limit)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@lru_cache(maxsize=8)
def _exempt(items: tuple[str, ...]) -> tuple[proxy.Network, ...]:
    return proxy.networks(items, "RATE_LIMIT_EXEMPT")


def exempt(request: HttpRequest) -> bool:
    """Whether the address is one of RATE_LIMIT_EXEMPT (empty by default): a load generator of
    a test stack, never a production setting (docs/operations.md)."""
    nets = _exempt(tuple(getattr(settings, "RATE_LIMIT_EXEMPT", ())))
    return bool(nets) and proxy.within(client_address(request), nets)


def _slot(request: HttpRequest, scope: str, now: float | None) -> tuple[str, int, int, int]:
    """The cache key of the address's current window, its limit, its length and the seconds
    until it ends."""
    limit, window = limit_for(scope)
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"rate:{scope}:{client_address(request)}:{slot}"
    return key, limit, window, max(1, int((slot + 1) * window - now))


def over(request: HttpRequest, scope: str, *, now: float | None = None) -> tuple[bool, int]:
    """Whether the address has already used up its window, without counting this request;
    (over, seconds until the window ends)."""
    key, limit, _window, retry_after = _slot(request, scope, now)
    if exempt(request):
        return False, retry_after
    return int(cache.get(key, 0)) >= limit, retry_after


def hit(request: HttpRequest, scope: str, *, now: float | None = None) -> tuple[bool, int]:
    """Count one request; (allowed, seconds until the window ends)."""
    key, limit, window, retry_after = _slot(request, scope, now)
    if exempt(request):
        return True, retry_after
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
    return count <= limit, retry_after


def too_many(request: HttpRequest, retry_after: int, template: str) -> HttpResponse:
    """The 429 page (`template` says it in the look of the pages refused), with Retry-After."""
    response = render(request, template, {"minutes": max(1, (retry_after + 59) // 60)}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
