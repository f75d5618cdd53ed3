"""The surveys' writes: design and versions, studies, responses and their bad input, reviews,
findings of visits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.improvements.models import ImprovementSource, ImprovementStatus
from enlace.surveys.actions import design, findings, responses, studies
from enlace.surveys.models import (
    Answer,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseStatus,
    ReviewState,
    StudyKind,
    StudyMethod,
    StudyStatus,
    VersionStatus,
)
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db

GOOD = {"trato": ["5"], "recomienda": ["9"], "experiencia": ["good"], "resuelto": ["yes"]}


def link(study: object) -> responses.Origin:
    return responses.Origin(mode=ResponseMode.LINK)


def test_a_published_version_is_frozen_and_a_new_version_keeps_codes(resolution: User) -> None:
    instrument = factories.questionnaire(resolution)
    version = factories.published(instrument)
    question = version.questions.get(code="trato")
    with pytest.raises(BusinessError, match="publicada no puede cambiar"):
        design.do_save_question(
            version,
            design.QuestionSpec(
                section=question.section, code="nueva", text="¿Otra?", kind=QuestionKind.SCALE
            ),
        )
    with pytest.raises(BusinessError):
        design.do_delete_question(question)
    draft = design.do_new_version(instrument)
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert sorted(draft.questions.values_list("code", flat=True)) == sorted(
        version.questions.values_list("code", flat=True)
    )
    follow_up = draft.questions.get(code="por-que")
    assert follow_up.condition_question == draft.questions.get(code="resuelto")
    assert follow_up.options.count() == 3
    with pytest.raises(BusinessError, match="ya tiene una versión en borrador"):
        design.do_new_version(instrument)
    # The first version is untouched by the draft's changes.
    design.do_delete_question(draft.questions.get(code="comentario"))
    assert version.questions.filter(code="comentario").exists()


def test_publication_refuses_an_unweighted_checklist_and_a_late_condition(
    resolution: User,
) -> None:
    instrument = factories.checklist(resolution, publish=False)
    version = instrument.versions.get()
    item = version.questions.get(code="limpieza")
    design.do_save_question(
        version,
        design.QuestionSpec(
            section=item.section, code="limpieza", text=item.text, kind=QuestionKind.YES_NO
        ),
        question=item,
    )
    with pytest.raises(BusinessError, match="necesita un peso"):
        design.do_publish_version(version, acting_user=resolution)
    assert version.questions.get(code="limpieza").version.status == VersionStatus.DRAFT


def test_a_condition_must_name_answers_of_the_earlier_question(resolution: User) -> None:
    instrument = factories.questionnaire(resolution, publish=False)
    version = instrument.versions.get()
    resolved = version.questions.get(code="resuelto")
    with pytest.raises(BusinessError, match="pregunta anterior que muestran"):
        design.do_save_question(
            version,
            design.QuestionSpec(
                section=resolved.section,
                code="extra",
                text="¿Por qué?",
                kind=QuestionKind.SHORT_TEXT,
                condition_question=resolved,
                condition_values=["quizas"],
            ),
        )


def test_a_response_is_checked_whole_and_hidden_questions_are_not_required(
    resolution: User,
) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    centre = Dependency.objects.get(code="HG")
    response = responses.do_submit_response(study, centre, GOOD, origin=link(study))
    assert response.status == ResponseStatus.SUBMITTED
    assert response.answers.count() == 4  # "por-que" hidden: not asked, not required

    with pytest.raises(responses.InvalidAnswers) as caught:
        responses.do_submit_response(
            study,
            centre,
            {"trato": ["7"], "resuelto": ["no"], "recomienda": ["diez"]},
            origin=link(study),
        )
    errors = caught.value.by_field()
    assert set(errors) == {"trato", "recomienda", "por-que"}
    assert "de 1 a 5" in errors["trato"]
    assert Response.objects.filter(study=study).count() == 1

    shown = dict(GOOD, resuelto=["no"], **{"por-que": ["cita", "medicina"]})
    answered = responses.do_submit_response(study, centre, shown, origin=link(study))
    assert sorted(
        answered.answers.filter(question__code="por-que").values_list("choice", flat=True)
    ) == [
        "cita",
        "medicina",
    ]


def test_closed_study_and_foreign_centre_are_refused(resolution: User) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    with pytest.raises(BusinessError, match="no forma parte de este estudio"):
        responses.do_submit_response(
            study, Dependency.objects.get(code="UM-ZAC"), GOOD, origin=link(study)
        )
    studies.do_close_study(study, acting_user=resolution)
    with pytest.raises(BusinessError, match="no está recibiendo respuestas"):
        responses.do_submit_response(
            study, Dependency.objects.get(code="HG"), GOOD, origin=link(study)
        )


def test_idempotency_key_returns_the_first_response(resolution: User) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    centre = Dependency.objects.get(code="HG")
    origin = responses.Origin(mode=ResponseMode.API, idempotency_key="kiosco-1")
    first = responses.do_submit_response(study, centre, GOOD, origin=origin)
    again = responses.do_submit_response(study, centre, GOOD, origin=origin)
    assert first.pk == again.pk
    assert Response.objects.filter(study=study).count() == 1


def test_interview_saves_as_it_goes_then_submits(resolution: User, agent: User) -> None:
    study = factories.study(
        resolution, factories.questionnaire(resolution), [("HG", 10)], method=StudyMethod.PHONE
    )
    centre = Dependency.objects.get(code="HG")
    response = responses.do_start_response(
        study, centre, mode=ResponseMode.INTERVIEW, interviewer=agent
    )
    questions = {q.code: q for q in study.version.questions.all()}
    responses.do_save_answer(response, questions["trato"], ["4"], acting_user=agent)
    responses.do_save_answer(response, questions["trato"], ["3"], acting_user=agent)
    assert list(response.answers.values_list("number", flat=True)) == [Decimal(3)]
    responses.do_save_answer(response, questions["resuelto"], ["no"], acting_user=agent)
    with pytest.raises(responses.InvalidAnswers) as caught:
        responses.do_finish_response(response, acting_user=agent)
    assert set(caught.value.by_field()) == {"por-que"}
    responses.do_save_answer(response, questions["por-que"], ["cita"], acting_user=agent)
    responses.do_save_answer(response, questions["resuelto"], ["yes"], acting_user=agent)
    finished = responses.do_finish_response(response, acting_user=agent)
    assert finished.status == ResponseStatus.SUBMITTED
    # The follow-up's answer was dropped: its question is hidden now.
    assert not finished.answers.filter(question__code="por-que").exists()
    with pytest.raises(BusinessError, match="no puede cambiar"):
        responses.do_save_answer(finished, questions["trato"], ["5"], acting_user=agent)


def test_a_photo_must_be_an_image(resolution: User) -> None:
    study = factories.study(
        resolution,
        factories.checklist(resolution),
        [("HG", 2)],
        kind=StudyKind.MYSTERY_SHOPPER,
        method=StudyMethod.VISIT,
        requires_review=True,
    )
    centre = Dependency.objects.get(code="HG")
    response = responses.do_start_response(
        study, centre, mode=ResponseMode.VISIT, interviewer=resolution
    )
    photo = study.version.questions.get(code="foto")
    fake = SimpleUploadedFile("foto.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(BusinessError, match="no es una imagen"):
        responses.do_save_answer(response, photo, [], upload=fake, acting_user=resolution)
    assert not Answer.objects.filter(response=response).exists()


def test_review_needs_a_note_to_reject(resolution: User) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    response = responses.do_submit_response(
        study, Dependency.objects.get(code="HG"), GOOD, origin=link(study)
    )
    with pytest.raises(BusinessError, match="qué está mal"):
        responses.do_review_response(response, state=ReviewState.REJECTED, acting_user=resolution)
    reviewed = responses.do_review_response(
        response, state=ReviewState.REJECTED, note="Duplicada", acting_user=resolution
    )
    assert reviewed.review_state == ReviewState.REJECTED
    assert study.events.filter(action="reviewed").count() == 1


def test_monitoring_visit_plans_the_next_and_checks_findings(resolution: User) -> None:
    study = factories.study(
        resolution,
        factories.checklist(resolution),
        [("HG", 0)],
        kind=StudyKind.MONITORING,
        method=StudyMethod.VISIT,
        visit_every_days=7,
    )
    assert study.status == StudyStatus.FIELDWORK
    visit = Response.objects.get(study=study)
    assert visit.planned_on == timezone.localdate()
    items = {q.code: q for q in study.version.questions.all()}
    for code in ("senalizacion", "limpieza", "buzon"):
        responses.do_save_answer(
            visit, items[code], ["no" if code == "buzon" else "yes"], acting_user=resolution
        )
    finding = findings.do_record_finding(
        visit,
        title="El buzón no tiene formularios",
        question=items["buzon"],
        due_on=timezone.localdate() + timedelta(days=5),
        acting_user=resolution,
    )
    assert finding.improvement.source == ImprovementSource.MONITORING_VISIT
    responses.do_finish_response(visit, acting_user=resolution)
    following = Response.objects.get(study=study, status=ResponseStatus.IN_PROGRESS)
    assert following.planned_on == timezone.localdate() + timedelta(days=7)
    assert findings.findings_to_check(following) == [finding]
    findings.do_check_finding(finding, following, solved=True, acting_user=resolution)
    finding.improvement.refresh_from_db()
    assert finding.improvement.status == ImprovementStatus.DONE
    assert findings.findings_to_check(following) == []


def test_invitations_are_found_and_erased_for_data_protection(resolution: User) -> None:
    from enlace.privacy.registry import HOLDERS, Identifiers
    from enlace.surveys.actions import invitations

    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    centre = Dependency.objects.get(code="HG")
    made = invitations.do_invite(study, centre, channel="email", address="Ana@Example.com")
    assert made is not None
    # Never twice to the same person within the quiet period.
    assert invitations.do_invite(study, centre, channel="email", address="ana@example.com") is None
    holder = HOLDERS["survey_invitations"]
    found = holder.find(Identifiers(email="ana@example.com"))
    assert [item.object_id for item in found] == [made[0].pk]
    assert holder.cancel is not None
    assert holder.cancel([made[0].pk], resolution) == 1
    made[0].refresh_from_db()
    assert made[0].address == ""
    assert holder.find(Identifiers(email="ana@example.com")) == []
