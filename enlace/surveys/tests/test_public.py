"""The public questionnaire at /encuesta/: by an invitation's link and by a centre's QR code,
without login; errors beside their question with everything typed kept; one response per
invitation and per device a day; refusals as pages, never a 500; the staff's QR poster."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.surveys.actions import design, invitations, studies
from enlace.surveys.models import (
    Answer,
    Invitation,
    InvitationChannel,
    QuestionKind,
    Response,
    ResponseMode,
    Study,
    StudyCentre,
)
from enlace.surveys.public.views import DEVICE_COOKIE, DEVICE_SALT
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db

GOOD = {"trato": "5", "recomienda": "9", "experiencia": "good", "resuelto": "yes"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def study(resolution: User) -> Study:
    return factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])


def invite(
    study: Study, address: str = "marta@example.com", **extra: object
) -> tuple[Invitation, str]:
    found = invitations.do_invite(
        study,
        Dependency.objects.get(code="HG"),
        channel=InvitationChannel.EMAIL,
        address=address,
        **extra,  # type: ignore[arg-type]
    )
    assert found is not None
    return found


def full_study(user: User) -> Study:
    """The questionnaire of the factories with one question of every other kind."""
    instrument = factories.questionnaire(user, code="completa", publish=False)
    version = instrument.versions.get()
    section = design.do_save_section(version, title="Su visita")
    for code, kind in (
        ("visitas", QuestionKind.NUMBER),
        ("fecha", QuestionKind.DATE),
        ("servicio", QuestionKind.SHORT_TEXT),
        ("area", QuestionKind.SINGLE),
        ("foto", QuestionKind.PHOTO),
    ):
        design.do_save_question(
            version,
            design.QuestionSpec(
                section=section,
                code=code,
                text=f"Pregunta {code}",
                kind=kind,
                help_text="Una ayuda" if code == "visitas" else "",
                options=[("consulta", "Consulta"), ("farmacia", "Farmacia")]
                if kind == QuestionKind.SINGLE
                else (),
            ),
        )
    design.do_publish_version(version, acting_user=user)
    return factories.study(user, instrument, [("HG", 10)])


def png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


# --- By invitation -----------------------------------------------------------------------------
def test_the_link_shows_each_kind_of_question_with_its_control(
    resolution: User, client: Client
) -> None:
    study = full_study(resolution)
    _invitation, token = invite(study)
    page = client.get(f"/encuesta/i/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    for value in range(1, 6):
        assert f'type="radio" name="trato" id="id-trato-{value - 1}" value="{value}"' in html
    for value in range(11):
        assert f'name="recomienda" id="id-recomienda-{value}" value="{value}"' in html
    for code in ("very_good", "good", "neutral", "poor", "very_poor", "dont_know"):
        assert 'name="experiencia" id="id-experiencia-' in html
        assert f'value="{code}"' in html
    for code in ("yes", "no", "na"):
        assert f'value="{code}"' in html
    assert html.count('type="checkbox" name="por-que"') == 3
    assert 'data-show-if="resuelto" data-show-values="[&quot;no&quot;]"' in html
    assert '<textarea name="comentario"' in html
    assert 'name="visitas" id="id-visitas"' in html
    assert 'inputmode="decimal"' in html
    assert 'type="date" name="fecha"' in html
    assert 'type="text" name="servicio"' in html
    assert 'maxlength="300"' in html
    assert 'type="file" accept="image/*" name="foto"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'aria-describedby="q-visitas-hint"' in html
    assert 'role="radiogroup" aria-required="true"' in html  # trato is required
    # Anonymous: nothing asks who they are.
    for personal in ('name="name"', 'name="dui"', 'name="email"', 'name="phone"'):
        assert personal not in html


def test_an_answer_with_errors_comes_back_whole_with_the_field_focused(
    study: Study, client: Client
) -> None:
    _invitation, token = invite(study)
    sent = {
        "recomienda": "12",
        "experiencia": "good",
        "resuelto": "no",
        "comentario": "La farmacia no tenía insulina",
    }
    page = client.post(f"/encuesta/i/{token}/", sent)
    assert page.status_code == 400
    html = page.content.decode()
    # trato (required), recomienda (out of range) and por-que (shown by "no", required).
    for code in ("trato", "recomienda", "por-que"):
        assert f'id="q-{code}-error"' in html
        assert f'href="#id-{code}-0"' in html
    trato = (
        'id="q-trato" aria-labelledby="q-trato-label" role="radiogroup" aria-required="true" '
        'aria-invalid="true" aria-describedby="q-trato-ends q-trato-error"'
    )
    assert trato in html
    assert html.count(" autofocus") == 1
    assert 'id="id-trato-0" value="1" autofocus' in html
    # What was typed and chosen is there again.
    assert "La farmacia no tenía insulina</textarea>" in html
    assert 'value="good" checked' in html
    assert 'value="no" checked' in html
    assert 'value="12" checked' not in html  # not an option: nothing to check
    assert not Response.objects.exists()


def test_an_answer_stored_redirects_to_thanks_and_the_link_is_then_used(
    study: Study, client: Client, make_case: Callable[..., object]
) -> None:
    case = make_case()
    invitation, token = invite(study, case_id=case.pk)  # type: ignore[attr-defined]
    sent = dict(GOOD, **{"por-que": "cita"})  # a hidden question's answer: ignored
    page = client.post(f"/encuesta/i/{token}/", sent)
    assert page.status_code == 302
    assert page["Location"] == "/encuesta/gracias/"
    assert client.get(page["Location"]).status_code == 200
    response = Response.objects.get()
    assert (response.mode, response.invitation_id, response.case_id) == (
        ResponseMode.LINK,
        invitation.pk,
        case.pk,  # type: ignore[attr-defined]
    )
    assert not Answer.objects.filter(question__code="por-que").exists()
    invitation.refresh_from_db()
    assert invitation.responded_at is not None
    assert invitation.address == ""
    again = client.get(f"/encuesta/i/{token}/")
    assert again.status_code == 409
    assert b'id="notice-answered"' in again.content
    twice = client.post(f"/encuesta/i/{token}/", GOOD)
    assert twice.status_code == 409
    assert Response.objects.count() == 1


def test_a_photo_that_is_not_an_image_is_refused_and_an_image_is_kept(
    resolution: User, client: Client, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    study = full_study(resolution)
    _invitation, token = invite(study)
    fake = SimpleUploadedFile("foto.jpg", b"not an image", content_type="image/jpeg")
    page = client.post(f"/encuesta/i/{token}/", dict(GOOD, visitas="2,5", foto=fake))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="q-foto-error"' in html
    assert 'value="2,5"' in html
    assert not Response.objects.exists()
    image = SimpleUploadedFile("foto.png", png(), content_type="image/png")
    stored = client.post(
        f"/encuesta/i/{token}/",
        dict(GOOD, visitas="2,5", fecha="2026-11-30", area="farmacia", foto=image),
    )
    assert stored.status_code == 302
    answers = {a.question.code: a for a in Answer.objects.select_related("question")}
    assert str(answers["visitas"].number) == "2.50"
    assert answers["area"].choice == "farmacia"
    assert str(answers["foto"].photo.name).endswith(".png")


def test_a_field_that_is_no_question_is_refused_with_a_message(
    study: Study, client: Client
) -> None:
    _invitation, token = invite(study)
    page = client.post(f"/encuesta/i/{token}/", dict(GOOD, intruso="1"))
    assert page.status_code == 400
    assert b'id="form-error"' in page.content
    assert not Response.objects.exists()


def test_a_submission_costs_a_bounded_number_of_queries(
    study: Study, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    """The rate limiter's counter in the database cache is most of it (about 11 queries)."""
    _invitation, token = invite(study)
    with django_assert_max_num_queries(8):
        assert Client().get(f"/encuesta/i/{token}/").status_code == 200
    with django_assert_max_num_queries(18):
        assert Client().post(f"/encuesta/i/{token}/", GOOD).status_code == 302
    with django_assert_max_num_queries(23):
        assert Client().post(f"/encuesta/c/{qr_token(study)}/", GOOD).status_code == 302


def test_unknown_expired_and_closed_links_are_pages_not_errors(
    study: Study, resolution: User, client: Client
) -> None:
    assert client.get("/encuesta/i/no-existe/").status_code == 404
    assert client.get(f"/encuesta/i/{'x' * 300}/").status_code == 404
    assert client.post("/encuesta/i/no-existe/", GOOD).status_code == 404
    invitation, token = invite(study)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = client.get(f"/encuesta/i/{token}/")
    assert expired.status_code == 410
    assert b'id="notice-expired"' in expired.content
    assert client.post(f"/encuesta/i/{token}/", GOOD).status_code == 410
    _other, fresh = invite(study, "otra@example.com")
    studies.do_close_study(study, acting_user=resolution)
    closed = client.get(f"/encuesta/i/{fresh}/")
    assert closed.status_code == 410
    assert b'id="notice-closed"' in closed.content
    assert client.post(f"/encuesta/i/{fresh}/", GOOD).status_code == 410
    assert not Response.objects.exists()


def test_nothing_personal_is_logged(
    study: Study, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    _invitation, token = invite(study)
    with caplog.at_level(logging.DEBUG):
        client.get(f"/encuesta/i/{token}/")
        client.post(f"/encuesta/i/{token}/", dict(GOOD, comentario="Soy Marta Pérez"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert "Marta" not in logged


# --- By a centre's QR code ---------------------------------------------------------------------
def qr_token(study: Study, code: str = "HG") -> str:
    return StudyCentre.objects.get(study=study, dependency__code=code).qr_token


def test_a_device_answers_once_a_day_by_the_qr_code(study: Study, client: Client) -> None:
    url = f"/encuesta/c/{qr_token(study)}/"
    page = client.get(url)
    assert page.status_code == 200
    cookie = page.cookies[DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    reader = HttpRequest()
    reader.COOKIES[DEVICE_COOKIE] = cookie.value
    device = reader.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT)
    assert client.post(url, GOOD).status_code == 302
    response = Response.objects.get()
    assert response.mode == ResponseMode.QR
    assert (
        response.device_key
        == hashlib.sha256(f"survey-device:{study.pk}:{device}".encode()).hexdigest()
    )
    assert str(device) not in response.device_key
    second = client.post(url, GOOD)
    assert second.status_code == 409
    assert b'id="notice-answered"' in second.content
    assert client.get(url).status_code == 409
    # Another phone answers.
    assert Client().post(url, GOOD).status_code == 302
    assert Response.objects.filter(study=study).count() == 2


def test_a_forged_device_cookie_is_a_new_device(study: Study, client: Client) -> None:
    url = f"/encuesta/c/{qr_token(study)}/"
    client.cookies[DEVICE_COOKIE] = "forged-value"
    page = client.get(url)
    assert page.status_code == 200
    assert page.cookies[DEVICE_COOKIE].value != "forged-value"


def test_qr_answers_are_rate_limited_per_address(study: Study, settings: object) -> None:
    settings.PORTAL_RATE_LIMITS = {"survey": (2, 3600)}  # type: ignore[attr-defined]
    url = f"/encuesta/c/{qr_token(study)}/"
    for _phone in range(2):
        assert Client().post(url, GOOD).status_code == 302
    refused = Client().post(url, GOOD)
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert b'id="too-many"' in refused.content
    assert Response.objects.count() == 2


def test_an_unknown_or_closed_qr_code_is_a_page(
    study: Study, resolution: User, client: Client
) -> None:
    assert client.get("/encuesta/c/nada/").status_code == 404
    assert client.get(f"/encuesta/c/{'y' * 40}/").status_code == 404
    url = f"/encuesta/c/{qr_token(study)}/"
    studies.do_close_study(study, acting_user=resolution)
    assert client.get(url).status_code == 410
    assert client.post(url, GOOD).status_code == 410


def test_the_public_pages_refuse_other_methods(study: Study, client: Client) -> None:
    assert client.put(f"/encuesta/c/{qr_token(study)}/").status_code == 405
    assert client.post("/encuesta/gracias/").status_code == 405


# --- The poster ----------------------------------------------------------------------------------
def test_the_poster_shows_the_qr_code_to_staff_who_see_the_study(
    resolution: User, liaison: User, client_for: Callable[[User], Client], settings: object
) -> None:
    settings.PUBLIC_URL = "https://enlace.isss.gob.sv"  # type: ignore[attr-defined]
    study = factories.study(
        resolution, factories.questionnaire(resolution), [("HG", 10), ("UM-ZAC", 5)]
    )
    token = qr_token(study)
    for user in (resolution, liaison):
        page = client_for(user).get(f"/encuesta/c/{token}/cartel/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "<svg" in html
        assert "<path" in html
        assert f"https://enlace.isss.gob.sv/encuesta/c/{token}/" in html


def test_the_poster_is_refused_to_others(
    resolution: User,
    outsider: User,
    agent: User,
    client_for: Callable[[User], Client],
    client: Client,
) -> None:
    study = factories.study(
        resolution, factories.questionnaire(resolution), [("HG", 10), ("UM-ZAC", 5)]
    )
    hg, zac = qr_token(study, "HG"), qr_token(study, "UM-ZAC")
    # A liaison of Zacamil sees the study, and only their centre's poster.
    assert client_for(outsider).get(f"/encuesta/c/{zac}/cartel/").status_code == 200
    assert client_for(outsider).get(f"/encuesta/c/{hg}/cartel/").status_code == 404
    # The call centre works on phone studies only: this one is by link.
    assert client_for(agent).get(f"/encuesta/c/{hg}/cartel/").status_code == 404
    anonymous = client.get(f"/encuesta/c/{hg}/cartel/")
    assert anonymous.status_code == 302
    assert "/encuesta/" not in anonymous["Location"].split("?")[0]
    assert client_for(resolution).get("/encuesta/c/nada/cartel/").status_code == 404
