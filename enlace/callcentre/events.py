"""What the telephone system posts to /canales/cti/, parsed and checked (pure, no database).

    {"event": "ringing" | "answered" | "hangup", "call_id": "1718-42", "caller": "+50371234567",
     "agent": "alicia" or "2041", "at": "2025-05-06T10:15:00-06:00", "dui": "00016297-5"}

`caller`, `agent` and `dui` may be missing (a withheld number, a call still in the queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from enlace.cases.rules import normalise_dui, phone_or_none
from enlace.core import dates

RINGING = "ringing"
ANSWERED = "answered"
HANGUP = "hangup"
EVENTS = (RINGING, ANSWERED, HANGUP)


@dataclass(frozen=True)
class CallEvent:
    event: str
    call_id: str
    at: datetime
    caller: str = ""  # E.164 when valid, otherwise as sent
    agent: str = ""
    dui: str = ""

    @property
    def external_id(self) -> str:
        """The stored message's id: one row per call and event, however often it is sent."""
        return f"{self.call_id}:{self.event}"


def _text(payload: dict[str, Any], name: str, limit: int) -> str:
    value = payload.get(name) or ""
    if not isinstance(value, str | int):
        raise ValueError(f"{name} must be a string")
    return str(value).strip()[:limit]


def parse_event(payload: Any) -> CallEvent:
    """The event, or ValueError saying what is wrong with it."""
    if not isinstance(payload, dict):
        raise ValueError("the body must be a JSON object")
    event = payload.get("event")
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}")
    call_id = _text(payload, "call_id", 101)
    if not call_id or len(call_id) > 100:
        raise ValueError("call_id must be 1 to 100 characters")
    at_text = payload.get("at")
    if not isinstance(at_text, str):
        raise ValueError("at must be an ISO 8601 date and time")
    try:
        at = datetime.fromisoformat(at_text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("at must be an ISO 8601 date and time") from None
    if not dates.in_range(at):
        raise ValueError("at must be a date from 2000 to 2100")
    if timezone.is_naive(at):  # a PBX on local time: the institute's time zone
        at = timezone.make_aware(at)
    caller_text = _text(payload, "caller", 32)
    dui_text = _text(payload, "dui", 12)
    try:
        dui = normalise_dui(dui_text) if dui_text else ""
    except ValidationError:
        dui = ""  # a DUI typed wrong on the phone's keypad is no reason to lose the call
    return CallEvent(
        event=str(event),
        call_id=call_id,
        at=at,
        caller=phone_or_none(caller_text) or caller_text if caller_text else "",
        agent=_text(payload, "agent", 150),
        dui=dui,
    )
