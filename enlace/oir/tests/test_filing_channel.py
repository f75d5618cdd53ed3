"""The portal's filing form is a channel like the others: what the citizen sent is stored as an
InboundMessage first (plug-in `oir_portal`, the form's token as its id, the cleaned form as its
body), then processed into the request in the same web request. If the processing crashes,
nothing is lost: the citizen is told it was received (with a reference), the message stays
pending, and the sweeper's queue registers it later, once, with the moment it arrived as the
legal date of receipt."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from enlace.channels.actions import do_process_message, requeue_pending
from enlace.channels.models import InboundMessage, InboundOutcome, InboundStatus
from enlace.channels.oir_portal.plugin import OirPortal
from enlace.channels.plugins import PLUGINS
from enlace.notifications.models import Notification
from enlace.oir import actions
from enlace.oir.models import InformationRequest, RequestEvent
from enlace.oir.tests.conftest import at, frozen
from enlace.oir.tests.test_public import filing

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FILE = "oir_public:file"


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def run_queue() -> None:
    """The background worker, as `manage.py db_worker` runs it, until the queue is empty."""
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


def test_the_plugin_is_registered_with_the_channels():
    assert isinstance(PLUGINS["oir_portal"], OirPortal)


def test_a_filing_is_stored_as_a_message_then_made_a_request(client):
    data = filing(document_number="045678903", phone="7123 4567")
    response = client.post(reverse(FILE), data)
    assert response.status_code == 302
    message = InboundMessage.objects.get()
    assert (message.plugin, message.external_id) == ("oir_portal", data["token"])
    assert message.status == InboundStatus.PROCESSED
    assert message.outcome == InboundOutcome.NEW_CASE
    assert message.case_id is None  # a request, not a case
    assert message.sender == "carmen@example.com"
    stored = json.loads(message.body)
    assert stored["description"] == data["description"]
    assert stored["document_number"] == "04567890-3"  # as the rules normalise it
    assert "token" not in stored
    assert "website" not in stored
    request = InformationRequest.objects.get()
    assert request.intake_token == uuid.UUID(data["token"])
    assert request.received_at == message.received_at
    assert request.channel == "portal"


def test_invalid_input_is_refused_on_the_form_and_nothing_is_stored(client):
    # The form's checks pass, the request's do not (a DUI with a wrong check digit).
    response = client.post(reverse(FILE), filing(document_number="04567890-4"), **EN)
    assert response.status_code == 400
    assert "DUI" in response.content.decode()
    assert not InboundMessage.objects.exists()
    assert not InformationRequest.objects.exists()


# Committed for real, as the background worker (`manage.py db_worker`) reads the queue with its
# own connection handling; the serialized rollback keeps the reference data for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_while_processing_loses_nothing_and_the_sweeper_registers_it_once(
    client, monkeypatch
):
    original = OirPortal.process
    crashes = []

    def crash_once(self, message):
        if not crashes:
            crashes.append(message.pk)
            raise RuntimeError("the database went away")
        return original(self, message)

    monkeypatch.setattr(OirPortal, "process", crash_once)
    filed_on = date(2026, 9, 10)
    data = filing()
    with frozen(filed_on, hour=16):
        response = client.post(reverse(FILE), data)
        assert response.status_code == 302
        receipt_url = reverse("oir_public:receipt", args=[data["token"]])
        assert response.url == receipt_url
        # The citizen is told it was received, with a reference, and nothing is registered.
        pending = client.get(receipt_url, **EN)
        assert pending.status_code == 202
        html = pending.content.decode()
        assert 'id="pending-notice"' in html
        assert data["token"][:8].upper() in html
        assert "carmen@example.com" in html
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PENDING
    assert "RuntimeError" in message.error
    assert message.attempts == 1
    assert not InformationRequest.objects.exists()
    assert not Notification.objects.exists()

    # The sweeper, the next morning, puts it back on the queue; the worker registers it.
    with frozen(filed_on + timedelta(days=1), hour=8):
        assert requeue_pending() == 1  # enqueued as it commits
        run_queue()
        request = InformationRequest.objects.get()
        message.refresh_from_db()
        assert message.status == InboundStatus.PROCESSED
        # The legal date of receipt is when the citizen filed, not when it was registered.
        assert request.received_at == at(filed_on, 16)
        assert request.received_on == filed_on
        assert request.due_on == date(2026, 9, 25)
        assert Notification.objects.filter(kind="oir_receipt").count() == 1
        receipt = client.get(receipt_url, **EN)
        assert receipt.status_code == 200
        assert request.number in receipt.content.decode()

        # Exactly once: the sweeper again, the same message processed again, the form again.
        assert requeue_pending(now=at(filed_on + timedelta(days=2))) == 0
        assert do_process_message(message.pk) == "skipped"
        assert client.post(reverse(FILE), data).status_code == 302
    assert InformationRequest.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert RequestEvent.objects.filter(kind="received").count() == 1
    assert crashes == [message.pk]


def test_the_same_message_processed_twice_makes_one_request(client, monkeypatch):
    data = filing()
    client.post(reverse(FILE), data)
    message = InboundMessage.objects.get()
    # As if the row had been left pending after the request was made (a lost status write).
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.PENDING)
    assert do_process_message(message.pk) == InboundStatus.PROCESSED
    assert InformationRequest.objects.count() == 1


def test_an_unknown_token_has_neither_receipt_nor_pending_page(client):
    assert client.get(reverse("oir_public:receipt", args=[uuid.uuid4()])).status_code == 404


def test_a_token_of_another_channel_is_not_an_oir_receipt(client):
    token = str(uuid.uuid4())
    InboundMessage.objects.create(plugin="portal", external_id=token, body="{}")
    assert client.get(reverse("oir_public:receipt", args=[token])).status_code == 404


def test_the_filing_action_checks_before_storing():
    with pytest.raises(actions.BusinessError) as refused:
        actions.do_file_request(
            str(uuid.uuid4()),
            actions.NewRequest(
                channel="portal",
                requester_name="Ana",
                document_type="passport",
                document_number="A123",
                notify_by="office",
                description="  ",
            ),
        )
    assert refused.value.field == "description"
    assert not InboundMessage.objects.exists()
