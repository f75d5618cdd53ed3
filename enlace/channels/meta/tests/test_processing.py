"""Processing: a new case to classify, a reply threaded into the citizen's case, attachments."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation

from enlace.cases import actions
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, EventKind
from enlace.channels.actions import do_process_message, reply_route
from enlace.channels.meta.tests.conftest import (
    JPEG,
    PROGRAM,
    WA_TOKEN,
    messenger_event,
    messenger_text,
    payload,
    post,
    whatsapp_text,
)
from enlace.channels.models import Attachment, InboundMessage, InboundOutcome, InboundStatus


def receive(plugin, data, *, language="es"):
    """Post a delivery and process what it stored (in `language`); the messages it stored."""
    before = set(InboundMessage.objects.values_list("pk", flat=True))
    assert post(plugin, data).status_code == 200
    stored = list(InboundMessage.objects.exclude(pk__in=before).order_by("pk"))
    with translation.override(language):
        for message in stored:
            do_process_message(message.pk)
            message.refresh_from_db()
    return stored


def test_a_messenger_text_becomes_a_case_to_classify(db):
    [message] = receive("facebook", payload("messenger_text"))
    assert message.outcome == InboundOutcome.NEW_CASE
    assert message.sender == "7345120046721955"
    case = message.case
    assert case.channel.code == "facebook"
    assert case.to_classify
    assert case.description.startswith("En el Hospital General no hay medicamento")
    assert case.citizen_phone == ""  # a page-scoped id is not a phone number


def test_a_whatsapp_number_from_abroad_is_not_taken_as_the_phone(db):
    [message] = receive("whatsapp", whatsapp_text("Hola", sender="16505551234"))
    assert message.case.citizen_phone == ""


@pytest.mark.parametrize(
    ("plugin", "first", "second"),
    [
        (
            "whatsapp",
            whatsapp_text("Primero", wamid="wamid.1"),
            whatsapp_text("Y además", wamid="wamid.2"),
        ),
        ("facebook", messenger_text("Primero", mid="m_1"), messenger_text("Y además", mid="m_2")),
    ],
)  # fmt: skip
def test_a_reply_from_the_same_sender_threads_into_the_open_case(db, plugin, first, second):
    [opened] = receive(plugin, first)
    [reply] = receive(plugin, second)
    assert reply.outcome == InboundOutcome.REPLY
    assert reply.case == opened.case
    assert Case.objects.count() == 1
    event = opened.case.events.get(kind=EventKind.CITIZEN_MESSAGE)
    assert event.note == "Y además"
    assert event.actor is None


def test_another_sender_opens_another_case(db):
    receive("whatsapp", whatsapp_text("Primero", wamid="wamid.1"))
    receive("whatsapp", whatsapp_text("Otro", wamid="wamid.2", sender="50379998888"))
    assert Case.objects.count() == 2


def test_a_sender_whose_case_is_closed_or_old_opens_a_new_one(db, settings, resolution):
    [first] = receive("whatsapp", whatsapp_text("Primero", wamid="wamid.1"))
    actions.do_close_case(first.case, "Resuelto por teléfono", acting_user=resolution)
    [second] = receive("whatsapp", whatsapp_text("Otra cosa", wamid="wamid.2"))
    assert second.outcome == InboundOutcome.NEW_CASE
    settings.META_THREAD_DAYS = 0
    [third] = receive("whatsapp", whatsapp_text("Y otra", wamid="wamid.3"))
    assert third.outcome == InboundOutcome.NEW_CASE
    assert Case.objects.count() == 3


def test_a_message_quoting_a_tracking_code_threads_into_that_case(db, make_case):
    case = make_case(channel="llamada_127")
    code = case.display_code  # XXXXX-XXXXX
    [message] = receive(
        "whatsapp", whatsapp_text(f"Buenas, sobre mi caso {code.lower()}: ya me llamaron")
    )
    assert message.outcome == InboundOutcome.REPLY
    assert message.case == case
    assert case.events.filter(kind=EventKind.CITIZEN_MESSAGE).exists()
    # The sender's next message threads too.
    [later] = receive("whatsapp", whatsapp_text("Gracias", wamid="wamid.later"))
    assert later.case == case


def test_only_the_case_s_own_citizen_is_answered_after_quoting_a_code(db, make_case):
    """Knowing a tracking code adds a message to the case; it does not make the sender the one
    the office's replies go to, unless the number is the case's own phone."""
    stranger_case = make_case()
    receive("whatsapp", whatsapp_text(f"Caso {stranger_case.display_code}", wamid="wamid.s"))
    assert reply_route(stranger_case) is None
    own_case = make_case(citizen={"phone": "+50371234567"})
    receive("whatsapp", whatsapp_text(f"Caso {own_case.display_code}", wamid="wamid.o"))
    route = reply_route(own_case)
    assert (route.plugin, route.recipient) == ("whatsapp", "50371234567")


def test_a_code_of_no_case_is_just_text(db):
    [message] = receive("whatsapp", whatsapp_text("Mi código es ACDEF-23456"))
    assert message.outcome == InboundOutcome.NEW_CASE


def test_a_reply_resumes_a_case_waiting_for_the_citizen(db, resolution):
    [opened] = receive("whatsapp", whatsapp_text("Me atendieron mal", wamid="wamid.1"))
    actions.do_wait_for_citizen(
        opened.case, "Necesitamos el nombre del médico", acting_user=resolution
    )
    [reply] = receive("whatsapp", whatsapp_text("Se llama Dr. Pérez", wamid="wamid.2"))
    case = Case.objects.get(pk=reply.case_id)
    assert case.status == CaseStatus.RECEIVED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.CITIZEN_MESSAGE, EventKind.RESUMED]


def image_payload():
    return payload("whatsapp_image")


def test_an_image_is_fetched_from_the_graph_api_and_attached(db, graph):
    graph.media("1003383421387256", JPEG)
    [message] = receive("whatsapp", image_payload())
    assert message.status == InboundStatus.PROCESSED
    case = message.case
    assert case.description == "La receta que no me quisieron despachar"  # the caption
    attachment = Attachment.objects.get()
    assert (attachment.case, attachment.message) == (case, message)
    assert attachment.content_type == "image/jpeg"
    assert attachment.file.read() == JPEG
    assert [r.path for r in graph.requests] == [
        "/v21.0/1003383421387256",
        "/media/1003383421387256",
    ]
    assert all(r.headers["Authorization"] == f"Bearer {WA_TOKEN}" for r in graph.requests)


@pytest.mark.parametrize(
    ("content", "why"),
    [(PROGRAM, "is not a photo"), (JPEG * 2000, "is larger than")],
)
def test_a_refused_image_is_a_note_on_the_case_and_the_text_goes_through(
    db, graph, settings, content, why
):
    settings.ATTACHMENT_MAX_BYTES = 10_000
    graph.media("1003383421387256", content)
    [message] = receive("whatsapp", image_payload(), language="en")
    assert message.status == InboundStatus.PROCESSED
    case = message.case
    assert case.description == "La receta que no me quisieron despachar"
    assert not Attachment.objects.exists()
    note = case.events.get(kind=EventKind.COMMENTED).note
    assert note.startswith("An attachment sent by the citizen was refused: whatsapp-image")
    assert why in note


def test_media_that_is_gone_is_a_note_too(db, graph):
    # No answer configured: the local Graph API says 404, as it does for expired media.
    [message] = receive("whatsapp", image_payload())
    assert message.status == InboundStatus.PROCESSED
    assert message.case.events.filter(kind=EventKind.COMMENTED).exists()


def test_media_the_graph_api_cannot_give_now_is_fetched_again_later(db, graph):
    graph.answer("GET", "/v21.0/1003383421387256", (503, {"error": {"message": "busy", "code": 2}}))
    [message] = receive("whatsapp", image_payload())
    assert message.status == InboundStatus.PENDING
    assert "503" in message.error
    assert not Case.objects.exists()  # the failed attempt wrote nothing
    graph.media("1003383421387256", JPEG)
    do_process_message(message.pk, now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == InboundStatus.PROCESSED
    assert Attachment.objects.get().case == message.case


def test_a_messenger_image_is_fetched_from_its_url(db, graph):
    data = payload("messenger_image")
    messenger_event(data)["message"]["attachments"][0]["payload"]["url"] = (
        f"{graph.url}/cdn/receta.jpg"
    )
    graph.answer("GET", "/cdn/receta.jpg", (200, JPEG))
    [message] = receive("facebook", data)
    case = message.case
    assert case.description  # a file without text still opens a case to classify
    assert Attachment.objects.get().case == case


def test_html_in_a_message_is_stored_as_text_and_shown_inert(db, client_for, resolution):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    [opened] = receive("whatsapp", whatsapp_text(script, wamid="wamid.1"))
    receive("whatsapp", whatsapp_text(f"otra vez {script}", wamid="wamid.2"))
    case = opened.case
    assert case.description == script
    page = client_for(resolution).get(f"/casos/{case.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_an_echo_of_what_the_page_sent_is_ignored(db):
    data = messenger_text("Gracias por escribirnos", mid="m_echo")
    messenger_event(data)["message"]["is_echo"] = True
    [message] = receive("facebook", data)
    assert message.status == InboundStatus.IGNORED
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_background_worker_processes_what_the_webhook_stored():
    assert post("whatsapp", json.loads(json.dumps(payload("whatsapp_text")))).status_code == 200
    assert not Case.objects.exists()
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED
    assert message.case.channel.code == "whatsapp"
