"""The webhooks: the handshake, the signature, storing what arrived once, answering fast."""

import json
import logging

import pytest
from django.test import Client

from enlace.cases.models import Case
from enlace.channels.actions import do_process_message
from enlace.channels.meta.tests.conftest import payload, post, sign, whatsapp_text
from enlace.channels.models import InboundMessage, InboundStatus


def process_all() -> None:
    for pk in InboundMessage.objects.filter(status=InboundStatus.PENDING).values_list(
        "pk", flat=True
    ):
        do_process_message(pk)


@pytest.mark.parametrize(
    ("plugin", "token"), [("whatsapp", "verificar-whatsapp"), ("facebook", "verificar-facebook")]
)
def test_the_verification_handshake_echoes_the_challenge(db, plugin, token):
    response = Client().get(
        f"/canales/{plugin}/webhook/",
        {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "otro", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verificar-whatsapp", "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_a_wrong_verification_is_refused(db, query):
    response = Client().get("/canales/whatsapp/webhook/", query)
    assert response.status_code == 403
    assert b"1" not in response.content


def test_an_unconfigured_channel_answers_404(db, settings):
    settings.FACEBOOK_APP_SECRET = ""
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verificar-facebook",
        "hub.challenge": "1",
    }
    assert Client().get("/canales/facebook/webhook/", query).status_code == 404
    assert post("facebook", payload("messenger_text")).status_code == 404
    assert not InboundMessage.objects.exists()


def test_a_signed_whatsapp_message_is_stored_as_it_arrived_and_answered_at_once(db):
    data = payload("whatsapp_text")
    body = json.dumps(data).encode()
    response = post("whatsapp", body)
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.plugin == "whatsapp"
    assert message.external_id == "wamid.HBgLNTAzNzEyMzQ1NjcVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert message.sender == "50371234567"
    assert message.body == body.decode()  # untouched
    assert message.headers["X-Hub-Signature-256"] == sign(body, "secreto-de-la-app-whatsapp")
    assert message.status == InboundStatus.PENDING  # processing is the background task's
    assert not Case.objects.exists()


def test_a_signed_whatsapp_message_becomes_a_case_and_the_same_payload_again_does_not(db):
    data = payload("whatsapp_text")
    assert post("whatsapp", data).status_code == 200
    process_all()
    case = Case.objects.get()
    assert case.channel.code == "whatsapp"
    assert case.to_classify
    assert case.kind == "opinion"
    assert case.opinion_type is None
    assert case.description == "Llevo tres horas esperando consulta en la Unidad Médica Zacamil"
    assert case.citizen_phone == "+50371234567"
    assert case.citizen_name == "María Hernández"
    assert InboundMessage.objects.get().case == case

    # Meta delivers it again (it did not see our 200, say): 200, and nothing changes.
    assert post("whatsapp", data).status_code == 200
    process_all()
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_wrongly_signed_delivery_is_refused_and_nothing_is_stored(db, caplog):
    body = json.dumps(payload("whatsapp_text")).encode()
    with caplog.at_level(logging.WARNING, logger="enlace.channels.meta.views"):
        wrong_secret = post("whatsapp", body, signature=sign(body, "otro-secreto"))
        other_body = post(
            "whatsapp", body, signature=sign(body + b" ", "secreto-de-la-app-whatsapp")
        )
        garbage = post("whatsapp", body, signature="sha256=nada")
    assert [r.status_code for r in (wrong_secret, other_body, garbage)] == [403, 403, 403]
    assert not InboundMessage.objects.exists()
    assert "wrong signature" in caplog.text


def test_an_unsigned_delivery_is_refused(db, caplog):
    with caplog.at_level(logging.WARNING, logger="enlace.channels.meta.views"):
        response = post("whatsapp", payload("whatsapp_text"), signature=None)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert "no signature" in caplog.text


def test_a_facebook_delivery_signed_with_the_whatsapp_secret_is_refused(db):
    body = json.dumps(payload("messenger_text")).encode()
    response = post("facebook", body, signature=sign(body, "secreto-de-la-app-whatsapp"))
    assert response.status_code == 403


def test_signed_but_malformed_json_is_a_400_and_logged(db, caplog):
    with caplog.at_level(logging.WARNING, logger="enlace.channels.meta.views"):
        response = post("whatsapp", b'{"object": "whatsapp_business_account", "entry": [')
    assert response.status_code == 400
    # Kept as it arrived, never processed.
    assert InboundMessage.objects.get().status == InboundStatus.IGNORED
    assert not Case.objects.exists()
    assert "not JSON" in caplog.text


def test_each_message_of_a_delivery_is_one_row(db):
    data = whatsapp_text("Primero", wamid="wamid.A")
    value = data["entry"][0]["changes"][0]["value"]
    second = json.loads(json.dumps(value["messages"][0]))
    second.update({"id": "wamid.B", "text": {"body": "Segundo"}})
    value["messages"].append(second)
    assert post("whatsapp", data).status_code == 200
    assert sorted(InboundMessage.objects.values_list("external_id", flat=True)) == [
        "wamid.A",
        "wamid.B",
    ]
    process_all()
    # The second threads into the case the first one opened.
    assert Case.objects.count() == 1


def test_a_status_callback_is_stored_under_its_message_and_status(db):
    assert post("whatsapp", payload("whatsapp_status")).status_code == 200
    message = InboundMessage.objects.get()
    assert message.external_id == (
        "status:wamid.HBgLNTAzNzEyMzQ1NjcVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA:delivered"
    )


def test_what_enlace_does_not_act_on_is_kept_once_and_ignored(db):
    reaction = {"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [
        {"sender": {"id": "9"}, "recipient": {"id": "1"}, "timestamp": 1,
         "reaction": {"mid": "m_x", "action": "react", "emoji": "👍"}}
    ]}]}  # fmt: skip
    assert post("facebook", reaction).status_code == 200
    assert post("facebook", reaction).status_code == 200
    message = InboundMessage.objects.get()
    assert message.external_id.startswith("other:")
    process_all()
    message.refresh_from_db()
    assert message.status == InboundStatus.IGNORED
    assert not Case.objects.exists()


def test_the_webhook_takes_only_get_and_post(db):
    assert Client().put("/canales/whatsapp/webhook/").status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested past what Python parses
        b'{"entry": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b"\xff\xfe not utf-8",
        b"{not json",
    ],
)
@pytest.mark.parametrize("plugin", ["whatsapp", "facebook"])
def test_a_signed_body_that_cannot_be_read_is_kept_and_refused(db, body, plugin):
    response = post(plugin, body)
    assert response.status_code == 400
    message = InboundMessage.objects.get(plugin=plugin)
    assert message.external_id.startswith("refused:")
    assert message.status == InboundStatus.IGNORED
    assert message.error
    # The same body again is the same row.
    assert post(plugin, body).status_code == 400
    assert InboundMessage.objects.count() == 1
    assert not Case.objects.exists()
