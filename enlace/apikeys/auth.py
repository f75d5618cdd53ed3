"""Authenticating a raw API key: one indexed query by its hash (with its service account)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from enlace.apikeys.actions import KEY_PREFIX, hash_key
from enlace.apikeys.models import ApiKey
from enlace.core import reference

LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most this often
MAX_KEY_LENGTH = 200


def authenticate_key(raw: str) -> ApiKey | None:
    """The active key `raw` is, or None when unknown, malformed or revoked. Records when it was
    last used, at most once a minute, so reads stay one query."""
    raw = raw.strip()
    if not raw.startswith(KEY_PREFIX) or len(raw) > MAX_KEY_LENGTH:
        return None
    try:
        key = (
            ApiKey.objects.select_related("user")
            .annotate(
                limited=Exists(ApiKey.dependencies.through.objects.filter(apikey=OuterRef("pk"))),
                # The request's read of the reference data's version, carried by this query.
                reference_token=RawSQL(reference.token_sql(), ()),  # noqa: S611 - no input
            )
            .get(secret_hash=hash_key(raw), revoked_at__isnull=True)
        )
    except ApiKey.DoesNotExist:
        return None
    reference.prime(key.reference_token)
    if not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests of the same key write it once.
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        key.last_used_at = now
    return key


# --- Django Ninja authentication: an API key (two headers) or a staff session ----------------
def _refuse_unknown() -> AuthenticationError:
    return AuthenticationError(401, _("Unknown or revoked API key."))


def _principal(request: HttpRequest, raw: str | None) -> ApiKey | None:
    if not raw:
        return None
    key = authenticate_key(raw)
    if key is None:
        # A key was sent and is wrong: say so, rather than fall back to the session.
        raise _refuse_unknown()
    # The actions and the existing routers read request.user: the key acts as its account.
    request.user = key.user
    request.api_key = key  # type: ignore[attr-defined]
    if request.method not in ("GET", "HEAD", "OPTIONS") and not key.can_write:
        raise AuthorizationError(403, _("This API key may only read."))
    return key


class BearerKey(HttpBearer):
    """`Authorization: Bearer <key>`."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _principal(request, token)


class HeaderKey(APIKeyHeader):
    """`X-API-Key: <key>`."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _principal(request, key)


class StaffSession(SessionAuth):
    """The browser's session; unsafe methods must carry the CSRF token, as in the console."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None  # no session: no CSRF check to fail, the answer is a plain 401
        return super().__call__(request)


API_AUTH = [BearerKey(), HeaderKey(), StaffSession()]


def request_key(request: HttpRequest) -> ApiKey | None:
    """The API key the request was authenticated with, or None for a browser session."""
    key = getattr(request, "api_key", None)
    return key if isinstance(key, ApiKey) else None


def key_dependency_ids(request: HttpRequest) -> list[int] | None:
    """The centres the request's API key is limited to; None: no limit (or a session)."""
    key = request_key(request)
    return key.dependency_ids() if key is not None else None


def narrow_to_key(request: HttpRequest, dependency_ids: list[int] | None) -> list[int] | None:
    """A scope of centres (None: all) further limited to the request's API key's centres."""
    allowed = key_dependency_ids(request)
    if allowed is None:
        return dependency_ids
    if dependency_ids is None:
        return allowed
    return sorted(set(dependency_ids) & set(allowed))
