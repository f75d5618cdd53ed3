"""Delivering notifications by real SMTP: once, after an outage, and after a worker died."""

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from enlace.cases import actions
from enlace.notifications.delivery import LEASE, deliver, requeue_due
from enlace.notifications.models import Notification, NotificationStatus
from enlace.notifications.tests.conftest import Inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledged(make_case, resolution):
    case = make_case(citizen={"name": "Ana", "email": "ana@example.com"})
    actions.do_acknowledge_case(case, acting_user=resolution)
    return Notification.objects.get(kind="acknowledgement")


def test_a_notification_is_sent_once_by_smtp(acknowledged, smtp_server):
    assert deliver(acknowledged.pk) == "sent"
    assert deliver(acknowledged.pk) == "skipped"
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "ana@example.com"
    assert message["Message-ID"] == acknowledged.message_id
    assert acknowledged.case.display_code in message["Subject"]
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.attempts) == (NotificationStatus.SENT, 1)
    assert acknowledged.sent_at is not None


def test_an_smtp_outage_delays_the_message_and_loses_nothing(acknowledged, smtp_down):
    now = timezone.now()
    assert deliver(acknowledged.pk, now=now) == "retry"
    acknowledged.refresh_from_db()
    assert acknowledged.status == NotificationStatus.PENDING
    assert acknowledged.attempts == 1
    assert acknowledged.next_attempt_at == now + timedelta(minutes=1)
    assert "ConnectionRefusedError" in acknowledged.last_error
    # Too early for the next attempt: nothing happens.
    assert deliver(acknowledged.pk, now=now + timedelta(seconds=30)) == "skipped"
    assert deliver(acknowledged.pk, now=now + timedelta(minutes=2)) == "retry"

    # The server comes back on the same port; the next attempt delivers it, once.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_down)
    controller.start()
    try:
        later = now + timedelta(minutes=10)
        assert requeue_due(now=later) == 1
        assert deliver(acknowledged.pk, now=later) == "sent"
        assert deliver(acknowledged.pk, now=later) == "skipped"
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.attempts, acknowledged.last_error) == (
        NotificationStatus.SENT,
        3,
        "",
    )


def test_after_the_last_attempt_the_message_is_marked_failed(acknowledged, smtp_down):
    Notification.objects.filter(pk=acknowledged.pk).update(attempts=7)
    assert deliver(acknowledged.pk) == "failed"
    acknowledged.refresh_from_db()
    assert acknowledged.status == NotificationStatus.FAILED
    assert acknowledged.next_attempt_at is None


def test_a_worker_that_dies_mid_send_leaves_the_message_to_another_once(acknowledged, smtp_server):
    now = timezone.now()
    # A worker claims the row (exactly what deliver() does first) and is killed before the
    # message leaves: the row stays "sending" under its lease.
    Notification.objects.filter(pk=acknowledged.pk).update(
        status=NotificationStatus.SENDING, attempts=1, locked_until=now + LEASE
    )
    # While the lease holds, nobody else takes it.
    assert requeue_due(now=now + timedelta(minutes=1)) == 0
    assert deliver(acknowledged.pk, now=now + timedelta(minutes=1)) == "skipped"
    # The lease runs out: the sweeper hands it back, and it is sent exactly once, even if
    # two workers receive the task.
    later = now + LEASE + timedelta(seconds=1)
    assert requeue_due(now=later) == 1
    assert deliver(acknowledged.pk, now=later) == "sent"
    assert deliver(acknowledged.pk, now=later) == "skipped"
    assert len(smtp_server.messages) == 1


def test_the_sweeper_leaves_fresh_messages_to_their_queued_task(acknowledged):
    created = acknowledged.created_at
    assert requeue_due(now=created + timedelta(seconds=30)) == 0
    assert requeue_due(now=created + timedelta(minutes=3)) == 1


def test_a_message_handed_back_waits_before_it_is_handed_back_again(acknowledged):
    # A slow queue: its task is still waiting. Every sweep in the next two minutes leaves it
    # (the load test saw every sweeper re-queue every pending row at every sweep).
    created = acknowledged.created_at
    assert requeue_due(now=created + timedelta(minutes=3)) == 1
    assert requeue_due(now=created + timedelta(minutes=3, seconds=10)) == 0
    assert requeue_due(now=created + timedelta(minutes=4, seconds=50)) == 0
    assert requeue_due(now=created + timedelta(minutes=5, seconds=10)) == 1
    assert deliver(acknowledged.pk, now=created + timedelta(minutes=5, seconds=11)) == "sent"
