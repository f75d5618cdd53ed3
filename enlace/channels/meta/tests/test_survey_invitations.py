"""Invitations to answer a study by WhatsApp: a first message to a phone can only come from a
template approved by Meta, so the notifications' outbox sends the template with the centre, the
link and its last day as the values of its placeholders, through the Graph API (a local server
here, answering with the Cloud API's recorded payloads). The case's channel and the citizen's
contacts decide the route; the reminder uses its own template; WhatsApp's word that a message
could not be delivered marks it failed; an address is blanked with its link afterwards."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from enlace.accounts.models import User
from enlace.cases.actions import (
    do_acknowledge_case,
    do_answer_case,
    do_assign_case,
    do_propose_answer,
)
from enlace.cases.models import Case
from enlace.channels.actions import do_process_message
from enlace.channels.meta.tests.conftest import PHONE_NUMBER_ID, WA_TOKEN, payload, post
from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.core import sweeping
from enlace.directory.models import Dependency
from enlace.notifications.delivery import deliver
from enlace.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from enlace.surveys.actions import invitations
from enlace.surveys.models import Invitation, InvitationChannel, Response, Study, StudyMethod
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db

MESSAGES = f"/v21.0/{PHONE_NUMBER_ID}/messages"
SENT = payload("whatsapp_template_sent")
WAMID = SENT["messages"][0]["id"]
LINK = re.compile(r"^https://enlace\.isss\.gob\.sv(/encuesta/i/[A-Za-z0-9_-]+/)$")
GOOD = {"trato": "5", "resuelto": "yes"}


@pytest.fixture(autouse=True)
def _templates(meta_settings: Any) -> None:
    meta_settings.PUBLIC_URL = "https://enlace.isss.gob.sv"
    meta_settings.WHATSAPP_SURVEY_TEMPLATE = "enlace_encuesta"
    meta_settings.WHATSAPP_SURVEY_REMINDER_TEMPLATE = "enlace_encuesta_recordatorio"
    meta_settings.WHATSAPP_TEMPLATE_LANGUAGE = "es"
    meta_settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()


@pytest.fixture
def after_case(resolution: User) -> Study:
    return factories.study(
        resolution,
        factories.questionnaire(resolution),
        [("HG", 100)],
        method=StudyMethod.AFTER_CASE,
    )


def answer(case: Case, resolution: User, liaison: User) -> Case:
    do_acknowledge_case(case, acting_user=resolution)
    do_assign_case(case, Dependency.objects.get(code="HG"), acting_user=resolution)
    do_propose_answer(case, "Ya hay medicamento.", acting_user=liaison)
    return do_answer_case(case, "Ya hay medicamento.", acting_user=resolution)


def sent_template(graph: Any) -> dict[str, Any]:
    posts = [r for r in graph.requests if r.method == "POST" and r.path == MESSAGES]
    assert posts, "nothing was sent to the Graph API"
    assert posts[-1].headers["Authorization"] == f"Bearer {WA_TOKEN}"
    body: dict[str, Any] = posts[-1].json()
    return body


def test_a_whatsapp_case_is_invited_by_the_approved_template(
    after_case: Study,
    resolution: User,
    liaison: User,
    make_case: Callable[..., Case],
    graph: Any,
    client: Client,
) -> None:
    case = make_case(
        channel="whatsapp",
        citizen={"name": "Marta Pérez", "phone": "7123-4567", "email": "marta@example.com"},
    )
    answer(case, resolution, liaison)
    invitation = Invitation.objects.get()
    assert (invitation.channel, invitation.address) == (InvitationChannel.WHATSAPP, "+50371234567")
    notification = Notification.objects.get(kind=NotificationKind.SURVEY_INVITATION)
    assert (notification.channel, notification.recipient, notification.template) == (
        NotificationChannel.WHATSAPP,
        "+50371234567",
        "enlace_encuesta",
    )
    graph.answer("POST", MESSAGES, (200, SENT))
    assert deliver(notification.pk) == NotificationStatus.SENT
    body = sent_template(graph)
    assert body["to"] == "50371234567"
    assert body["type"] == "template"
    template = body["template"]
    assert (template["name"], template["language"]) == ("enlace_encuesta", {"code": "es"})
    (component,) = template["components"]
    centre, link, last_day = (p["text"] for p in component["parameters"])
    assert centre == invitation.dependency.name
    assert last_day == f"{timezone.localtime(invitation.expires_at):%d/%m/%Y}"
    notification.refresh_from_db()
    assert notification.platform_id == WAMID
    # The link in the message answers the study once.
    found = LINK.match(link)
    assert found is not None, link
    assert client.post(found.group(1), GOOD).status_code == 302
    assert Response.objects.get().invitation_id == invitation.pk
    # The study's page counts its invitations by channel.
    client.force_login(resolution)
    page = client.get(f"/estudios/{after_case.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    row = re.search(r"<tr><td>WhatsApp</td>(.*?)</tr>", page.content.decode())
    assert row is not None
    assert re.findall(r'class="num">(\d+)<', row.group(1)) == ["1", "0", "1"]


@pytest.mark.parametrize(
    ("channel", "citizen", "invited_by"),
    [
        # By the call centre, a mobile phone only: WhatsApp.
        ("llamada_127", {"phone": "7123-4567"}, ("whatsapp", "+50371234567")),
        # An e-mail is preferred unless the citizen wrote by WhatsApp.
        (
            "llamada_127",
            {"phone": "7123-4567", "email": "ana@example.com"},
            ("email", "ana@example.com"),
        ),
        # WhatsApp reaches no landline.
        ("llamada_127", {"phone": "2222-3333"}, None),
    ],
)
def test_the_route_follows_the_case_channel_and_the_citizens_contacts(
    after_case: Study,
    resolution: User,
    liaison: User,
    make_case: Callable[..., Case],
    channel: str,
    citizen: dict[str, str],
    invited_by: tuple[str, str] | None,
) -> None:
    answer(make_case(channel=channel, citizen=citizen), resolution, liaison)
    found = Invitation.objects.values_list("channel", "address").first()
    assert found == invited_by


def test_without_the_template_configured_nobody_is_invited_by_whatsapp(
    after_case: Study,
    resolution: User,
    liaison: User,
    make_case: Callable[..., Case],
    meta_settings: Any,
) -> None:
    meta_settings.WHATSAPP_SURVEY_TEMPLATE = ""
    answer(make_case(channel="whatsapp", citizen={"phone": "7123-4567"}), resolution, liaison)
    both = {"phone": "7123-4567", "email": "ana@example.com"}
    answer(make_case(channel="whatsapp", citizen=both), resolution, liaison)
    assert list(Invitation.objects.values_list("channel", flat=True)) == ["email"]


@pytest.fixture
def invited(
    after_case: Study, resolution: User, liaison: User, make_case: Callable[..., Case]
) -> Notification:
    """A WhatsApp case answered: its citizen's invitation, written and not yet sent."""
    answer(make_case(channel="whatsapp", citizen={"phone": "7123-4567"}), resolution, liaison)
    return Notification.objects.get(kind=NotificationKind.SURVEY_INVITATION)


def test_the_reminder_uses_its_own_template_and_a_new_link(
    invited: Notification,
    graph: Any,
    client: Client,
) -> None:
    first = invited
    assert sweeping.sweep(timezone.now() + timedelta(days=3, minutes=1))["survey_reminders"] == 1
    reminder = Notification.objects.get(kind=NotificationKind.SURVEY_REMINDER)
    assert (reminder.channel, reminder.template) == ("whatsapp", "enlace_encuesta_recordatorio")
    assert reminder.parameters[1] != first.parameters[1]
    graph.answer("POST", MESSAGES, (200, SENT))
    assert deliver(reminder.pk) == NotificationStatus.SENT
    assert sent_template(graph)["template"]["name"] == "enlace_encuesta_recordatorio"
    found = LINK.match(reminder.parameters[1])
    assert found is not None
    assert client.get(found.group(1)).status_code == 200


def test_a_template_meta_does_not_know_fails_at_once(
    invited: Notification,
    graph: Any,
) -> None:
    notification = invited
    graph.answer("POST", MESSAGES, (400, payload("whatsapp_template_missing")))
    assert deliver(notification.pk) == NotificationStatus.FAILED
    notification.refresh_from_db()
    assert notification.next_attempt_at is None
    assert "132001" in notification.last_error


def test_a_network_failure_is_retried(
    invited: Notification,
    graph: Any,
) -> None:
    notification = invited
    graph.answer("POST", MESSAGES, (503, {"error": {"message": "Service unavailable", "code": 2}}))
    assert deliver(notification.pk) == "retry"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.next_attempt_at is not None


def test_whatsapps_word_that_it_could_not_deliver_marks_the_message_failed(
    invited: Notification,
    graph: Any,
) -> None:
    notification = invited
    graph.answer("POST", MESSAGES, (200, SENT))
    assert deliver(notification.pk) == NotificationStatus.SENT
    assert post("whatsapp", payload("whatsapp_status_undeliverable")).status_code == 200
    message = InboundMessage.objects.get()
    do_process_message(message.pk)
    message.refresh_from_db()
    assert message.outcome == InboundOutcome.STATUS
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "131026" in notification.last_error


def test_the_phone_and_the_link_are_blanked_once_the_invitation_expires(
    invited: Notification,
    graph: Any,
) -> None:
    notification = invited
    graph.answer("POST", MESSAGES, (200, SENT))
    deliver(notification.pk)
    valid = invitations.setting("valid_days")
    sweeping.sweep(timezone.now() + timedelta(days=valid, minutes=1))
    notification.refresh_from_db()
    assert (notification.recipient, notification.body, notification.parameters) == ("", "", [])
    assert Invitation.objects.get().address == ""
