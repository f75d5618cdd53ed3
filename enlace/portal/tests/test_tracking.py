"""A citizen follows a case with its code and a second factor, reads the answer and rates it.
A code alone reveals nothing, and guessing is rate limited."""

import pytest
from django.urls import reverse

from enlace.cases.actions import (
    do_acknowledge_case,
    do_answer_case,
    do_assign_case,
    do_propose_answer,
)
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.directory.models import Dependency
from enlace.portal.models import Satisfaction, SatisfactionRating

pytestmark = pytest.mark.django_db

TRACK = "/seguimiento/"
RATE = "/seguimiento/calificar/"
ANSWER = "Le pedimos disculpas; el área de emergencia reforzó su personal."


@pytest.fixture
def submitted(client, form_data):
    """Submit through the portal; returns (case, the receipt's key or '')."""

    def submit(**overrides):
        response = client.post("/", form_data(**overrides), follow=True)
        assert response.status_code == 200
        return Case.objects.order_by("-id").first(), response.context["clave"]

    return submit


def answer(case, resolution, liaison, text=ANSWER):
    do_acknowledge_case(case, acting_user=resolution)
    do_assign_case(case, Dependency.objects.get(code="HG"), acting_user=resolution)
    do_propose_answer(case, text, acting_user=liaison)
    return do_answer_case(case, text, acting_user=resolution)


def test_the_urls():
    assert reverse("portal:track") == TRACK
    assert reverse("portal:rate") == RATE


@pytest.mark.parametrize(
    "factor", ["marta@example.com", "MARTA@Example.com ", "7123-4567", "71234567", "+503 7123 4567"]
)
def test_the_code_and_an_email_or_phone_given_find_the_case(client, submitted, factor):
    case, _key = submitted()
    code = case.display_code.lower().replace("-", " ")  # as a person may type it
    response = client.post(TRACK, {"code": code, "factor": factor})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="case-status"' in content
    assert case.display_code in content
    assert 'id="case-answer"' not in content  # not answered yet
    assert 'id="rate-form"' not in content
    # By when the answer is due.
    assert response.context["due_on"] == case.deadlines.get(step="answer").due_on
    assert 'id="case-due"' in content


def test_the_dui_given_finds_the_case(client, submitted):
    case, _key = submitted(dui="00016297-5")
    response = client.post(TRACK, {"code": case.display_code, "factor": "00016297-5"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("code", "factor"),
    [
        ("right", "otra@example.com"),
        ("right", "7999-9999"),
        ("right", "00016297-5"),  # a valid DUI, not the one given (none was)
        ("right", "ACDE-FHJK"),  # a key-shaped guess
        ("ACDEF-HJKLM", "marta@example.com"),  # a code that does not exist
        ("nonsense", "marta@example.com"),
    ],
)
def test_a_wrong_code_or_factor_gets_one_generic_message(client, submitted, code, factor):
    case, _key = submitted()
    if code == "right":
        code = case.display_code
    response = client.post(TRACK, {"code": code, "factor": factor}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="not-found"' in content
    # Nothing about the case, whether or not the code exists.
    for secret in ("Marta", "marta@example.com", "7123-4567", "Esperé", "Hospital General"):
        assert secret not in content
    assert 'id="case-status"' not in content


@pytest.mark.parametrize(
    ("code", "factor", "empty"),
    [
        ("right", "", ["factor"]),
        ("right", "   ", ["factor"]),
        ("", "marta@example.com", ["code"]),
        ("", "", ["code", "factor"]),
    ],
)
def test_a_field_left_empty_says_fill_it_in_and_nothing_more(
    client, submitted, code, factor, empty
):
    case, _key = submitted()
    if code == "right":
        code = case.display_code
    response = client.post(TRACK, {"code": code, "factor": factor})
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == empty
    content = response.content.decode()
    # The field's own message, by the field and in the summary that links to it.
    messages = {
        "code": "Ingrese el número de registro.",
        "factor": "Ingrese su correo, DUI o teléfono, o su clave.",
    }
    for name in empty:
        assert f'id="id_{name}_error"' in content
        assert messages[name] in content
        assert f'href="#id_{name}"' in content
    assert 'id="error-summary"' in content
    assert 'aria-invalid="true"' in content
    # Not the answer to a wrong pair, and nothing about the case.
    assert 'id="not-found"' not in content
    assert 'id="case-status"' not in content
    for secret in ("Marta", "7123-4567", "Esperé", "Hospital General"):
        assert secret not in content
    # The factor typed is not sent back; the code is.
    assert "marta@example.com" not in content
    if code:
        assert f'value="{case.display_code}"' in content


def test_a_get_with_a_code_in_the_address_reveals_nothing(client, submitted):
    case, _key = submitted()
    response = client.get(TRACK, {"code": case.display_code, "factor": "marta@example.com"})
    assert response.status_code == 200
    assert 'id="case-status"' not in response.content.decode()


def test_an_anonymous_denuncia_is_followed_with_its_key(client, submitted):
    case, key = submitted(what="denuncia", name="", phone="", email="", dui="")
    assert key
    response = client.post(TRACK, {"code": case.display_code, "factor": key.lower()})
    assert response.status_code == 200
    assert 'id="case-status"' in response.content.decode()
    # Another case's key does not open this one.
    _other, other_key = submitted(what="denuncia", name="", phone="", email="", dui="")
    response = client.post(TRACK, {"code": case.display_code, "factor": other_key})
    assert response.status_code == 400


def test_the_citizen_reads_the_answer_and_rates_it_once(client, submitted, resolution, liaison):
    case, _key = submitted()
    answer(case, resolution, liaison)
    response = client.post(TRACK, {"code": case.display_code, "factor": "7123-4567"})
    content = response.content.decode()
    assert ANSWER in content
    assert 'id="rate-form"' in content
    # The Friends-and-Family question, in the words the issue asks for.
    assert "¿Cómo calificaría su experiencia con nuestro servicio?" in content
    for value, _label in Satisfaction.choices:
        assert f'value="{value}"' in content
    response = client.post(
        RATE,
        {
            "code": case.display_code,
            "factor": "7123-4567",
            "rating": "good",
            "comment": "Gracias por responder.",
        },
    )
    assert response.status_code == 200
    assert 'id="rated"' in response.content.decode()
    rating = SatisfactionRating.objects.get(case=case)
    assert (rating.rating, rating.comment) == ("good", "Gracias por responder.")
    event = CaseEvent.objects.filter(case=case, kind=EventKind.COMMENTED).get()
    assert event.actor is None
    assert event.changes["satisfaction"]["from"] == ""
    assert "Gracias por responder." in event.note

    # The citizen changes their mind: still one rating, and a second event.
    client.post(RATE, {"code": case.display_code, "factor": "7123-4567", "rating": "very_good"})
    rating = SatisfactionRating.objects.get(case=case)
    assert (rating.rating, rating.comment) == ("very_good", "")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.COMMENTED).count() == 2
    response = client.post(TRACK, {"code": case.display_code, "factor": "7123-4567"})
    assert 'id="current-rating"' in response.content.decode()


def test_a_rating_needs_the_factor_and_an_answer(client, submitted, resolution, liaison):
    case, _key = submitted()
    # Not answered yet: no rating.
    response = client.post(
        RATE, {"code": case.display_code, "factor": "7123-4567", "rating": "good"}
    )
    assert response.status_code == 400
    answer(case, resolution, liaison)
    # Wrong factor: no rating.
    response = client.post(
        RATE, {"code": case.display_code, "factor": "7000-0000", "rating": "bad"}
    )
    assert response.status_code == 400
    # No level chosen: the form says so.
    response = client.post(RATE, {"code": case.display_code, "factor": "7123-4567"})
    assert response.status_code == 400
    assert "rating" in response.context["rate_form"].errors
    assert not SatisfactionRating.objects.exists()


def test_guessing_is_rate_limited(client, submitted, settings):
    settings.PORTAL_RATE_LIMITS = {"track": (3, 600)}
    case, _key = submitted()
    for _attempt in range(3):
        response = client.post(TRACK, {"code": case.display_code, "factor": "x@example.com"})
        assert response.status_code == 400
    response = client.post(TRACK, {"code": case.display_code, "factor": "marta@example.com"})
    assert response.status_code == 429
    assert 'id="too-many"' in response.content.decode()
    assert client.post(RATE, {"code": case.display_code}).status_code == 429


def test_html_in_the_answer_and_the_comment_is_inert(client, submitted, resolution, liaison):
    attack = '<script>alert("x")</script>'
    case, _key = submitted()
    answer(case, resolution, liaison, text=f"Respuesta {attack}")
    response = client.post(TRACK, {"code": case.display_code, "factor": "7123-4567"})
    content = response.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;" in content
    response = client.post(
        RATE,
        {"code": case.display_code, "factor": "7123-4567", "rating": "bad", "comment": attack},
    )
    assert "<script>alert" not in response.content.decode()


def test_a_case_registered_by_staff_is_followed_with_the_phone_it_has(client, make_case):
    case = make_case(citizen={"name": "Ana", "phone": "+50322223333"})
    response = client.post(TRACK, {"code": case.display_code, "factor": "2222-3333"})
    assert response.status_code == 200
    # The page shows the state, never the citizen's own data.
    content = response.content.decode()
    assert "Ana" not in content
    assert "2222-3333" not in content


def test_staff_logged_in_see_no_more_on_the_portal(client_for, resolution, submitted):
    case, _key = submitted()
    staff = client_for(resolution)
    response = staff.post(TRACK, {"code": case.display_code, "factor": ""})
    assert response.status_code == 400
    assert "Marta" not in response.content.decode()
