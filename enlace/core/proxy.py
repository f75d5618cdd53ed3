"""The client's address behind a reverse proxy, believed only from the proxies we run.

nginx (deploy/nginx.conf.template) connects to the application servers and passes the address it
saw in `X-Real-IP` (overwriting whatever the client sent) and appends it to `X-Forwarded-For`.
Those headers are believed only when the connection itself comes from an address of
`TRUSTED_PROXIES` (addresses or networks); from anywhere else they could be a client naming any
address to escape a rate limit or a lock-out.

`TrustedProxyMiddleware` (first in MIDDLEWARE) rewrites `REMOTE_ADDR` once, so every use of it
(the portal's rate limits, the login throttle, the account events, the channels' logs) sees the
client. It trusts one hop: `X-Real-IP`, else the last address of `X-Forwarded-For` (the one our
proxy appended; anything left of it was written by the client and may be made up). A load
balancer in front of nginx is nginx's to see through (`set_real_ip_from`, docs/operations.md).
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


def client_from(
    remote_addr: str, real_ip: str, forwarded_for: str, trusted: tuple[Network, ...]
) -> str:
    """The client's address: `remote_addr` unless that is a trusted proxy; then the address the
    proxy says it saw (`X-Real-IP`, else the last hop of `X-Forwarded-For`), if it is one."""
    if not trusted or not within(remote_addr, trusted):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    candidate = real_ip.strip() or (hops[-1] if hops else "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr  # no address, or not one: the proxy's own


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
        if trusted:
            request.META["REMOTE_ADDR"] = client_from(
                str(request.META.get("REMOTE_ADDR") or ""),
                str(request.META.get("HTTP_X_REAL_IP") or ""),
                str(request.META.get("HTTP_X_FORWARDED_FOR") or ""),
                trusted,
            )
        return self.get_response(request)
