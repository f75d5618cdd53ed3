"""A report subscribed to is a mail about no case nor request: its delivery (enlace/
subscriptions) points at it. Every other kind still belongs to exactly one thing."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from enlace.notifications import notify
from enlace.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_only_a_report_is_about_nothing_else(make_case):
    base = {"recipient": "a@example.com", "subject": "s", "body": "b"}
    Notification.objects.create(message_id="<1@x>", kind="report", **base)
    for kind in ("reminder", "answer", "survey_invitation"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(message_id=f"<{kind}@x>", kind=kind, **base)
    Notification.objects.create(message_id="<2@x>", kind="answer", case=make_case(), **base)


def test_the_report_s_mail_names_its_period_and_is_queued_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as queued:
        row = notify.subscribed_report(
            "ana@example.org",
            report="Participación",
            start=date(2026, 1, 1),
            end=date(2026, 3, 31),
            centre="Hospital General",
            link="https://enlace.example.org/informes/suscripciones/",
        )
    assert row is not None
    assert (row.kind, row.recipient, row.status) == ("report", "ana@example.org", "pending")
    for text in ("Participación", "Hospital General", "01/01/2026", "31/03/2026"):
        assert text in row.subject
    assert "https://enlace.example.org/informes/suscripciones/" in row.body
    assert len(queued) == 1
    assert (
        notify.subscribed_report(
            "", report="x", start=date(2026, 1, 1), end=date(2026, 1, 31), centre="", link=""
        )
        is None
    )
