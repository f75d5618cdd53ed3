"""The hook the case history calls: one `WebhookDelivery` row per subscribed endpoint, written
in the same transaction as the history row, and their sending enqueued after the commit.

`on_case_events` subscribes to the cases' history (enlace/cases/history.py, registered in
`WebhooksConfig.ready()`): it sees every history row the actions and the sweeper write. A row
no endpoint could want (a comment, a reminder) costs nothing; otherwise it looks at the active
endpoints, reference data kept in memory (enlace/core/reference.py), and costs nothing more
when none subscribes. Bulk loads (the historical import, `seed_demo`) write their history rows
directly and never come here: they announce nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from enlace.campaigns.history import CampaignAction
from enlace.core import reference
from enlace.webhooks.events import EventType, event_type_for
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from enlace.webhooks.payload import (
    campaign_snapshot,
    case_snapshot,
    render_body,
    render_campaign_body,
)

if TYPE_CHECKING:
    from enlace.campaigns.models import CampaignEvent
    from enlace.cases.models import CaseDeadline, CaseEvent

logger = logging.getLogger(__name__)


def _load_endpoints() -> list[WebhookEndpoint]:
    active = WebhookEndpoint.objects.filter(is_active=True)
    return list(active.only("id", "events", "dependency_id"))


reference.register("webhook_endpoints", _load_endpoints, models=[WebhookEndpoint])


@dataclass
class _Written:
    """The rows written for one event, all carrying the same body."""

    case_id: int
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    extra: dict[str, Any]
    body: str
    delivery_ids: list[int]

    def render(self, snapshot: dict[str, Any]) -> str:
        return render_body(
            event_id=self.event_id,
            event_type=self.event_type,
            occurred_at=self.occurred_at,
            case=snapshot,
            extra=self.extra,
        )


def on_case_events(events: Sequence[CaseEvent], context: Mapping[str, Any]) -> None:
    """The subscriber of the cases' history: `context["deadline"]` is the deadline a
    sweeper's rows are about."""
    record(*events, deadline=context.get("deadline"))


def record(*events: CaseEvent, deadline: CaseDeadline | None = None) -> None:
    """Write the deliveries the history rows `events` give rise to (`deadline`: the deadline a
    sweeper's rows are about) and enqueue them once the transaction commits."""
    announced = [
        (event, event_type)
        for event in events
        if (event_type := event_type_for(event.kind, event.to_status)) is not None
    ]
    if not announced:
        return
    endpoints: list[WebhookEndpoint] = reference.get("webhook_endpoints")
    if not endpoints:
        return
    pending: list[tuple[_Written, list[WebhookDelivery]]] = []
    snapshots: dict[int, dict[str, Any] | None] = {}
    for event, event_type in announced:
        case = event.case
        targets = [
            endpoint
            for endpoint in endpoints
            if event_type in endpoint.events
            and endpoint.dependency_id in (None, case.dependency_id)
        ]
        if not targets:
            continue
        if case.pk not in snapshots:
            snapshots[case.pk] = case_snapshot(case.pk)
        snapshot = snapshots[case.pk]
        if snapshot is None:
            continue
        item = _Written(
            case_id=case.pk,
            event_id=uuid.uuid4(),
            event_type=event_type,
            occurred_at=event.at,
            extra=_extra(event_type, deadline),
            body="",
            delivery_ids=[],
        )
        item.body = item.render(snapshot)
        batch = [
            WebhookDelivery(
                endpoint_id=endpoint.pk, event_type=event_type, case_id=case.pk, body=item.body
            )
            for endpoint in targets
        ]
        pending.append((item, batch))
    if not pending:
        return
    WebhookDelivery.objects.bulk_create([row for _item, batch in pending for row in batch])
    written = []
    for item, batch in pending:
        item.delivery_ids = [row.pk for row in batch]
        written.append(item)
    transaction.on_commit(lambda: _after_commit(written), robust=True)


def on_campaign_events(events: Sequence[CampaignEvent], context: Mapping[str, Any]) -> None:
    """The subscriber of the campaigns' history: a finished campaign is posted to the endpoints
    that want `campaign.finished`, for every centre or for the dependency that asked for it,
    with its figures and where to read each contact's outcome (the body names no person)."""
    finished = [event for event in events if event.action == CampaignAction.FINISHED]
    if not finished:
        return
    endpoints: list[WebhookEndpoint] = reference.get("webhook_endpoints")
    rows: list[WebhookDelivery] = []
    for event in finished:
        campaign = event.campaign
        targets = [
            endpoint
            for endpoint in endpoints
            if EventType.CAMPAIGN_FINISHED in endpoint.events
            and endpoint.dependency_id in (None, campaign.requested_by_id)
        ]
        if not targets:
            continue
        body = render_campaign_body(
            event_id=uuid.uuid4(), occurred_at=event.at, campaign=campaign_snapshot(campaign)
        )
        rows += [
            WebhookDelivery(
                endpoint_id=endpoint.pk,
                event_type=EventType.CAMPAIGN_FINISHED,
                campaign_id=campaign.pk,
                body=body,
            )
            for endpoint in targets
        ]
    if not rows:
        return
    WebhookDelivery.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _schedule_all(ids), robust=True)


def _schedule_all(ids: list[int]) -> None:
    from enlace.webhooks.delivery import schedule

    for delivery_id in ids:
        schedule(delivery_id)


def _extra(event_type: str, deadline: CaseDeadline | None) -> dict[str, Any]:
    if event_type != EventType.OVERDUE or deadline is None:
        return {}
    return {"deadline": {"step": deadline.step, "due_on": deadline.due_on.isoformat()}}


def _after_commit(written: list[_Written]) -> None:
    """Bring each body up to the committed case (an action may change the case after writing
    its history row), then enqueue the sending. Runs after the commit and never fails
    the user's request (`robust`): a row whose task was not enqueued is found by the sweeper."""
    from enlace.webhooks.delivery import schedule

    for item in written:
        snapshot = case_snapshot(item.case_id)
        if snapshot is not None:
            body = item.render(snapshot)
            if body != item.body:
                WebhookDelivery.objects.filter(
                    pk__in=item.delivery_ids, status=DeliveryStatus.PENDING, attempts=0
                ).update(body=body)
        for delivery_id in item.delivery_ids:
            schedule(delivery_id)
