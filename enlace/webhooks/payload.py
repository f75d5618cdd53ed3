"""What a webhook posts: the event, and the case without any personal data of the citizen.

`case_snapshot` reads the case's public fields in one query; `render_body` is pure and gives
the exact text posted. No name, DUI, phone, e-mail, description or answer is ever included:
a receiver that needs more asks the API with its own key and scope.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from enlace.campaigns.models import Campaign
from enlace.campaigns.queries import progress
from enlace.cases.models import Case
from enlace.cases.rules import format_tracking_code

# The columns a payload may carry, read in one query with the catalogue codes joined.
_FIELDS = (
    "id",
    "tracking_code",
    "kind",
    "status",
    "opinion_type__code",
    "topic__code",
    "dependency__code",
    "channel__code",
    "received_at",
    "next_due_on",
    "closed_at",
)


def case_snapshot(case_id: int) -> dict[str, Any] | None:
    """The case's public fields as they stand now (None if the case is gone)."""
    row = Case.objects.filter(pk=case_id).values(*_FIELDS).first()
    if row is None:
        return None
    return {
        "id": row["id"],
        "tracking_code": format_tracking_code(row["tracking_code"]),
        "kind": row["kind"],
        "type": row["opinion_type__code"],
        "topic": row["topic__code"],
        "status": row["status"],
        "centre": row["dependency__code"],
        "channel": row["channel__code"],
        "received_at": iso(row["received_at"]),
        "due_on": iso(row["next_due_on"]),
        "closed_at": iso(row["closed_at"]),
    }


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; a moment in the institute's time zone, with its offset (-06:00)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def render_body(
    *,
    event_id: uuid.UUID,
    event_type: str,
    occurred_at: datetime,
    case: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> str:
    payload: dict[str, Any] = {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": iso(occurred_at),
        "case": case,
        **(extra or {}),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    """A finished campaign as another system reads it: what it was, its figures, and where its
    contacts' outcomes are (the API, with a key that may read them): no person's data."""
    figures = progress(campaign)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "purpose": campaign.purpose,
        "requested_by": campaign.requested_by.code if campaign.requested_by else None,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "contacts": {
            key: figures[key] for key in ("total", "done", "unreachable", "excluded", "to_call")
        },
        "outcomes": {row["code"]: row["n"] for row in figures["last_outcomes"]},
        "calls": figures["attempts"],
        "results": reverse("api:campaign_contacts", args=[campaign.pk]),
    }


def render_campaign_body(
    *, event_id: uuid.UUID, occurred_at: datetime, campaign: dict[str, Any]
) -> str:
    payload = {
        "id": str(event_id),
        "type": "campaign.finished",
        "occurred_at": iso(occurred_at),
        "campaign": campaign,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
