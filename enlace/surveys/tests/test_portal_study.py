"""The portal's rating of an answer is one continuous study in the surveys' results: made by
`manage.py load_portal_study` (safe to repeat), fed by every rating and change of rating in
the rating's transaction, backfilled with the ratings given before it; a case without a centre
in the study has no response."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from enlace.accounts.models import User
from enlace.cases.actions import (
    do_acknowledge_case,
    do_answer_case,
    do_assign_case,
    do_propose_answer,
)
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.directory.models import Dependency
from enlace.portal.actions import do_rate_case
from enlace.portal.models import SatisfactionRating
from enlace.privacy.registry import erase_for_cases
from enlace.surveys.actions.portal import portal_study
from enlace.surveys.models import (
    Answer,
    QuestionKind,
    Response,
    ResponseMode,
    StudyCentre,
    StudyMethod,
    StudyStatus,
    counted_responses_q,
)

pytestmark = pytest.mark.django_db

RATE = "/seguimiento/calificar/"
MARTA = {"name": "Marta Pérez", "email": "marta@example.com"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def load() -> str:
    out = StringIO()
    call_command("load_portal_study", stdout=out)
    return out.getvalue()


def answered(make_case: Callable[..., Case], resolution: User, liaison: User) -> Case:
    case = make_case(citizen=MARTA)
    do_acknowledge_case(case, acting_user=resolution)
    do_assign_case(case, Dependency.objects.get(code="HG"), acting_user=resolution)
    do_propose_answer(case, "Ya hay medicamento.", acting_user=liaison)
    return do_answer_case(case, "Ya hay medicamento.", acting_user=resolution)


def rate(client: Client, case: Case, rating: str, comment: str = "") -> None:
    page = client.post(
        RATE,
        {
            "code": case.display_code,
            "factor": "marta@example.com",
            "rating": rating,
            "comment": comment,
        },
    )
    assert page.status_code == 200


def answers_of(response: Response) -> dict[str, str]:
    return {
        code: choice or text
        for code, choice, text in response.answers.values_list("question__code", "choice", "text")
    }


def test_the_command_makes_one_continuous_study_at_every_care_centre() -> None:
    assert portal_study() is None
    assert "created" in load()
    study = portal_study()
    assert study is not None
    assert (study.continuous, study.method, study.status) == (
        True,
        StudyMethod.AFTER_CASE,
        StudyStatus.FIELDWORK,
    )
    care_centres = Dependency.objects.active().care_centres()
    assert set(study.centres.values_list("dependency_id", flat=True)) == set(
        care_centres.values_list("pk", flat=True)
    )
    questions = dict(study.version.questions.values_list("code", "kind"))
    assert questions == {"experiencia": QuestionKind.FFT, "comentario": QuestionKind.LONG_TEXT}
    assert study.version.status == "published"
    # Again: nothing new.
    assert "already there, 0 centres added, 0 ratings" in load()
    assert StudyCentre.objects.filter(study=study).count() == care_centres.count()
    # A care centre opened since is added.
    new = Dependency.objects.create(
        code="UM-NUEVA",
        name="Unidad Médica Nueva",
        kind="care_centre",
        level_of_care="unidad_medica",
    )
    assert "1 centres added" in load()
    assert StudyCentre.objects.filter(study=study, dependency=new).exists()


def test_a_rating_and_its_change_are_the_cases_one_response(
    client: Client, make_case: Callable[..., Case], resolution: User, liaison: User
) -> None:
    load()
    case = answered(make_case, resolution, liaison)
    rate(client, case, "bad", "Tardaron mucho.")
    response = Response.objects.get()
    assert (response.mode, response.case_id, response.dependency.code) == (
        ResponseMode.PORTAL,
        case.pk,
        "HG",
    )
    assert answers_of(response) == {"experiencia": "poor", "comentario": "Tardaron mucho."}
    assert Response.objects.filter(counted_responses_q()).count() == 1
    rate(client, case, "very_good")
    changed = Response.objects.get()
    assert changed.pk == response.pk
    assert answers_of(changed) == {"experiencia": "very_good"}


def test_no_response_without_a_centre_in_the_study(
    make_case: Callable[..., Case], resolution: User
) -> None:
    load()
    inquiry = make_case(CaseKind.INQUIRY, citizen=MARTA)  # no centre
    do_answer_case(inquiry, "Abrimos a las siete.", acting_user=resolution)
    do_rate_case(inquiry, "good")
    governing = make_case(centre="DG", citizen=MARTA)  # not a care centre
    do_rate_case(governing, "good")
    assert SatisfactionRating.objects.count() == 2
    assert not Response.objects.exists()


def test_without_the_study_a_rating_is_the_portals_only(
    make_case: Callable[..., Case],
) -> None:
    do_rate_case(make_case(citizen=MARTA), "good")
    assert SatisfactionRating.objects.count() == 1
    assert not Response.objects.exists()


def test_ratings_given_before_the_study_are_backfilled_once(
    make_case: Callable[..., Case],
) -> None:
    first, second = make_case(citizen=MARTA), make_case(centre="UM-ZAC")
    do_rate_case(first, "neutral", "Regular")
    do_rate_case(second, "very_bad")
    no_centre = make_case(CaseKind.INQUIRY)
    do_rate_case(no_centre, "good")
    assert "2 ratings added" in load()
    responses = {r.case_id: r for r in Response.objects.all()}
    assert set(responses) == {first.pk, second.pk}
    assert answers_of(responses[first.pk]) == {"experiencia": "neutral", "comentario": "Regular"}
    assert answers_of(responses[second.pk]) == {"experiencia": "very_poor"}
    study = portal_study()
    assert study is not None
    rated_on = SatisfactionRating.objects.get(case=first).rated_at.date()
    assert study.period_start <= rated_on
    assert "0 ratings added" in load()
    assert Response.objects.count() == 2


def test_the_comment_goes_when_the_case_is_erased(make_case: Callable[..., Case]) -> None:
    load()
    case = make_case(citizen=MARTA)
    do_rate_case(case, "good", "Me atendió la doctora López")
    erase_for_cases([case.pk])
    assert not Answer.objects.exclude(text="").exists()
    assert Answer.objects.get(question__code="experiencia").choice == "good"
