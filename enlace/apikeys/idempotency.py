"""`Idempotency-Key` on creates: a retried POST gets the first answer instead of a second object.

The first request stores (who, key, a hash of its body, the status and body of its answer) in the
create's own transaction. A retry with the same key and the same body gets that answer again; with
another body, a 422. The create itself is idempotent on a token derived from the holder and the
key (for cases, `Case.intake_token`, unique), so a first try looks nothing up: a retry, or a
second copy arriving at once (which waits for the first), meets the token, finds the object and
answers with the stored record; so does a retry whose data no longer validates.
Records older than IDEMPOTENCY_KEY_DAYS are deleted by `manage.py expire_idempotency_keys`."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from enlace.accounts.models import User
from enlace.apikeys.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_NAMESPACE = uuid.UUID("6f1c3f1e-7d4b-4c2e-9a51-3f0e2f6b8a10")


class IdempotencyMismatch(HttpError):
    def __init__(self) -> None:
        super().__init__(
            422, _("This Idempotency-Key was used for a different request body; use a new key.")
        )


def key_from(request: HttpRequest) -> str | None:
    """The request's Idempotency-Key, or None; a malformed one is a 422."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise HttpError(422, _("The Idempotency-Key header must be 1 to 255 printable characters."))
    return key


def body_hash(payload: Any) -> str:
    """A hash of the validated body, independent of key order and spacing."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def token_for(user: User, key: str) -> uuid.UUID:
    """The create's own idempotency token for this user and key. Not per operation: a key
    names one request, as its stored record (unique per user and key) does."""
    return uuid.uuid5(_NAMESPACE, f"{user.pk}:{key}")


def replay(user: User, key: str, request_hash: str) -> tuple[int, Any] | None:
    """The stored answer to this user's earlier request with `key`: (status, body), or None."""
    record = (
        IdempotentRequest.objects.filter(user=user, key=key)
        .only("request_hash", "status_code", "response")
        .first()
    )
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyMismatch()
    return record.status_code, record.response


def remember(
    user: User, key: str, operation: str, request_hash: str, status: int, response: Any
) -> None:
    """Store the answer; call it inside the create's transaction."""
    IdempotentRequest.objects.create(
        user=user,
        key=key,
        operation=operation,
        request_hash=request_hash,
        status_code=status,
        response=response,
        created_at=timezone.now(),
    )


def expire(*, now: Any = None) -> int:
    """Delete records older than IDEMPOTENCY_KEY_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
