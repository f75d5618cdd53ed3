"""Posting a delivery to a real receiver on 127.0.0.1: signed, recorded, retried with backoff
when the receiver fails (an error status, a refused connection, a timeout, a redirect), failed
after the last attempt, and re-queued by the sweeper when a worker or the queue lost it."""

import io
import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from enlace.webhooks.actions import do_deactivate_webhook_endpoint, do_rotate_webhook_secret
from enlace.webhooks.delivery import BACKOFF_MINUTES, deliver, requeue_due
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery
from enlace.webhooks.signing import verify_signature


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.WEBHOOK_TIMEOUT = 1
    settings.WEBHOOK_MAX_ATTEMPTS = 4


def one_delivery(make_case, make_endpoint, url):
    endpoint = make_endpoint(url, events=["case.created"])
    case = make_case(type="queja", centre="HG")
    return WebhookDelivery.objects.get(case=case), endpoint, case


def test_a_delivery_is_posted_signed_and_recorded(receiver, make_case, make_endpoint):
    delivery, endpoint, case = one_delivery(make_case, make_endpoint, receiver.url)
    assert deliver(delivery.pk) == "delivered"
    [request] = receiver.requests
    assert request.path == "/enlace-hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Enlace-Event"] == "case.created"
    assert request.headers["X-Enlace-Delivery"] == str(delivery.uuid)
    assert request.body == delivery.body.encode()  # the exact body stored
    assert verify_signature(endpoint.secret, request.headers["X-Enlace-Signature"], request.body)
    assert request.json()["case"]["tracking_code"] == case.display_code
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.delivered_at is not None
    assert deliver(delivery.pk) == "skipped"  # posted once, whoever asks again
    assert len(receiver.requests) == 1


def test_an_error_status_is_retried_with_backoff(receiver, make_case, make_endpoint):
    receiver.status = 500
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    now = timezone.now()
    assert deliver(delivery.pk, now=now) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at == now + timedelta(minutes=1)
    assert deliver(delivery.pk, now=now) == "skipped"  # not due yet
    # Second attempt a minute later, still failing: the next one waits five minutes.
    assert deliver(delivery.pk, now=delivery.next_attempt_at) == "retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + timedelta(minutes=1 + 5)
    # The receiver recovers: delivered on the third attempt, the error cleared.
    receiver.status = 200
    assert deliver(delivery.pk, now=delivery.next_attempt_at) == "delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, "")
    assert len(receiver.requests) == 3
    # Every attempt posts the same body, with a fresh signature.
    assert len({r.body for r in receiver.requests}) == 1


def test_the_retry_is_queued_for_later(
    receiver, make_case, make_endpoint, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    receiver.status = 503
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    DBTaskResult.objects.all().delete()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(delivery.pk, now=now)
    task = DBTaskResult.objects.get(task_path__endswith="deliver_webhook")
    assert task.args_kwargs["args"] == [delivery.pk]
    assert task.run_after == now + timedelta(minutes=BACKOFF_MINUTES[0])


def test_a_closed_port_is_retried_and_recorded(closed_port_url, make_case, make_endpoint):
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, closed_port_url)
    started = time.monotonic()
    assert deliver(delivery.pk) == "retry"
    assert time.monotonic() - started < 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()


def test_a_receiver_slower_than_the_timeout_is_retried(receiver, make_case, make_endpoint):
    receiver.delay = 3  # the timeout is 1 second
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    started = time.monotonic()
    assert deliver(delivery.pk) == "retry"
    assert time.monotonic() - started < 2.5
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.last_error.lower()


def test_a_redirect_is_not_followed(receiver, make_case, make_endpoint):
    receiver.status = 302
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    assert deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1  # nothing went to the other address


def test_after_the_last_attempt_it_is_failed(receiver, make_case, make_endpoint):
    receiver.status = 500
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    results = []
    for _attempt in range(4):  # WEBHOOK_MAX_ATTEMPTS
        delivery.refresh_from_db()
        results.append(deliver(delivery.pk, now=delivery.next_attempt_at or timezone.now()))
    assert results == ["retry", "retry", "retry", "failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 4, None)
    assert deliver(delivery.pk, now=timezone.now() + timedelta(days=1)) == "skipped"


def test_a_deactivated_endpoint_is_not_posted_to(receiver, make_case, make_endpoint, admin_user):
    delivery, endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    do_deactivate_webhook_endpoint(endpoint, acting_user=admin_user)
    assert deliver(delivery.pk) == "failed"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.last_error == "the endpoint is not active"


def test_a_rotated_secret_signs_the_next_attempts(receiver, make_case, make_endpoint, admin_user):
    delivery, endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    old = endpoint.secret
    endpoint = do_rotate_webhook_secret(endpoint, acting_user=admin_user)
    assert endpoint.secret != old
    assert endpoint.secret_rotated_at is not None
    deliver(delivery.pk)
    [request] = receiver.requests
    signature = request.headers["X-Enlace-Signature"]
    assert verify_signature(endpoint.secret, signature, request.body)
    assert not verify_signature(old, signature, request.body)


def test_the_sweeper_requeues_what_was_left_behind(
    make_case, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    first, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    second = WebhookDelivery.objects.create(
        endpoint=first.endpoint, event_type="case.created", case=first.case, body=first.body
    )
    fresh = WebhookDelivery.objects.create(
        endpoint=first.endpoint, event_type="case.created", case=first.case, body=first.body
    )
    now = timezone.now()
    # A worker died mid-post: its lease ran out. Another row's task was lost long ago.
    WebhookDelivery.objects.filter(pk=first.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, locked_until=now - timedelta(seconds=1)
    )
    WebhookDelivery.objects.filter(pk=second.pk).update(created_at=now - timedelta(minutes=10))
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_due(now=now) == 2
    first.refresh_from_db()
    assert (first.status, first.locked_until) == (DeliveryStatus.PENDING, None)
    queued = sorted(
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(task_path__endswith="deliver_webhook")
    )
    assert queued == sorted([first.pk, second.pk])  # the fresh one's task is still queued
    assert fresh.pk not in queued


def test_the_sweep_command_says_what_it_requeued(make_case, make_endpoint, receiver):
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert "webhooks requeued=1" in out.getvalue()


def test_the_body_sent_is_valid_json(receiver, make_case, make_endpoint):
    delivery, _endpoint, _case = one_delivery(make_case, make_endpoint, receiver.url)
    deliver(delivery.pk)
    assert json.loads(receiver.requests[0].body)["type"] == "case.created"
