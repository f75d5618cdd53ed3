"""Shared helpers of the OIR tests: a request registered through the real action, the clock
frozen on a given local date and time, and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import translation

from enlace.notifications.tests.conftest import Inbox, free_port
from enlace.oir import actions
from enlace.oir.models import InformationRequest

SV = ZoneInfo("America/El_Salvador")


@pytest.fixture(autouse=True)
def english_messages():
    """Actions called directly raise their messages in the active language: English here, so
    tests that read them hold whatever the Spanish catalogue says (pages choose their language
    per request, and e-mails and the PDF are written in the office's language anyway)."""
    with translation.override("en"):
        yield


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SV)


def frozen(day: date, hour: int = 10) -> time_machine.travel:
    """The clock stopped on that local day (mid-morning, El Salvador)."""
    return time_machine.travel(at(day, hour), tick=False)


def request_data(**overrides) -> actions.NewRequest:
    values: dict[str, Any] = {
        "channel": "in_person",
        "requester_name": "María José Hernández",
        "document_type": "dui",
        "document_number": "04567890-3",
        "notify_by": "email",
        "email": "maria@example.com",
        "description": "Contratos de compra de medicamentos de 2025 del Hospital General.",
        "gender": "female",
    }
    values.update(overrides)
    return actions.NewRequest(**values)


@pytest.fixture
def register(db, oir):
    def make(*, by=None, **overrides) -> InformationRequest:
        request, _created = actions.do_register_request(
            request_data(**overrides), acting_user=by or oir
        )
        return request

    return make


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def oir_email(db, settings, tmp_path):
    """An e-mail as the poller of a mailbox stores it (the OIR's, whose catalogue channel is
    "oir", unless told another), then processed as the background task does: returns the
    case it opened."""
    from email.message import EmailMessage
    from email.utils import make_msgid

    from enlace.cases.models import Case
    from enlace.channels.actions import do_process_message
    from enlace.channels.email.imap import Mailbox, Poller

    settings.MEDIA_ROOT = tmp_path

    def send(
        body: str,
        *,
        subject: str = "Solicitud de información",
        sender: str = "Luis Pérez <luis@example.com>",
        channel: str = "oir",
    ) -> Case:
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = f"{channel}@isss.example"
        mail["Subject"] = subject
        mail["Message-ID"] = make_msgid(domain="example.com")
        mail.set_content(body)
        mailbox = Mailbox(
            host="imap.example", port=993, user=channel, password="x", channel=channel
        )
        message, _created = Poller(mailbox).store(mail.as_bytes())
        do_process_message(message.pk)
        message.refresh_from_db()
        assert message.case_id is not None, message.error
        return Case.objects.get(pk=message.case_id)

    return send
