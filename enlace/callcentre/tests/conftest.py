"""What the call-centre tests share: the PBX's token configured, and its events posted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

TOKEN = "secreto-de-la-central"


@pytest.fixture
def cti_token(settings: Any) -> str:
    settings.CTI_TOKEN = TOKEN
    return TOKEN


@pytest.fixture
def post_event(cti_token: str) -> Callable[..., Any]:
    """Post one CTI event as the PBX does; keyword arguments override its fields."""

    def post(event: str, call_id: str = "pbx-1", *, token: str = TOKEN, **fields: Any) -> Any:
        payload = {
            "event": event,
            "call_id": call_id,
            "caller": "+50371234567",
            "agent": "alicia",
            "at": "2025-05-06T10:15:00-06:00",
            **fields,
        }
        return Client().post(
            reverse("channels:cti"),
            json.dumps(payload),
            content_type="application/json",
            headers={"X-CTI-Token": token},
        )

    return post
