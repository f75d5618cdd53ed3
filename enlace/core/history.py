"""History is rows, written one way: through a `History` of the subject's event model.

A domain app keeps its history in an append-only model (`CaseEvent`, `RequestEvent`) and writes
every row through one `History` object, which then calls the subscribers that higher layers
registered in their `AppConfig.ready()` (the outboxes: the e-mail to send, the webhook to post).
The domain never imports them; they learn of each row in the row's own transaction, so what
they write commits or rolls back with it.

    case_history = History(CaseEvent)
    case_history.subscribe(record_webhook_deliveries)        # enlace/webhooks/apps.py
    case_history.add(CaseEvent(case=case, kind=..., actor=user, at=now))

A subscriber receives the rows written together and the context the writer gave (`deadline`
for a sweeper's rows, the recipients it found); `cache` is shared by the rows of one batch, so
a subscriber can read something once per batch rather than once per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import models

Row = TypeVar("Row", bound=models.Model)
Subscriber = Callable[[Sequence[Row], Mapping[str, Any]], None]


class History(Generic[Row]):
    def __init__(self, model: type[Row]) -> None:
        self.model = model
        self._subscribers: list[Subscriber[Row]] = []

    def subscribe(self, subscriber: Subscriber[Row]) -> None:
        """Call `subscriber` for every row written from now on (once, however often asked)."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber[Row]) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def subscribers(self) -> list[Subscriber[Row]]:
        return list(self._subscribers)

    def add(self, row: Row, **context: Any) -> Row:
        """Save one new row and tell the subscribers, with `context`."""
        row.save(force_insert=True)
        self._announce([row], context)
        return row

    def add_many(self, rows: Sequence[Row], **context: Any) -> Sequence[Row]:
        """Save new rows in one INSERT and tell the subscribers, with `context`."""
        if not rows:
            return rows
        self.model._default_manager.bulk_create(rows)
        self._announce(rows, context)
        return rows

    def _announce(self, rows: Sequence[Row], context: dict[str, Any]) -> None:
        for subscriber in self._subscribers:
            subscriber(rows, context)
