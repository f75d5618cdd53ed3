"""The history of information requests: every `RequestEvent` is written here, and nowhere else.

`record` writes one row and tells the subscribers that higher layers registered
(`request_history.subscribe`, in their `ready()`): the notifications' outbox e-mails the
requester their receipt, notices and resolution, the units their items and reminders, the
officers their alerts. Demo data writes its past rows directly and tells nobody.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from enlace.accounts.models import User
from enlace.core.history import History
from enlace.oir.models import InformationRequest, RequestEvent, RequestItem

request_history: History[RequestEvent] = History(RequestEvent)


def record(
    request: InformationRequest,
    kind: str,
    actor: User | None = None,
    *,
    item: RequestItem | None = None,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
    **context: Any,
) -> RequestEvent:
    """Write one history row of `request` (now, unless `at` says when) and tell the
    subscribers, with `context` (the sweeper's `recipients` and `overdue`)."""
    event = RequestEvent(
        request=request,
        item=item,
        kind=kind,
        actor=actor,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes or {},
    )
    return request_history.add(event, **context)
