"""The histories of data protection, written one way (enlace/core/history.py): a request's
events and a breach's. The notifications' outbox subscribes (receipts, answers, alerts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from enlace.core.history import History
from enlace.privacy.models import Breach, BreachEvent, SubjectRequest, SubjectRequestEvent

subject_history: History[SubjectRequestEvent] = History(SubjectRequestEvent)
breach_history: History[BreachEvent] = History(BreachEvent)


def record(
    request: SubjectRequest,
    kind: str,
    actor: Any = None,
    *,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
    **context: Any,
) -> SubjectRequestEvent:
    event = SubjectRequestEvent(
        request=request,
        kind=kind,
        actor=actor,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes or {},
    )
    return subject_history.add(event, **context)


def record_breach(
    breach: Breach, kind: str, actor: Any = None, *, note: str = "", **context: Any
) -> BreachEvent:
    event = BreachEvent(breach=breach, kind=kind, actor=actor, at=timezone.now(), note=note)
    return breach_history.add(event, **context)
