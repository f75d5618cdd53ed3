"""While a case waits for the citizen, the tracking page lets them reply: the reply is stored as
an inbound message of the portal's channel, then recorded on the case as a message from the
citizen, which resumes it. The code and the factor come again with the reply, never in an
address; a case not waiting, or a wrong factor, refuses it and keeps nothing."""

import json
import uuid

import pytest
from django.urls import reverse

from enlace.cases.actions import do_acknowledge_case, do_wait_for_citizen
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.channels.models import InboundMessage, InboundOutcome, InboundStatus
from enlace.portal.forms import REPLY_MAX

pytestmark = pytest.mark.django_db

TRACK = "/seguimiento/"
REPLY = "/seguimiento/responder/"
TEXT = "Adjunto el número de mi DUI: lo llevé a la ventanilla el lunes."


@pytest.fixture
def case(client, form_data):
    client.post("/", form_data())
    return Case.objects.get()


@pytest.fixture
def waiting(case, resolution):
    do_acknowledge_case(case, acting_user=resolution)
    return do_wait_for_citizen(case, "Pida la copia del DUI", acting_user=resolution)


def reply(client, case, factor="7123-4567", text=TEXT, token=None, **extra):
    data = {"code": case.display_code, "factor": factor, "text": text}
    data["token"] = token or str(uuid.uuid4())
    return client.post(REPLY, data, **extra)


def portal_messages():
    return InboundMessage.objects.filter(plugin="portal", external_id__startswith="reply:")


def test_the_url():
    assert reverse("portal:reply") == REPLY


def test_a_waiting_case_offers_a_reply_form_with_its_label(client, waiting):
    response = client.post(TRACK, {"code": waiting.display_code, "factor": "7123-4567"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="reply-form"' in content
    assert f'action="{REPLY}"' in content
    assert '<label for="id_text">' in content
    assert 'aria-describedby="id_text_hint"' in content
    assert f'maxlength="{REPLY_MAX}"' in content
    assert 'name="token"' in content


def test_a_case_not_waiting_offers_no_reply_form(client, case):
    response = client.post(TRACK, {"code": case.display_code, "factor": "7123-4567"})
    assert 'id="reply-form"' not in response.content.decode()


def test_a_reply_is_stored_then_recorded_and_resumes_the_case(client, waiting):
    response = reply(client, waiting)
    # Post/redirect/get, and the factor in no address.
    assert response.status_code == 302
    assert response["Location"] == TRACK
    assert "7123" not in response["Location"]
    message = portal_messages().get()
    assert message.status == InboundStatus.PROCESSED
    assert message.outcome == InboundOutcome.REPLY
    assert message.case_id == waiting.pk
    body = json.loads(message.body)
    assert body["text"] == TEXT
    assert "7123-4567" not in message.body
    assert "+50371234567" not in message.body
    assert message.sender == ""
    event = CaseEvent.objects.get(case=waiting, kind=EventKind.CITIZEN_MESSAGE)
    assert event.note == TEXT
    assert event.actor is None
    resumed = CaseEvent.objects.get(case=waiting, kind=EventKind.RESUMED)
    assert "portal" in resumed.note
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.IN_ASSESSMENT  # where an acknowledged case resumes
    assert waiting.paused_on is None
    # The tracking form says the reply arrived, once.
    page = client.get(TRACK)
    assert 'id="reply-received"' in page.content.decode()
    assert waiting.display_code in page.content.decode()
    assert page.context["form"]["code"].value() == waiting.display_code
    assert page.context["form"]["factor"].value() in (None, "")
    assert 'id="reply-received"' not in client.get(TRACK).content.decode()
    # Looked up again: no reply form, and the step shows.
    found = client.post(
        TRACK,
        {"code": waiting.display_code, "factor": "7123-4567"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert 'id="reply-form"' not in found.content.decode()
    assert "Your information was received" in [str(s.label) for s in found.context["steps"]]


def test_the_same_reply_posted_twice_is_one_message(client, waiting):
    token = str(uuid.uuid4())
    assert reply(client, waiting, token=token).status_code == 302
    # The browser sends it again (a double click, a resubmission): nothing more is kept.
    assert reply(client, waiting, token=token).status_code == 302
    assert portal_messages().count() == 1
    assert CaseEvent.objects.filter(case=waiting, kind=EventKind.CITIZEN_MESSAGE).count() == 1


def test_a_reply_to_a_case_not_waiting_is_refused_and_keeps_nothing(client, case):
    before = CaseEvent.objects.filter(case=case).count()
    response = reply(client, case, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    content = response.content.decode()
    assert 'id="reply-refused"' in content
    assert "not waiting for information from you" in content
    assert not portal_messages().exists()
    assert CaseEvent.objects.filter(case=case).count() == before
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


@pytest.mark.parametrize(
    ("code", "factor"),
    [("right", "7999-9999"), ("right", "otra@example.com"), ("ACDEF-HJKLM", "7123-4567")],
)
def test_a_wrong_code_or_factor_is_refused_with_the_generic_message(client, waiting, code, factor):
    data = {
        "code": waiting.display_code if code == "right" else code,
        "factor": factor,
        "text": TEXT,
        "token": str(uuid.uuid4()),
    }
    response = client.post(REPLY, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="not-found"' in content
    assert 'id="case-status"' not in content
    assert not portal_messages().exists()
    assert not CaseEvent.objects.filter(case=waiting, kind=EventKind.CITIZEN_MESSAGE).exists()
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.WAITING_CITIZEN


@pytest.mark.parametrize("text", ["", "   ", "x" * (REPLY_MAX + 1)])
def test_an_empty_or_too_long_reply_comes_back_with_its_error(client, waiting, text):
    response = reply(client, waiting, text=text)
    assert response.status_code == 400
    assert "text" in response.context["reply_form"].errors
    content = response.content.decode()
    assert 'id="id_text_error"' in content
    assert 'href="#id_text"' in content
    assert 'id="reply-form"' in content
    assert not portal_messages().exists()
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.WAITING_CITIZEN


def test_replies_are_rate_limited(client, waiting, settings):
    settings.PORTAL_RATE_LIMITS = {"track": (2, 600)}
    assert reply(client, waiting, factor="7000-0000").status_code == 400
    assert reply(client, waiting, factor="7000-0000").status_code == 400
    response = reply(client, waiting)
    assert response.status_code == 429
    assert not portal_messages().exists()


def test_html_in_a_reply_is_inert_on_the_page(client, waiting):
    attack = '<script>alert("x")</script>'
    response = reply(client, waiting, text=attack + "x" * REPLY_MAX)
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()
