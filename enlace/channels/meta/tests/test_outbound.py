"""Replies to the citizen on the platform they wrote from: the row, its sending through the Graph
API with retries, the platform's status callbacks, and who may send one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enlace.cases.models import EventKind
from enlace.channels.actions import do_process_message
from enlace.channels.actions import do_send_reply as do_send_platform_reply
from enlace.channels.meta.tests.conftest import (
    FB_TOKEN,
    PAGE_ID,
    PHONE_NUMBER_ID,
    WA_TOKEN,
    messenger_text,
    payload,
    post,
    whatsapp_text,
)
from enlace.channels.models import InboundMessage, OutboundMessage, OutboundStatus
from enlace.channels.replies import MAX_ATTEMPTS, deliver
from enlace.core.errors import BusinessError

WAMID = "wamid.HBgLNTAzNzEyMzQ1NjcVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"
SENT = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "50371234567", "wa_id": "50371234567"}],
    "messages": [{"id": WAMID}],
}


def case_from(plugin, data):
    assert post(plugin, data).status_code == 200
    message = InboundMessage.objects.order_by("-pk").first()
    do_process_message(message.pk)
    message.refresh_from_db()
    return message.case


@pytest.fixture
def whatsapp_case(db):
    return case_from("whatsapp", whatsapp_text("No me dieron cita", wamid="wamid.in"))


def test_a_reply_is_sent_to_the_graph_api_with_the_bearer_token(
    whatsapp_case, graph, resolution, django_capture_on_commit_callbacks
):
    graph.answer("POST", f"/v21.0/{PHONE_NUMBER_ID}/messages", (200, SENT))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbound = do_send_platform_reply(
            whatsapp_case, "  Su cita es el lunes a las 8:00  ", acting_user=resolution
        )
    assert len(callbacks) == 1  # the sending task, enqueued once the row is committed
    assert (outbound.status, outbound.recipient, outbound.plugin) == (
        OutboundStatus.PENDING,
        "50371234567",
        "whatsapp",
    )
    event = whatsapp_case.events.get(kind=EventKind.MESSAGE_SENT)
    assert (event.actor, event.note) == (resolution, "Su cita es el lunes a las 8:00")

    assert deliver(outbound.pk) == "sent"
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT
    assert outbound.platform_id == WAMID
    assert outbound.attempts == 1
    [request] = graph.requests
    assert request.method == "POST"
    assert request.headers["Authorization"] == f"Bearer {WA_TOKEN}"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "50371234567",
        "type": "text",
        "text": {"preview_url": False, "body": "Su cita es el lunes a las 8:00"},
    }
    assert deliver(outbound.pk) == "skipped"  # sent once, whoever asks again
    assert len(graph.requests) == 1


def test_a_messenger_reply_goes_to_the_page(db, graph, resolution):
    case = case_from("facebook", messenger_text("Hola", mid="m_in"))
    graph.answer(
        "POST",
        f"/v21.0/{PAGE_ID}/messages",
        (200, {"recipient_id": "7345120046721955", "message_id": "m_sent-by-the-page-1"}),
    )
    outbound = do_send_platform_reply(case, "Buenos días", acting_user=resolution)
    assert deliver(outbound.pk) == "sent"
    outbound.refresh_from_db()
    assert outbound.platform_id == "m_sent-by-the-page-1"
    [request] = graph.requests
    assert request.headers["Authorization"] == f"Bearer {FB_TOKEN}"
    assert request.json() == {
        "recipient": {"id": "7345120046721955"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Buenos días"},
    }
    # Messenger then says it was delivered.
    assert post("facebook", payload("messenger_delivery")).status_code == 200
    do_process_message(InboundMessage.objects.order_by("-pk").first().pk)
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.DELIVERED


def test_a_failed_send_is_retried_with_backoff(whatsapp_case, graph, resolution):
    graph.answer(
        "POST",
        f"/v21.0/{PHONE_NUMBER_ID}/messages",
        (500, {"error": {"message": "An unknown error occurred", "code": 1}}),
        (200, SENT),
    )
    outbound = do_send_platform_reply(whatsapp_case, "Hola", acting_user=resolution)
    now = timezone.now()
    assert deliver(outbound.pk, now=now) == "retry"
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.PENDING
    assert "HTTP 500" in outbound.last_error
    assert "An unknown error occurred" in outbound.last_error
    assert outbound.next_attempt_at == now + timedelta(minutes=1)
    assert deliver(outbound.pk, now=now) == "skipped"  # not due yet
    assert deliver(outbound.pk, now=outbound.next_attempt_at) == "sent"
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts, outbound.platform_id) == ("sent", 2, WAMID)
    assert outbound.last_error == ""


def test_a_send_that_keeps_failing_ends_failed(whatsapp_case, graph, resolution):
    outbound = do_send_platform_reply(whatsapp_case, "Hola", acting_user=resolution)
    graph.answer("POST", f"/v21.0/{PHONE_NUMBER_ID}/messages", (503, b"down"))
    for _attempt in range(MAX_ATTEMPTS):
        outbound.refresh_from_db()
        result = deliver(outbound.pk, now=outbound.next_attempt_at or timezone.now())
    assert result == "failed"
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.FAILED


def test_a_send_the_platform_refuses_fails_at_once(whatsapp_case, graph, resolution):
    graph.answer(
        "POST",
        f"/v21.0/{PHONE_NUMBER_ID}/messages",
        (400, {"error": {"message": "Re-engagement message", "code": 131047}}),
    )
    outbound = do_send_platform_reply(whatsapp_case, "Hola", acting_user=resolution)
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.FAILED
    assert "131047" in outbound.last_error


def sent_reply(case, user, graph):
    graph.answer("POST", f"/v21.0/{PHONE_NUMBER_ID}/messages", (200, SENT))
    outbound = do_send_platform_reply(case, "Hola", acting_user=user)
    deliver(outbound.pk)
    outbound.refresh_from_db()
    return outbound


def status_callback(name="whatsapp_status", state=None):
    data = payload(name)
    if state:
        data["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = state
    assert post("whatsapp", data).status_code == 200
    message = InboundMessage.objects.order_by("-pk").first()
    do_process_message(message.pk)
    message.refresh_from_db()
    return message


def test_a_status_callback_updates_the_outbound_row(whatsapp_case, graph, resolution):
    outbound = sent_reply(whatsapp_case, resolution, graph)
    message = status_callback()
    assert message.outcome == "status"
    assert message.case == whatsapp_case
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.DELIVERED
    status_callback(state="read")
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.READ
    # A late "sent" (callbacks come in any order) does not move it back.
    status_callback(state="sent")
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.READ


def test_a_failed_status_records_why(whatsapp_case, graph, resolution):
    outbound = sent_reply(whatsapp_case, resolution, graph)
    status_callback("whatsapp_status_failed")
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.FAILED
    assert "131047: Re-engagement message" in outbound.last_error


def test_a_status_of_a_message_not_ours_is_ignored(db):
    message = status_callback()
    assert message.status == "ignored"


def test_a_reply_needs_a_case_that_came_by_whatsapp_or_facebook(make_case, resolution):
    with pytest.raises(BusinessError):
        do_send_platform_reply(make_case(), "Hola", acting_user=resolution)
    assert not OutboundMessage.objects.exists()


def test_a_reply_needs_text(whatsapp_case, resolution):
    with pytest.raises(BusinessError) as error:
        do_send_platform_reply(whatsapp_case, "   ", acting_user=resolution)
    assert error.value.field == "text"


def test_a_reply_24_hours_after_the_citizen_wrote_is_refused(whatsapp_case, resolution):
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(hours=25))
    with pytest.raises(BusinessError):
        do_send_platform_reply(whatsapp_case, "Hola", acting_user=resolution)


def test_a_reply_on_a_channel_not_configured_to_send_is_refused(
    whatsapp_case, resolution, settings
):
    settings.WHATSAPP_ACCESS_TOKEN = ""
    with pytest.raises(BusinessError):
        do_send_platform_reply(whatsapp_case, "Hola", acting_user=resolution)


# --- From the case page ----------------------------------------------------------------------
def test_the_case_page_offers_the_reply_only_for_cases_from_the_platforms(
    whatsapp_case, make_case, client_for, resolution
):
    client = client_for(resolution)
    page = client.get(f"/casos/{whatsapp_case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert f'action="/casos/{whatsapp_case.pk}/mensaje/"' in page.content.decode()
    other = make_case()
    page = client.get(f"/casos/{other.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "/mensaje/" not in page.content.decode()


def test_a_reply_is_sent_from_the_case_page(whatsapp_case, client_for, resolution):
    response = client_for(resolution).post(
        f"/casos/{whatsapp_case.pk}/mensaje/", {"text": "Le esperamos el lunes"}
    )
    assert response.status_code == 302
    outbound = OutboundMessage.objects.get()
    assert (outbound.case, outbound.text, outbound.created_by) == (
        whatsapp_case,
        "Le esperamos el lunes",
        resolution,
    )


def test_an_empty_reply_from_the_case_page_is_a_400(whatsapp_case, client_for, resolution):
    response = client_for(resolution).post(f"/casos/{whatsapp_case.pk}/mensaje/", {"text": ""})
    assert response.status_code == 400
    assert not OutboundMessage.objects.exists()


def test_a_user_of_another_role_or_centre_cannot_send_a_reply(
    whatsapp_case, client_for, agent, outsider, analyst
):
    url = f"/casos/{whatsapp_case.pk}/mensaje/"
    assert client_for(agent).post(url, {"text": "Hola"}).status_code == 403  # sees, may not
    assert client_for(outsider).post(url, {"text": "Hola"}).status_code == 404  # not in scope
    assert client_for(analyst).post(url, {"text": "Hola"}).status_code == 403
    assert not OutboundMessage.objects.exists()
