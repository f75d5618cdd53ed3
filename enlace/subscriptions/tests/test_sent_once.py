"""The key behaviour: a subscription produces and mails the right period's PDF, once.

Everything is real: the subscription is made on its page, the sweeper is `manage.py sweep`,
the mail leaves through the notifications' outbox worked by `manage.py db_worker` (the
embedded queue), and a real SMTP server on 127.0.0.1 receives it; the PDF attached is read
back with pypdf."""

import io
import threading
from datetime import date
from email.header import decode_header, make_header

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from enlace.cases.lifecycle import CaseKind
from enlace.notifications.models import Notification, NotificationStatus
from enlace.subscriptions import registry
from enlace.subscriptions.actions import Choice, do_produce_report, do_subscribe
from enlace.subscriptions.models import ReportDelivery, ReportSubscription
from enlace.subscriptions.tests.conftest import at

# The enqueue happens on commit and the worker reads the queue: these tests commit; restoring
# the serialized database afterwards keeps the reference data for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def work_the_queue() -> None:
    """The background worker, as `manage.py db_worker` runs it, until the queue is empty."""
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


def pdfs_of(messages) -> list[tuple[str, bytes]]:
    """Every PDF attached to the messages, as (file name, content)."""
    return [
        (part.get_filename(), part.get_payload(decode=True))
        for message in messages
        for part in message.walk()
        if part.get_content_type() == "application/pdf"
    ]


def text_of(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def sweep_at(moment) -> None:
    with time_machine.travel(moment, tick=True):
        call_command("sweep", verbosity=0)
        work_the_queue()


def test_a_liaison_receives_their_centre_s_quarter_once(
    make_case, liaison, client_for, smtp_server
):
    # The first quarter of 2026 at Hospital General: three opinions and an inquiry, one of
    # them late on its last day. Around it, what the report must leave out: another centre's
    # opinion, and Hospital General's opinions of the days before and after the quarter.
    cases = [
        (at(date(2025, 12, 31), 23, 30), {"type": "reclamo"}),
        (at(date(2026, 2, 10)), {"type": "reclamo"}),
        (at(date(2026, 2, 10)), {"type": "queja", "limitante": "tiempo_espera"}),
        (at(date(2026, 2, 11)), {"type": "reclamo", "centre": "UM-ZAC"}),
        (at(date(2026, 3, 31), 23, 30), {"type": "felicitacion", "limitante": None}),
        (at(date(2026, 4, 1), 0, 30), {"type": "reclamo"}),
    ]
    for moment, values in cases:
        with time_machine.travel(moment, tick=False):
            make_case(**values)
    with time_machine.travel(at(date(2026, 3, 5)), tick=False):
        make_case(CaseKind.INQUIRY, centre="HG", topic="citas")
    liaison.email = "bruno@hg.example.org"
    liaison.save(update_fields=["email"])

    # Mid-January, the liaison subscribes to their centre's report every quarter (the centre
    # they type is ignored: theirs is fixed).
    with time_machine.travel(at(date(2026, 1, 15)), tick=False):
        response = client_for(liaison).post(
            reverse("subscriptions:new"),
            {"report": "participation_centre", "frequency": "quarterly", "centre": "UM-ZAC"},
        )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.centre.code, subscription.period_end) == ("HG", date(2026, 3, 31))

    # On the quarter's last evening nothing is due yet.
    sweep_at(at(date(2026, 3, 31), 23, 59))
    assert pdfs_of(smtp_server.messages) == []

    # The morning after the quarter: the sweeper produces it and the outbox mails it.
    sweep_at(at(date(2026, 4, 1), 7, 0))
    [(filename, content)] = pdfs_of(smtp_server.messages)
    [mail] = [m for m in smtp_server.messages if m.is_multipart()]
    assert mail["To"] == "bruno@hg.example.org"
    subject = str(make_header(decode_header(mail["Subject"])))
    assert "01/01/2026" in subject
    assert "31/03/2026" in subject
    assert "Hospital General" in subject
    assert filename.endswith("_2026-01-01_2026-03-31.pdf")
    text = text_of(content)
    assert "Medios de participación ciudadana" in text
    assert "Periodo: 1 de enero de 2026 \N{EN DASH} 31 de marzo de 2026" in text
    # Hospital General's three opinions and one inquiry of the quarter, nothing else.
    assert "se recibieron 3 opiniones sobre el servicio recibido y 1 consultas" in text
    assert "Resumen Total Opiniones 3 Opiniones respondidas 0 Consultas 1" in text
    assert "Unidad Médica Zacamil" not in text

    # The sweeper runs again (a minute later, and the day after): nothing more is produced
    # or mailed.
    received = len(smtp_server.messages)
    sweep_at(at(date(2026, 4, 1), 7, 1))
    sweep_at(at(date(2026, 4, 2), 7, 0))
    assert len(smtp_server.messages) == received
    assert len(pdfs_of(smtp_server.messages)) == 1

    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert delivery.notification.status == NotificationStatus.SENT
    assert delivery.notification.report_delivery == delivery
    assert Notification.objects.filter(kind="report").count() == 1
    # Next: the second quarter, on the morning of 1 July.
    subscription.refresh_from_db()
    assert subscription.period_end == date(2026, 6, 30)
    assert subscription.due_at == at(date(2026, 7, 1), 6, 0)
    assert (subscription.failures, subscription.last_error) == (0, "")


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite locks no rows: there the delivery's unique constraint decides (test_sweeper)",
)
def test_two_sweepers_at_once_produce_a_period_once(analyst):
    """While one sweeper holds a subscription (FOR UPDATE), another skips it."""
    analyst.email = "andres@example.org"
    analyst.save(update_fields=["email"])
    registry.register("fine", "Fine", lambda *a: b"%PDF", allowed=bool, needs_centre=False)
    try:
        subscription = do_subscribe(analyst, Choice("fine", "monthly"), now=at(date(2026, 2, 3)))
        morning = at(date(2026, 3, 1), 6, 0)
        outcome = []

        def other_sweeper() -> None:
            try:
                outcome.append(do_produce_report(subscription.pk, now=morning))
            finally:
                connection.close()

        with transaction.atomic():
            ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
            thread = threading.Thread(target=other_sweeper)
            thread.start()
            thread.join(timeout=30)
        assert outcome == ["skipped"]
        assert do_produce_report(subscription.pk, now=morning) == "produced"
        assert do_produce_report(subscription.pk, now=morning) == "skipped"
        assert ReportDelivery.objects.count() == 1
    finally:
        registry._REPORTS.pop("fine", None)
