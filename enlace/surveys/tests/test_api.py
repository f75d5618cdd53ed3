"""The studies' API: a study's results as JSON and responses submitted by another system with
an API key and an Idempotency-Key; refusals per role, centre and key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from enlace.accounts.models import Role, User
from enlace.apikeys.models import ApiAudit
from enlace.apikeys.testing import KeyClient, key_client
from enlace.directory.models import Dependency
from enlace.surveys.actions import responses, studies
from enlace.surveys.models import Response, ResponseMode, Study, StudyMethod
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
GOOD = {"trato": ["5"], "recomienda": ["9"], "experiencia": ["good"], "resuelto": ["yes"]}


@pytest.fixture
def study(resolution: User) -> Study:
    study = factories.study(
        resolution,
        factories.questionnaire(resolution),
        [("HG", 10), ("UM-ZAC", 10)],
        method=StudyMethod.PHONE,
    )
    for code, count in (("HG", 5), ("UM-ZAC", 1)):
        for _ in range(count):
            responses.do_submit_response(
                study,
                Dependency.objects.get(code=code),
                GOOD,
                origin=responses.Origin(mode=ResponseMode.LINK),
            )
    return study


def results_url(study: Study) -> str:
    return f"/api/v1/studies/{study.pk}/results"


def submit_url(study: Study) -> str:
    return f"/api/v1/studies/{study.pk}/responses"


def body(centre: str = "HG", **answers: list[str]) -> dict[str, object]:
    return {"centre": centre, "answers": answers or GOOD}


# --- Results -----------------------------------------------------------------------------------
def test_results_as_json_with_codes_as_keys(study: Study, analyst: User, client_for: Login) -> None:
    answer = client_for(analyst).get(results_url(study))
    assert answer.status_code == 200
    data = answer.json()
    assert data["responses"]["count"] == 6
    trato = next(q for q in data["questions"] if q["code"] == "trato")
    assert trato["figures"]["csat"] == "100.00"
    zac = next(c for c in trato["by_centre"] if c["code"] == "UM-ZAC")
    assert (zac["suppressed"], zac["figures"]["csat"]) == (True, None)
    filtered = client_for(analyst).get(results_url(study) + "?centre=HG&level=hospital")
    assert filtered.json()["responses"]["count"] == 5


def test_results_refused_by_role_centre_and_key(
    study: Study, agent: User, outsider: User, client_for: Login
) -> None:
    assert client_for(agent).get(results_url(study)).status_code == 403
    # The outsider (UM-ZAC) sees UM-ZAC's figures only, and may not ask for HG's.
    mine = client_for(outsider).get(results_url(study)).json()
    assert [c["code"] for c in mine["responses"]["by_centre"]] == ["UM-ZAC"]
    assert client_for(outsider).get(results_url(study) + "?centre=HG").status_code == 422
    # A key limited to UM-ZAC, of a role that sees every centre: UM-ZAC only.
    client, _key = key_client(role=Role.ANALYST, can_write=False, centres=("UM-ZAC",))
    limited = client.get(results_url(study)).json()
    assert limited["responses"]["count"] == 1
    assert Client().get(results_url(study)).status_code == 401
    assert client.get("/api/v1/studies/999999/results").status_code == 404


def test_results_bad_query(study: Study, analyst: User, client_for: Login) -> None:
    client = client_for(analyst)
    assert client.get(results_url(study) + "?level=castle").status_code == 422
    assert client.get(results_url(study) + "?from=2000-01-01").status_code == 422
    assert client.get(results_url(study) + "?from=12").status_code == 422
    assert client.get(results_url(study) + "?bogus=1").status_code == 200  # ignored, as elsewhere


# --- Submitting responses ----------------------------------------------------------------------
def ivr() -> KeyClient:
    """The call centre's IVR: an agent's key that writes (phone studies)."""
    client, _key = key_client(role=Role.AGENT, can_write=True, personal_data=False)
    return client


def test_submit_then_retry_with_the_same_key(study: Study) -> None:
    client = ivr()
    first = client.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="llamada-1")
    assert first.status_code == 201
    created = Response.objects.get(pk=first.json()["id"])
    assert (created.mode, created.dependency.code, created.answers.count()) == ("api", "HG", 4)
    again = client.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="llamada-1")
    assert again.status_code == 200
    assert again.json()["id"] == created.pk
    assert again["Idempotent-Replayed"] == "true"
    assert Response.objects.filter(study=study, mode="api").count() == 1
    # Another system with the same string makes its own response.
    other = ivr().post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="llamada-1")
    assert other.status_code == 201
    assert ApiAudit.objects.filter(status_code=201).count() == 2


def test_wrong_answers_are_listed_per_question_and_nothing_is_stored(study: Study) -> None:
    answer = ivr().post_json(
        submit_url(study),
        body(trato=["7"], recomienda=["diez"], resuelto=["no"]),
        HTTP_IDEMPOTENCY_KEY="llamada-2",
    )
    assert answer.status_code == 422
    locs = {tuple(error["loc"]) for error in answer.json()["errors"]}
    assert locs == {
        ("body", "answers", "trato"),
        ("body", "answers", "recomienda"),
        ("body", "answers", "por-que"),
    }
    assert not Response.objects.filter(study=study, mode="api").exists()


def test_bad_bodies_are_refused(study: Study) -> None:
    client = ivr()
    assert client.post_json(submit_url(study), body()).status_code == 422  # no Idempotency-Key
    long_key = "x" * 81
    assert (
        client.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY=long_key).status_code
        == 422
    )
    bad: object
    for bad in (
        {"centre": "HG"},
        {"centre": "HG", "answers": {"trato": "5"}},
        {"centre": "HG", "answers": {"trato": [5]}},
        {"centre": "HG", "answers": GOOD, "extra": 1},
        {"centre": "HG", "answers": {"trato": ["\x00"]}},
        [],
    ):
        answer = client.post_json(submit_url(study), bad, HTTP_IDEMPOTENCY_KEY="k")
        assert answer.status_code == 422, bad
    answer = client.post(
        submit_url(study), "{", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert answer.status_code == 400
    unknown = client.post_json(submit_url(study), body("NOPE"), HTTP_IDEMPOTENCY_KEY="k")
    assert (unknown.status_code, unknown.json()["errors"][0]["loc"]) == (422, ["body", "centre"])


def test_closed_study_and_foreign_centre(study: Study, resolution: User) -> None:
    client = ivr()
    foreign = client.post_json(submit_url(study), body("CC-SJA"), HTTP_IDEMPOTENCY_KEY="a")
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["loc"] == ["body", "centre"]
    studies.do_close_study(study, acting_user=resolution)
    closed = client.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="b")
    # A closed study is no longer among the agent's studies in fieldwork: not found.
    assert closed.status_code == 404
    staff, _key = key_client(role=Role.RESOLUTION, can_write=True)
    refused = staff.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="c")
    assert refused.status_code == 409
    assert refused.json()["detail"]


def test_submission_refused_by_role_key_and_centre(study: Study) -> None:
    # A liaison's key does not collect responses (no results stuffing by a centre).
    liaison, _key = key_client(role=Role.LIAISON, can_write=True, centres=("HG",))
    assert liaison.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="a").status_code == 403
    # A read-only key may not write.
    reader, _key = key_client(role=Role.AGENT, can_write=False)
    assert reader.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="a").status_code == 403
    # A kiosk at HG (a Punto Seguro key of HG) may not submit for UM-ZAC.
    kiosk, _key = key_client(role=Role.PUNTO_SEGURO, can_write=True, centres=("HG",))
    assert (
        kiosk.post_json(submit_url(study), body("UM-ZAC"), HTTP_IDEMPOTENCY_KEY="a").status_code
        == 403
    )
    assert (
        kiosk.post_json(submit_url(study), body("HG"), HTTP_IDEMPOTENCY_KEY="a").status_code == 201
    )
    # A key of every centre limited to UM-ZAC may not submit for HG.
    limited, _key = key_client(role=Role.RESOLUTION, can_write=True, centres=("UM-ZAC",))
    assert limited.post_json(submit_url(study), body(), HTTP_IDEMPOTENCY_KEY="a").status_code == 403
    # An agent's key reaches phone studies only.
    other = factories.study(
        User.objects.get(username="rosa"),
        factories.questionnaire(User.objects.get(username="rosa"), code="otro"),
        [("HG", 1)],
        method=StudyMethod.QR,
    )
    assert ivr().post_json(submit_url(other), body(), HTTP_IDEMPOTENCY_KEY="a").status_code == 404
    assert (
        Client().post(submit_url(study), body(), content_type="application/json").status_code == 401
    )


def test_a_session_needs_the_csrf_token(study: Study, resolution: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(resolution)
    answer = client.post(
        submit_url(study), body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="s"
    )
    assert answer.status_code == 403
