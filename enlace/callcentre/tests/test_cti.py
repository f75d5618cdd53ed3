"""The PBX's endpoint: refused without its token, each event stored once, then applied to the
one Call row of its call, in whatever order the events come."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from enlace.callcentre.models import Call, CallState, Extension
from enlace.channels.models import InboundMessage, InboundStatus

pytestmark = pytest.mark.django_db
URL = reverse("channels:cti")
SV = ZoneInfo("America/El_Salvador")


def ringing_body():
    return json.dumps(
        {"event": "ringing", "call_id": "x", "caller": "+50371234567", "at": "2025-05-06T10:15:00Z"}
    )


def test_it_is_not_found_until_a_token_is_configured(settings):
    settings.CTI_TOKEN = ""
    response = Client().post(
        URL, ringing_body(), content_type="application/json", headers={"X-CTI-Token": "x"}
    )
    assert response.status_code == 404
    assert not InboundMessage.objects.exists()


def test_it_refuses_a_missing_token(cti_token):
    response = Client().post(URL, ringing_body(), content_type="application/json")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_it_refuses_a_wrong_token(post_event):
    assert post_event("ringing", token="adivinado").status_code == 403
    assert not InboundMessage.objects.exists()
    assert not Call.objects.exists()


def test_it_accepts_posts_only(cti_token):
    assert Client().get(URL, headers={"X-CTI-Token": cti_token}).status_code == 405


def test_it_refuses_what_is_not_an_event(post_event):
    assert post_event("transferred").status_code == 400
    assert post_event("ringing", at="ayer").status_code == 400
    assert post_event("ringing", call_id="").status_code == 400
    assert post_event("ringing", at="9999-12-31T23:59:59").status_code == 400
    # Each kept as it arrived, never processed into a call.
    refused = InboundMessage.objects.all()
    assert refused.count() == 4
    assert {m.status for m in refused} == {InboundStatus.IGNORED}
    assert not Call.objects.exists()


def test_events_are_stored_then_make_one_call(agent, post_event):
    assert post_event("ringing", at="2025-05-06T10:15:00-06:00").status_code == 200
    assert post_event("answered", at="2025-05-06T10:15:07-06:00").status_code == 200
    assert post_event("hangup", at="2025-05-06T10:19:07-06:00").status_code == 200
    messages = InboundMessage.objects.filter(plugin="cti").order_by("id")
    assert [m.external_id for m in messages] == ["pbx-1:ringing", "pbx-1:answered", "pbx-1:hangup"]
    assert all(m.status == InboundStatus.PROCESSED for m in messages)
    call = Call.objects.get()
    assert call.pbx_call_id == "pbx-1"
    assert call.caller == "+50371234567"
    assert call.agent == agent
    assert call.started_at == datetime(2025, 5, 6, 10, 15, tzinfo=SV)
    assert call.answered_at == datetime(2025, 5, 6, 10, 15, 7, tzinfo=SV)
    assert call.ended_at == datetime(2025, 5, 6, 10, 19, 7, tzinfo=SV)
    assert call.duration_seconds == 240
    assert call.state == CallState.ENDED


def test_a_repeated_event_is_one_row(agent, post_event):
    first = post_event("ringing")
    again = post_event("ringing", at="2025-05-06T10:16:00-06:00")
    assert first.json() == {"stored": True}
    assert again.json() == {"stored": False}
    assert InboundMessage.objects.filter(plugin="cti").count() == 1
    assert Call.objects.get().started_at == datetime(2025, 5, 6, 10, 15, tzinfo=SV)


def test_a_hangup_before_its_answered_is_tolerated(agent, post_event):
    post_event("hangup", at="2025-05-06T10:19:00-06:00")
    call = Call.objects.get()
    assert call.state == CallState.ENDED
    post_event("answered", at="2025-05-06T10:15:10-06:00")
    post_event("ringing", at="2025-05-06T10:15:00-06:00", agent="")
    call.refresh_from_db()
    assert call.state == CallState.ENDED
    assert call.started_at == datetime(2025, 5, 6, 10, 15, tzinfo=SV)
    assert call.answered_at == datetime(2025, 5, 6, 10, 15, 10, tzinfo=SV)
    assert call.ended_at == datetime(2025, 5, 6, 10, 19, tzinfo=SV)
    assert call.agent == agent
    assert Call.objects.count() == 1


def test_the_agent_may_be_named_by_extension(agent, post_event):
    Extension.objects.create(number="2041", user=agent)
    post_event("ringing", agent="2041")
    assert Call.objects.get().agent == agent


def test_a_number_that_is_not_salvadoran_is_kept_as_sent(post_event):
    post_event("ringing", caller="+15551234567", agent="")
    call = Call.objects.get()
    assert call.caller == "+15551234567"
    assert call.agent is None


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe", b"{", b'{"event": "ringing"}', b"[]"],
)
def test_an_event_that_cannot_be_read_is_kept_and_refused(cti_token, body):
    response = Client().post(
        reverse("channels:cti"),
        body,
        content_type="application/json",
        headers={"X-CTI-Token": cti_token},
    )
    assert response.status_code == 400
    assert response.json()["error"]
    message = InboundMessage.objects.get(plugin="cti")
    assert message.status == InboundStatus.IGNORED
    assert message.external_id.startswith("refused:")
