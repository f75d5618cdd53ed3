"""End to end: a case registered, assigned, answered and closed by people in the console, and a
deadline missed by the sweeper, reach a real receiver on 127.0.0.1 as signed deliveries posted
by the background queue (`manage.py db_worker`), never by the user's request: a dead endpoint
leaves the console as fast as ever, and its deliveries wait for their retry."""

import json
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from enlace.cases.models import Case
from enlace.cases.sweeper import sweep_deadlines
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery
from enlace.webhooks.signing import verify_signature

# The deliveries are enqueued on commit, so these tests commit; restoring the serialized
# database afterwards keeps the reference data for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SV = ZoneInfo("America/El_Salvador")


def work_the_queue():
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


def opinion_form():
    return {
        "kind": "opinion",
        "channel": "llamada_127",
        "opinion_type": "queja",
        "dependency": "Hospital General [HG]",
        "limitante": "Trato inadecuado del personal",
        "description": "La persona de ventanilla me trató mal.",
        "citizen_name": "María José Hernández",
        "citizen_dui": "00016297-5",
        "citizen_phone": "7123-4567",
        "intake_token": str(uuid.uuid4()),
    }


def step(client, case, slug, data):
    response = client.post(reverse("cases:action", args=[case.pk, slug]), data)
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_console_steps_reach_the_receiver_signed(
    receiver, make_endpoint, client_for, agent, resolution, liaison
):
    endpoint = make_endpoint(receiver.url)
    response = client_for(agent).post(reverse("cases:new"), opinion_form())
    assert response.status_code == 302
    case = Case.objects.get()
    section = client_for(resolution)
    step(section, case, "asignar", {"dependency": "HG", "reason": "Corresponde al hospital"})
    step(client_for(liaison), case, "proponer", {"answer": "Se hablará con el personal."})
    step(section, case, "responder", {"answer": "Se habló con el personal."})
    step(section, case, "cerrar", {"answer": "", "accepted": "yes"})
    assert receiver.requests == []  # nothing is posted by a person's request

    work_the_queue()
    received = receiver.wait_for(4)
    by_type = {r.headers["X-Enlace-Event"]: r for r in received}
    assert set(by_type) == {"case.created", "case.assigned", "case.answered", "case.closed"}
    for request in received:
        signature = request.headers["X-Enlace-Signature"]
        assert verify_signature(endpoint.secret, signature, request.body, 300)
        body = request.json()
        assert body["type"] == request.headers["X-Enlace-Event"]
        assert body["case"]["tracking_code"] == case.display_code
        assert "María" not in request.body.decode()
    assert by_type["case.created"].json()["case"]["due_on"] is not None
    assert by_type["case.closed"].json()["case"]["status"] == "closed"
    statuses = set(WebhookDelivery.objects.values_list("status", "attempts", "last_status_code"))
    assert statuses == {(DeliveryStatus.DELIVERED, 1, 204)}


def test_a_dead_endpoint_never_slows_the_console(
    receiver, closed_port_url, make_endpoint, client_for, agent, settings
):
    settings.WEBHOOK_TIMEOUT = 1
    receiver.delay = 3  # slower than the timeout
    make_endpoint(receiver.url, name="Sleeping")
    make_endpoint(closed_port_url, name="Gone")
    client = client_for(agent)
    client.get(reverse("cases:new"))  # warm up (templates, catalogues)
    started = time.monotonic()
    response = client.post(reverse("cases:new"), opinion_form())
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < receiver.delay  # the request never waited for a receiver
    assert receiver.requests == []
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2

    work_the_queue()  # the worker waits (at most the timeout), records, schedules the retry
    rows = {d.endpoint.name: d for d in WebhookDelivery.objects.select_related("endpoint")}
    for delivery in rows.values():
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert delivery.next_attempt_at is not None
        assert delivery.delivered_at is None
    assert "timed out" in rows["Sleeping"].last_error.lower()
    assert "refused" in rows["Gone"].last_error.lower()
    # The retries wait in the queue for their time: working it again now posts nothing.
    work_the_queue()
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_missed_deadline_is_announced_as_overdue(receiver, make_endpoint, make_case, agent):
    endpoint = make_endpoint(receiver.url, events=["case.overdue"])
    with time_machine.travel(datetime(2026, 3, 31, 10, 0, tzinfo=SV), tick=False):
        case = make_case(type="queja", centre="HG", by=agent)
    ack = case.deadlines.get(step="acknowledge")
    assert not WebhookDelivery.objects.exists()  # created is not subscribed
    # The day after the acknowledgement was due, the sweeper marks it missed.
    with time_machine.travel(datetime(2026, 4, 8, 6, 0, tzinfo=SV), tick=False):
        counts = sweep_deadlines()
    assert counts["missed"] == 1
    work_the_queue()
    [request] = receiver.wait_for(1)
    assert request.headers["X-Enlace-Event"] == "case.overdue"
    assert verify_signature(endpoint.secret, request.headers["X-Enlace-Signature"], request.body)
    body = json.loads(request.body)
    assert body["deadline"] == {"step": "acknowledge", "due_on": ack.due_on.isoformat()}
    assert body["occurred_at"] == "2026-04-08T06:00:00-06:00"
    assert body["case"]["id"] == case.pk
