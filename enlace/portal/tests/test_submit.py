"""A citizen writes on the portal: the form is stored first as an inbound message of the
`portal` plug-in, then processed into exactly one case, and the receipt shows its code (after a
redirect: tests/test_receipt.py)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enlace.cases.models import Case, EventKind
from enlace.channels.actions import do_process_message
from enlace.channels.models import Attachment, InboundMessage, InboundStatus
from enlace.channels.portal import plugin
from enlace.notifications.models import Notification, NotificationKind
from enlace.portal.models import TrackingKey

from .conftest import JPEG, PDF

pytestmark = pytest.mark.django_db

HOME = "/"


def test_the_portal_is_the_home_page_and_staff_keep_their_console(client, agent, client_for):
    response = client.get(HOME)
    assert response.status_code == 200
    assert b'id="submit-form"' in response.content
    assert b'lang="es"' in response.content
    assert reverse("home") == reverse("portal:home") == "/"
    # Staff land on their start page in the console after logging in; the console is where
    # it was.
    from django.conf import settings

    assert reverse(settings.LOGIN_REDIRECT_URL) == "/inicio/"
    assert client_for(agent).get("/casos/").status_code == 200


def test_a_submission_is_stored_then_becomes_one_case(client, form_data):
    data = form_data()
    response = client.post(HOME, data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/recibo/", 302)]
    message = InboundMessage.objects.get()
    assert (message.plugin, message.external_id) == ("portal", data["token"])
    assert message.status == InboundStatus.PROCESSED
    body = json.loads(message.body)
    assert body["kind"] == "opinion"
    assert body["opinion_type"] == "queja"
    assert body["citizen"]["phone"] == "+50371234567"
    case = Case.objects.get()
    assert message.case == case
    assert (case.kind, case.opinion_type.code, case.dependency.code) == ("opinion", "queja", "HG")
    assert case.channel.code == "sitio_web"
    assert case.citizen_email == "marta@example.com"
    assert case.created_by is None
    assert case.events.filter(kind=EventKind.REGISTERED).count() == 1
    # The receipt: the code, date, time and channel.
    content = response.content.decode()
    assert case.display_code in content
    assert 'id="tracking-code"' in content
    assert case.received_at.astimezone().strftime("%d/%m/%Y") in content
    assert "Sitio web" in content
    assert 'id="tracking-key"' not in content  # identified: no key needed
    # By when the answer is due: the answer deadline's date.
    due = case.deadlines.get(step="answer").due_on
    assert response.context["due_on"] == due
    assert 'id="receipt-due"' in content
    assert response["Cache-Control"].startswith("max-age=0")
    # The acknowledgement mail to the address given.
    mail = Notification.objects.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert mail.recipient == "marta@example.com"
    assert case.display_code in mail.subject


def test_the_same_form_posted_twice_is_one_message_and_one_case(client, form_data):
    data = form_data()
    first = client.post(HOME, data, follow=True)
    second = client.post(HOME, data, follow=True)
    assert InboundMessage.objects.count() == 1
    case = Case.objects.get()
    assert case.display_code in first.content.decode()
    assert case.display_code in second.content.decode()
    assert Notification.objects.count() == 1


def test_an_inquiry_without_a_topic_goes_under_other_inquiries(client, form_data):
    response = client.post(HOME, form_data(what="consulta", dependency="", topic=""), follow=True)
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.kind, case.topic.code, case.opinion_type) == ("consulta", "otro", None)
    assert case.dependency is None


def test_an_inquiry_with_its_topic_and_centre(client, form_data):
    client.post(HOME, form_data(what="consulta", dependency="UM-ZAC", topic="citas"))
    case = Case.objects.get()
    assert (case.topic.code, case.dependency.code) == ("citas", "UM-ZAC")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"what": ""}, "what"),
        ({"dependency": ""}, "dependency"),
        ({"description": "  "}, "description"),
        ({"phone": "", "email": ""}, "email"),  # no way to answer and not anonymous
        ({"dui": "01234567-0"}, "dui"),  # wrong check digit
        ({"phone": "1234"}, "phone"),
        ({"email": "no-es-correo"}, "email"),
        ({"dependency": "NO-EXISTE"}, "dependency"),
    ],
)
def test_invalid_forms_come_back_with_their_errors_and_store_nothing(
    client, form_data, overrides, field
):
    response = client.post(HOME, form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert f'href="#id_{field}' in content  # the summary links to the field
    assert 'aria-invalid="true"' in content
    assert not InboundMessage.objects.exists()
    assert not Case.objects.exists()


def test_an_anonymous_opinion_gets_a_key_and_keeps_no_personal_data(client, form_data):
    response = client.post(
        HOME, form_data(what="sugerencia", anonymous="on", dui="01234567-0"), follow=True
    )
    assert response.status_code == 200  # the identity fields are dropped, not checked
    case = Case.objects.get()
    assert (case.citizen_name, case.citizen_phone, case.citizen_email, case.citizen_dui) == (
        ("", "", "", "")
    )
    key = response.context["clave"]
    assert len(key) == 9
    assert key in response.content.decode()
    stored = TrackingKey.objects.get(case=case)
    assert key.replace("-", "") not in stored.key_hash
    assert key not in InboundMessage.objects.get().body  # only its hash was stored
    assert not Notification.objects.exists()


def test_a_denuncia_may_come_with_no_data_at_all(client, form_data):
    response = client.post(
        HOME, form_data(what="denuncia", name="", phone="", email="", dui=""), follow=True
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.opinion_type.code == "denuncia"
    assert TrackingKey.objects.filter(case=case).exists()
    assert response.context["clave"]


def test_photos_and_pdfs_are_stored_with_the_message_and_the_case(client, form_data):
    files = [
        SimpleUploadedFile("foto.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("referencia.pdf", PDF, content_type="application/pdf"),
    ]
    response = client.post(HOME, {**form_data(), "attachments": files}, follow=True)
    assert response.status_code == 200
    case = Case.objects.get()
    stored = Attachment.objects.order_by("name")
    assert [(a.name, a.content_type) for a in stored] == [
        ("foto.jpg", "image/jpeg"),
        ("referencia.pdf", "application/pdf"),
    ]
    assert {a.message_id for a in stored} == {InboundMessage.objects.get().pk}
    assert {a.case_id for a in stored} == {case.pk}


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "foto.jpg"),  # a Windows program named as a photo
        (b"<html><script>alert(1)</script></html>", "receta.pdf"),
        (b"OggS\x00\x02" + b"\x00" * 100, "nota.jpg"),  # audio: accepted elsewhere, not here
    ],
)
def test_a_disguised_file_is_refused_on_the_form_and_nothing_is_stored(
    client, form_data, content, name
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post(HOME, {**form_data(), "attachments": [upload]})
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert name in response.content.decode()
    assert not InboundMessage.objects.exists()
    assert not Attachment.objects.exists()
    assert not Case.objects.exists()


def test_more_than_three_files_or_an_oversized_one_is_refused(client, form_data, settings):
    files = [SimpleUploadedFile(f"f{i}.jpg", JPEG, content_type="image/jpeg") for i in range(4)]
    response = client.post(HOME, {**form_data(), "attachments": files})
    assert response.status_code == 400
    settings.ATTACHMENT_MAX_BYTES = 50
    big = SimpleUploadedFile("grande.jpg", JPEG, content_type="image/jpeg")
    response = client.post(HOME, {**form_data(), "attachments": [big]})
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_a_crash_while_processing_loses_nothing_and_reloading_shows_the_code(
    client, form_data, monkeypatch
):
    original = plugin.Portal.process

    def crash(self, message):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(plugin.Portal, "process", crash)
    data = form_data()
    response = client.post(HOME, data, follow=True)
    assert response.status_code == 200
    assert 'id="pending-notice"' in response.content.decode()
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PENDING
    assert not Case.objects.exists()
    # Reloading the receipt posts the same form again: the stored message is processed now.
    monkeypatch.setattr(plugin.Portal, "process", original)
    response = client.post(HOME, data, follow=True)
    case = Case.objects.get()
    assert case.display_code in response.content.decode()
    assert do_process_message(message.pk) == "skipped"


def test_the_honeypot_gets_a_fake_receipt_and_stores_nothing(client, form_data, caplog):
    response = client.post(HOME, form_data(website="http://spam.example"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/recibo/", 302)]  # as a real receipt
    assert 'id="tracking-code"' in response.content.decode()
    assert not InboundMessage.objects.exists()
    assert not Case.objects.exists()
    assert "honeypot" in caplog.text


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    content = client.get(HOME).content.decode()
    assert '<div class="trap" aria-hidden="true">' in content
    assert 'name="website"' in content
    assert 'tabindex="-1"' in content


def test_a_flood_of_submissions_gets_429(client, form_data, settings):
    settings.PORTAL_RATE_LIMITS = {"submit": (2, 3600)}
    assert client.post(HOME, form_data()).status_code == 302
    assert client.post(HOME, form_data()).status_code == 302
    response = client.post(HOME, form_data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'id="too-many"' in response.content.decode()
    assert Case.objects.count() == 2
    # Another address is not held back.
    assert client.post(HOME, form_data(), REMOTE_ADDR="10.0.0.9").status_code == 302


def test_html_in_the_text_is_inert(client, form_data):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(HOME, form_data(description=attack, name=attack), follow=True)
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.description == attack  # stored as typed
    invalid = client.post(HOME, form_data(description=attack, name=attack, email="x"))
    assert invalid.status_code == 400  # the form comes back with what was typed, escaped
    for content in (response.content.decode(), invalid.content.decode()):
        assert "<script>alert" not in content
        assert "<img src=x" not in content
