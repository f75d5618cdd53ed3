"""After sending the form the citizen is redirected to the receipt (post/redirect/get): reloading
it asks for a page, never for the form to be sent again. An anonymous citizen's key is shown
on the receipt once, and is never in an address, a redirect, the session or a log."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from enlace.cases.models import Case
from enlace.channels.models import InboundMessage
from enlace.notifications.models import Notification
from enlace.portal import views

pytestmark = pytest.mark.django_db

HOME = "/"
RECEIPT = "/recibo/"
ANONYMOUS = {"what": "denuncia", "name": "", "phone": "", "email": "", "dui": ""}


def test_the_url():
    assert reverse("portal:receipt") == RECEIPT


def test_sending_redirects_to_the_receipt_and_reloading_it_sends_nothing_again(client, form_data):
    response = client.post(HOME, form_data())
    assert response.status_code == 302
    assert response["Location"] == RECEIPT
    first = client.get(RECEIPT)
    assert first.status_code == 200
    case = Case.objects.get()
    assert case.display_code in first.content.decode()
    assert first["Cache-Control"].startswith("max-age=0")
    # The browser's reload: the same page, no second message, case or mail.
    for _reload in range(2):
        again = client.get(RECEIPT)
        assert again.status_code == 200
        assert case.display_code in again.content.decode()
        assert 'id="email-notice"' in again.content.decode()
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1
    assert Notification.objects.count() == 1


def test_the_key_is_shown_once_and_never_in_an_address_the_session_or_a_log(
    client, form_data, caplog
):
    caplog.set_level(logging.DEBUG)
    response = client.post(HOME, form_data(**ANONYMOUS))
    assert response.status_code == 302
    location = response["Location"]
    assert location == RECEIPT
    shown = client.get(location)
    key = shown.context["clave"]
    assert key
    content = shown.content.decode()
    assert 'id="tracking-key"' in content
    assert key in content
    # Nowhere but in that page's body.
    raw = key.replace("-", "")
    assert key not in location
    assert raw not in location
    for session in Session.objects.all():
        stored = str(session.get_decoded()) + session.session_data
        assert key not in stored
        assert raw not in stored
    assert key not in caplog.text
    assert raw not in caplog.text
    assert raw not in InboundMessage.objects.get().body
    # Reloading shows the receipt without the key, and says why.
    again = client.get(RECEIPT)
    assert again.status_code == 200
    content = again.content.decode()
    assert Case.objects.get().display_code in content
    assert key not in content
    assert 'id="tracking-key"' not in content
    assert 'id="key-shown"' in content
    # The key shown once still follows the case.
    case = Case.objects.get()
    found = client.post("/seguimiento/", {"code": case.display_code, "factor": key})
    assert found.status_code == 200


def test_a_citizen_who_gave_a_contact_gets_no_key(client, form_data):
    client.post(HOME, form_data())
    content = client.get(RECEIPT).content.decode()
    assert 'id="tracking-key"' not in content
    assert 'id="key-shown"' not in content


def test_the_receipt_is_only_for_the_browser_that_sent_the_form(client, form_data):
    client.post(HOME, form_data())
    other = Client()
    response = other.get(RECEIPT)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_a_receipt_left_open_too_long_is_not_shown_again(client, form_data, monkeypatch):
    client.post(HOME, form_data())
    assert client.get(RECEIPT).status_code == 200
    monkeypatch.setattr(views, "RECEIPT_SECONDS", -1)
    client.post(HOME, form_data())  # kept with a moment already past
    response = client.get(RECEIPT)
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert "Marta" not in response.content.decode()


def test_the_honeypot_redirects_to_a_receipt_like_any_other(client, form_data):
    real = client.post(HOME, form_data())
    real_code = client.get(RECEIPT).context["code"]
    fake = client.post(HOME, form_data(website="http://spam.example"))
    assert (fake.status_code, fake["Location"]) == (real.status_code, real["Location"])
    first = client.get(RECEIPT)
    assert first.status_code == 200
    content = first.content.decode()
    assert 'id="tracking-code"' in content
    assert 'id="receipt-channel"' in content
    # The same made-up code on a reload, and nothing stored for it.
    code = first.context["code"]
    assert code in client.get(RECEIPT).content.decode()
    assert code != real_code
    assert Case.objects.count() == 1  # the real one
    assert InboundMessage.objects.count() == 1
