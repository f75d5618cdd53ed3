"""The cases' history: every `CaseEvent` is written here, and nowhere else.

`record` writes one row and `record_many` several (the deadline sweeper's); both tell the
subscribers that higher layers registered (`case_history.subscribe`, in their `ready()`): the
webhooks' outbox posts what other systems subscribed to, the notifications' outbox e-mails the
citizen and the staff. Bulk loads of past history (the historical import, the demo data) write
their rows directly and tell nobody: they announce nothing that happens now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import User
from enlace.cases.models import Case, CaseEvent
from enlace.core.history import History

case_history: History[CaseEvent] = History(CaseEvent)

# What the case page calls a change a history row records under a key that is not a field of
# the case: the apps that write such keys name them (`label_change`, from their `ready()`).
CHANGE_LABELS: dict[str, StrOrPromise] = {}


def label_change(key: str, label: StrOrPromise) -> None:
    CHANGE_LABELS[key] = label


def record(
    case: Case, kind: str, actor: User | None = None, *, at: datetime | None = None, **fields: Any
) -> CaseEvent:
    """Write one history row of `case` (now, unless `at` says when) and tell the subscribers."""
    event = CaseEvent(case=case, kind=kind, actor=actor, at=at or timezone.now(), **fields)
    return case_history.add(event)


def record_many(events: Sequence[CaseEvent], **context: Any) -> Sequence[CaseEvent]:
    """Write rows in one INSERT and tell the subscribers, with `context` (the sweeper gives the
    `deadline` they are about, and a `cache` shared by its batch)."""
    return case_history.add_many(events, **context)
