"""The second factor of the public tracking page. Pure: no database access.

A case is tracked with its code plus something only its citizen knows: the email, DUI or
phone they gave, or, when they gave none, a clave shown once on the receipt. The clave is
derived from the form's secret token with the SECRET_KEY (HMAC), so reloading the receipt (the
same form posted again) shows the same clave, and nothing but its SHA-256 is stored. Eight
symbols of the tracking-code alphabet: 22**8 = 5.5e10 values, behind a code of 2.7e13 and a rate
limit per address.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

from enlace.cases.rules import TRACKING_ALPHABET

CLAVE_LENGTH = 8
_CLAVE_RE = re.compile(rf"^[{TRACKING_ALPHABET}]{{{CLAVE_LENGTH}}}$")


def clave_for(token: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"enlace.portal.clave:{token}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest, "big")
    symbols = []
    for _position in range(CLAVE_LENGTH):
        number, digit = divmod(number, len(TRACKING_ALPHABET))
        symbols.append(TRACKING_ALPHABET[digit])
    return "".join(symbols)


def format_clave(clave: str) -> str:
    return f"{clave[:4]}-{clave[4:]}"


def normalise_clave(text: str) -> str | None:
    cleaned = re.sub(r"[\s\-]", "", text.upper())
    return cleaned if _CLAVE_RE.match(cleaned) else None


def hash_clave(clave: str) -> str:
    return hashlib.sha256(f"enlace-clave:{clave}".encode()).hexdigest()
