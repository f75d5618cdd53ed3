"""A channel is one folder: the fake one (enlace/channels/tests/fake/) is named in the settings,
and a message posted to its endpoint is stored, becomes a case, and the case is answered on it,
with nothing else in Enlace changed."""

import importlib
import json

import pytest
from django.urls import clear_url_caches, reverse

from enlace.channels import plugins, replies
from enlace.channels.actions import do_process_message
from enlace.channels.models import InboundMessage, InboundOutcome, OutboundMessage

FAKE = "enlace.channels.tests.fake"


def process_what_arrived() -> None:
    """What the task a message enqueues does (tests run no worker)."""
    for pk in InboundMessage.objects.filter(status="pending").values_list("pk", flat=True):
        do_process_message(pk)


def _reload_urls() -> None:
    import config.urls
    import enlace.channels.urls

    importlib.reload(enlace.channels.urls)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def fake_channel(settings):
    """The deployment runs the fake channel: named in the settings, loaded, its URLs mounted
    (as at start-up); afterwards, gone again."""
    settings.CHANNEL_PLUGINS = [*settings.CHANNEL_PLUGINS, FAKE]
    plugins.load_plugins()
    fake = importlib.import_module(f"{FAKE}.plugin")
    plugins.PLUGINS[fake.CODE] = fake.Fake()  # registered once per process by its import
    _reload_urls()
    fake.PLATFORM.clear()
    yield fake.PLATFORM
    plugins.PLUGINS.pop(fake.CODE, None)
    _reload_urls()


def test_a_message_arrives_becomes_a_case_and_is_answered_on_its_channel(
    fake_channel, client, client_for, resolution, django_capture_on_commit_callbacks
):
    url = reverse("channels:fake")
    assert url == "/canales/fake/"
    body = {"id": "m-1", "from": "ana", "name": "Ana", "text": "No me dieron la cita"}
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    process_what_arrived()
    message = InboundMessage.objects.get(plugin="fake")
    assert message.body == json.dumps(body)  # stored as it arrived
    assert message.outcome == InboundOutcome.NEW_CASE
    case = message.case
    assert (case.to_classify, case.description, case.channel.code) == (
        True,
        "No me dieron la cita",
        "sitio_web",
    )

    staff = client_for(resolution)
    page = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'action="/casos/{case.pk}/mensaje/"' in page  # the reply is offered
    with django_capture_on_commit_callbacks(execute=False) as sending:
        response = staff.post(
            reverse("cases:action", args=[case.pk, "mensaje"]), {"text": "Le llamaremos hoy"}
        )
    assert response.status_code == 302
    assert len(sending) == 1  # its sending, enqueued once the row is committed
    outbound = OutboundMessage.objects.get(case=case)
    assert (outbound.plugin, outbound.recipient) == ("fake", "ana")
    assert replies.deliver(outbound.pk) == "sent"  # the outbox hands it to the plug-in's transport
    assert fake_channel == [("ana", "Le llamaremos hoy")]
    outbound.refresh_from_db()
    assert (outbound.status, outbound.platform_id) == ("sent", "fake-1")
    assert replies.deliver(outbound.pk) == "skipped"  # sent once

    # Her answer on the channel goes on the same case.
    again = {"id": "m-2", "from": "ana", "text": "Gracias"}
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, json.dumps(again), content_type="application/json")
    process_what_arrived()
    reply = InboundMessage.objects.get(plugin="fake", external_id="m-2")
    assert (reply.outcome, reply.case) == (InboundOutcome.REPLY, case)
    assert case.events.filter(kind="citizen_message", note="Gracias").exists()
