"""The staff's pages of studies through real URLs: design, plan, interview, review, visits; and
every page refused to a role or centre that has no business there."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.improvements.models import ImprovementOpportunity
from enlace.surveys.actions import responses
from enlace.surveys.models import (
    Answer,
    Instrument,
    Response,
    ResponseMode,
    ResponseStatus,
    ReviewState,
    Study,
    StudyKind,
    StudyMethod,
    StudyStatus,
    VersionStatus,
)
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]


def test_a_designer_builds_and_publishes_an_instrument(resolution: User, client_for: Login) -> None:
    client = client_for(resolution)
    page = client.post(
        "/estudios/instrumentos/",
        {"name": "Trato en ventanilla", "kind": "questionnaire", "code": "", "description": ""},
    )
    assert page.status_code == 302
    instrument = Instrument.objects.get(code="trato-en-ventanilla")
    version = instrument.versions.get()
    section = version.sections.get()
    added = client.post(
        f"/estudios/versiones/{version.pk}/preguntas/nueva/",
        {
            "section": section.pk,
            "code": "trato",
            "text": "¿Cómo le trataron?",
            "kind": "scale",
            "required": "on",
            "low_label": "Mal",
            "high_label": "Bien",
        },
    )
    assert added.status_code == 302
    client.post(
        f"/estudios/versiones/{version.pk}/preguntas/nueva/",
        {
            "section": section.pk,
            "code": "motivo",
            "text": "¿Por qué?",
            "kind": "single",
            "options": "espera | Espera\ntrato | Trato",
            "condition_question": version.questions.get(code="trato").pk,
            "condition_values": "1, 2",
        },
    )
    follow_up = version.questions.get(code="motivo")
    assert follow_up.condition_values == ["1", "2"]
    assert list(follow_up.options.values_list("value", flat=True)) == ["espera", "trato"]
    # A wrong option list is refused with the field's message, nothing stored.
    refused = client.post(
        f"/estudios/versiones/{version.pk}/preguntas/nueva/",
        {
            "section": section.pk,
            "code": "otra",
            "text": "¿Otra?",
            "kind": "single",
            "options": "a | A\na | B",
        },
    )
    assert refused.status_code == 400
    assert not version.questions.filter(code="otra").exists()
    preview = client.get(f"/estudios/versiones/{version.pk}/vista-previa/")
    assert preview.status_code == 200
    assert b'data-show-if="trato"' in preview.content
    assert (
        client.post(f"/estudios/versiones/{version.pk}/publicar/", {"change_note": ""}).status_code
        == 302
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    # Frozen: a change is refused and a new version is offered.
    client.post(
        f"/estudios/versiones/{version.pk}/preguntas/nueva/",
        {"section": section.pk, "code": "tarde", "text": "¿Tarde?", "kind": "yes_no"},
    )
    assert not version.questions.filter(code="tarde").exists()
    made = client.post(f"/estudios/instrumentos/{instrument.pk}/nueva-version/")
    draft = instrument.versions.get(number=2)
    assert made["Location"] == f"/estudios/versiones/{draft.pk}/"


@pytest.mark.parametrize("role", ["agent", "liaison", "analyst", "oir", "punto_seguro", "dpo"])
def test_only_designers_reach_the_instruments(
    role: str, request: pytest.FixtureRequest, resolution: User, client_for: Login
) -> None:
    instrument = factories.questionnaire(resolution)
    client = client_for(request.getfixturevalue(role))
    assert client.get("/estudios/instrumentos/").status_code == 403
    version = factories.published(instrument)
    assert client.get(f"/estudios/versiones/{version.pk}/").status_code == 403
    assert client.get("/estudios/nuevo/").status_code == 403


def test_a_study_is_planned_started_and_closed(resolution: User, client_for: Login) -> None:
    version = factories.published(factories.questionnaire(resolution))
    client = client_for(resolution)
    today = timezone.localdate()
    page = client.post(
        "/estudios/nuevo/",
        {
            "name": "Satisfacción 2026",
            "kind": "satisfaction",
            "version": version.pk,
            "method": "phone",
            "period_start": today.isoformat(),
            "period_end": today.isoformat(),
            "centres": "HG | 30\nUM-ZAC | 20",
        },
    )
    assert page.status_code == 302
    study = Study.objects.get(name="Satisfacción 2026")
    assert dict(study.centres.values_list("dependency__code", "target")) == {"HG": 30, "UM-ZAC": 20}
    bad = client.post(
        "/estudios/nuevo/",
        {
            "name": "Otro",
            "kind": "satisfaction",
            "version": version.pk,
            "method": "phone",
            "period_start": today.isoformat(),
            "period_end": today.isoformat(),
            "centres": "No existe | 3",
        },
    )
    assert bad.status_code == 400
    assert Study.objects.count() == 1
    client.post(f"/estudios/{study.pk}/paso/", {"do": "start"})
    study.refresh_from_db()
    assert study.status == StudyStatus.FIELDWORK
    assert client.get(f"/estudios/{study.pk}/").status_code == 200
    client.post(f"/estudios/{study.pk}/paso/", {"do": "close"})
    study.refresh_from_db()
    assert study.status == StudyStatus.CLOSED


def test_a_liaison_sees_only_studies_of_their_centre(
    resolution: User, liaison: User, outsider: User, client_for: Login
) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    assert client_for(liaison).get(f"/estudios/{study.pk}/").status_code == 200
    assert client_for(outsider).get(f"/estudios/{study.pk}/").status_code == 404
    assert study.name.encode() not in client_for(outsider).get("/estudios/").content
    assert (
        client_for(liaison).post(f"/estudios/{study.pk}/paso/", {"do": "close"}).status_code == 403
    )


def test_an_agent_interviews_by_phone_saving_as_they_go(
    resolution: User, agent: User, client_for: Login
) -> None:
    study = factories.study(
        resolution, factories.questionnaire(resolution), [("HG", 10)], method=StudyMethod.PHONE
    )
    client = client_for(agent)
    centre = Dependency.objects.get(code="HG")
    started = client.post(f"/estudios/{study.pk}/entrevista/", {"centre": centre.pk})
    response = Response.objects.get(study=study)
    assert started["Location"] == f"/estudios/respuestas/{response.pk}/"
    page = client.get(started["Location"])
    assert page.status_code == 200
    assert b"hx-post" in page.content
    questions = {q.code: q for q in study.version.questions.all()}
    base = f"/estudios/respuestas/{response.pk}/respuesta/"
    saved = client.post(f"{base}{questions['trato'].pk}/", {"trato": "4"}, HTTP_HX_REQUEST="true")
    assert b'class="saved"' in saved.content
    wrong = client.post(f"{base}{questions['trato'].pk}/", {"trato": "9"}, HTTP_HX_REQUEST="true")
    assert b'class="error"' in wrong.content
    assert Answer.objects.get(response=response, question=questions["trato"]).number == 4
    # Submitting without a required answer: 400, the error at its question, nothing lost.
    missing = client.post(f"/estudios/respuestas/{response.pk}/enviar/", {"trato": "4"})
    assert missing.status_code == 400
    assert b'id="error-resuelto"' in missing.content
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_PROGRESS
    done = client.post(
        f"/estudios/respuestas/{response.pk}/enviar/",
        {"trato": "4", "resuelto": "yes", "comentario": "Todo bien"},
    )
    assert done.status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.interviewer == agent


def test_fieldwork_is_refused_outside_role_and_centre(
    resolution: User, punto_seguro: User, oir: User, analyst: User, client_for: Login
) -> None:
    study = factories.study(
        resolution,
        factories.questionnaire(resolution),
        [("HG", 10), ("UM-ZAC", 10)],
        method=StudyMethod.FACE_TO_FACE,
    )
    zac = Dependency.objects.get(code="UM-ZAC")
    client = client_for(punto_seguro)
    client.post(f"/estudios/{study.pk}/entrevista/", {"centre": zac.pk})
    assert not Response.objects.filter(dependency=zac).exists()
    assert (
        client_for(oir).post(f"/estudios/{study.pk}/entrevista/", {"centre": zac.pk}).status_code
        == 404
    )
    assert (
        client_for(analyst)
        .post(f"/estudios/{study.pk}/entrevista/", {"centre": zac.pk})
        .status_code
        == 403
    )
    # Somebody else's interview is not reachable.
    mine = responses.do_start_response(
        study,
        Dependency.objects.get(code="HG"),
        mode=ResponseMode.INTERVIEW,
        interviewer=resolution,
    )
    assert client.get(f"/estudios/respuestas/{mine.pk}/").status_code == 404


def test_review_queue_and_review(resolution: User, agent: User, client_for: Login) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    answer = responses.do_submit_response(
        study,
        Dependency.objects.get(code="HG"),
        {"trato": ["5"], "resuelto": ["yes"]},
        origin=responses.Origin(mode=ResponseMode.LINK),
    )
    client = client_for(resolution)
    queue = client.get(f"/estudios/{study.pk}/revision/")
    assert f"/estudios/respuestas/{answer.pk}/".encode() in queue.content
    refused = client.post(f"/estudios/respuestas/{answer.pk}/revisar/", {"state": "rejected"})
    assert refused.status_code == 302
    answer.refresh_from_db()
    assert answer.review_state == ReviewState.RECEIVED
    client.post(
        f"/estudios/respuestas/{answer.pk}/revisar/", {"state": "rejected", "note": "Prueba"}
    )
    answer.refresh_from_db()
    assert answer.review_state == ReviewState.REJECTED
    assert client_for(agent).get(f"/estudios/{study.pk}/revision/").status_code == 404


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_visit_with_a_photo_and_a_finding(
    resolution: User,
    outsider: User,
    liaison: User,
    client_for: Login,
    settings: object,
    tmp_path: object,
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    study = factories.study(
        resolution,
        factories.checklist(resolution),
        [("HG", 0)],
        kind=StudyKind.MONITORING,
        method=StudyMethod.VISIT,
        visit_every_days=7,
    )
    visit = Response.objects.get(study=study)
    client = client_for(resolution)
    photo = study.version.questions.get(code="foto")
    upload = SimpleUploadedFile("buzon.png", _png(), content_type="image/png")
    saved = client.post(f"/estudios/respuestas/{visit.pk}/respuesta/{photo.pk}/", {"foto": upload})
    assert b'class="saved"' in saved.content
    client.post(
        f"/estudios/respuestas/{visit.pk}/hallazgos/",
        {
            "title": "Buzón sin formularios",
            "question": study.version.questions.get(code="buzon").pk,
        },
    )
    assert ImprovementOpportunity.objects.filter(
        title="Buzón sin formularios", source="monitoring_visit"
    ).exists()
    done = client.post(
        f"/estudios/respuestas/{visit.pk}/enviar/",
        {"senalizacion": "yes", "limpieza": "na", "buzon": "no"},
    )
    assert done.status_code == 302
    stored = Answer.objects.get(response=visit, question=photo)
    url = f"/estudios/respuestas/{visit.pk}/fotos/{stored.pk}/"
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert client_for(outsider).get(url).status_code == 404
    # The next visit is planned, 7 days on (within the period).
    assert Response.objects.filter(study=study, status=ResponseStatus.IN_PROGRESS).count() == 1
