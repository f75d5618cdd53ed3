"""The client's address behind a reverse proxy, trusted only from the proxies we run.

nginx (deploy/nginx.conf.template) connects to the application servers and passes the address it
saw in `X-Real-IP` and appends it to `X-Forwarded-For`. Those headers are believed only when
the connection itself comes from an address of `TRUSTED_PROXIES` (addresses or networks);
anything else could be a client naming any address to escape a rate limit or a lock-out.

`TrustedProxyMiddleware` (first in MIDDLEWARE) rewrites `REMOTE_ADDR` once, so every use of it
(the portal's rate limits, the login throttle, the account events, the channels' logs) sees the
client: walking `X-Forwarded-For` from the right, the first address that is not a trusted proxy.
With `TRUSTED_PROXIES` empty (the default) nothing is rewritten.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(items: Iterable[str], setting: str) -> tuple[Network, ...]:
    """Addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`) parsed, loudly."""
    parsed: list[Network] = []
    for item in items:
        try:
            parsed.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"{setting}: {item!r} is not an address: {error}") from None
    return tuple(parsed)


@lru_cache(maxsize=8)
def _trusted(items: tuple[str, ...]) -> tuple[Network, ...]:
    return networks(items, "TRUSTED_PROXIES")


def within(address: str, nets: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_from(remote_addr: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address: `remote_addr` unless it is a trusted proxy; then the right-most
    address of `forwarded_for` that is not one (every proxy of ours appends the address it saw,
    so anything left of the first stranger may be made up)."""
    if not trusted or not within(remote_addr, trusted):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not within(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # not an address: believe nothing of it
    return hops[0] if hops else remote_addr


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
        if trusted:
            remote = str(request.META.get("REMOTE_ADDR") or "")
            forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
            if not forwarded and within(remote, trusted):
                forwarded = str(request.META.get("HTTP_X_REAL_IP") or "")
            request.META["REMOTE_ADDR"] = client_from(remote, forwarded, trusted)
        return self.get_response(request)
