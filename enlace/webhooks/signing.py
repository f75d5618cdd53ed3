"""Signing a webhook body, and checking a signature as a receiver does. Pure functions.

Header: `X-Enlace-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, where the HMAC is computed
with the endpoint's secret over the bytes `<t>.<body>`. Signing the timestamp with the body lets
a receiver refuse a captured request replayed later (see docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix that lets secret scanners spot one)
DEFAULT_TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its clock


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """Whether `header` (the X-Enlace-Signature value) signs `body` with `secret` at a time
    within `tolerance` seconds of `now` (the current time by default). Several v1 values (as
    sent while a secret is being rotated by a receiver that keeps both) are accepted if any
    matches; a malformed header is simply not valid."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if not (value.isascii() and value.isdigit()) or timestamp is not None:
                return False
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
