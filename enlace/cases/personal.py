"""Who is shown a case's personal data, and how it reads to the others.

A role sees the citizen's name, DUI, affiliation, phone, e-mail and what they wrote only with
`Capability.SEE_PERSONAL_DATA` (and, through the API, with a key that may: `ApiKey.
sees_personal_data`); anyone else gets them masked (enlace/privacy/masking.py) and the free
text left out. Every read in clear is in the access log (enlace/privacy/access.py), and a user's
or a key's reads in clear through the API are limited per hour (PERSONAL_DATA_READS_PER_HOUR).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from enlace.accounts.models import User
from enlace.apikeys.auth import request_key
from enlace.cases.models import Case
from enlace.cases.permissions import Capability, has_capability
from enlace.privacy import masking

WINDOW = 60 * 60  # seconds: the budget of reads in clear is per hour


def sees_personal_data(user: User) -> bool:
    return has_capability(user, Capability.SEE_PERSONAL_DATA)


def request_sees_personal_data(request: HttpRequest) -> bool:
    """The request's user may, and its API key (if it came with one) may too."""
    user = request.user
    if not isinstance(user, User) or not sees_personal_data(user):
        return False
    key = request_key(request)
    return key is None or key.sees_personal_data


def citizen(case: Case, *, personal: bool) -> dict[str, str]:
    if personal:
        return {
            "name": case.citizen_name,
            "dui": case.citizen_dui,
            "affiliation": case.citizen_affiliation,
            "phone": case.citizen_phone,
            "email": case.citizen_email,
        }
    return {
        "name": masking.name(case.citizen_name),
        "dui": masking.dui(case.citizen_dui),
        "affiliation": masking.affiliation(case.citizen_affiliation),
        "phone": masking.phone(case.citizen_phone),
        "email": masking.email(case.citizen_email),
    }


def spend(request: HttpRequest, reads: int) -> tuple[bool, int]:
    """Count `reads` cases read in clear against the hour's budget of the request's key (or
    user); (allowed, seconds until the hour ends). A request over budget reads nothing."""
    if reads <= 0:
        return True, 0
    key = request_key(request)
    actor = f"key:{key.pk}" if key is not None else f"user:{getattr(request.user, 'pk', '')}"
    now = time.time()
    slot = int(now // WINDOW)
    name = f"personal-reads:{actor}:{slot}"
    retry_after = max(1, int((slot + 1) * WINDOW - now))
    limit = int(settings.PERSONAL_DATA_READS_PER_HOUR)
    try:  # one round trip to the cache once the hour's counter exists
        used = cache.incr(name, reads)
    except ValueError:  # the hour's first read: start its counter (or join a racing one)
        used = reads if cache.add(name, reads, timeout=WINDOW + 60) else cache.incr(name, reads)
    if used > limit:
        cache.decr(name, reads)  # refused: what it did not read is not spent
        return False, retry_after
    return True, retry_after


def masked_text(personal: bool, text: str) -> str:
    """Free text (a description, an answer, a note) is left out for whoever may not read it."""
    return text if personal else ""
