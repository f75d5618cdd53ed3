"""Cases through the API (/api/v1/cases): register, read, list with the console's filters and a
cursor, and the console's steps, with an API key or a staff session; bad input and keys of the
wrong scope get a 4xx JSON error and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from enlace.accounts.models import Role, User
from enlace.apikeys.actions import do_revoke_api_key
from enlace.apikeys.models import ApiAudit, IdempotentRequest
from enlace.apikeys.testing import KeyClient, key_client, make_key
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.directory.models import Dependency

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"

COMPLAINT: dict[str, Any] = {
    "kind": "opinion",
    "channel": "sitio_web",
    "opinion_type": "reclamo",
    "dependency": "HG",
    "limitante": "falta_medicamento",
    "description": "No había acetaminofén en la farmacia",
    "citizen": {"name": "María López", "dui": "00016297-5", "phone": "7000-0001"},
}


def _code(case: Case) -> str:
    return case.display_code


# --- Registering ---------------------------------------------------------------------------
def test_a_key_registers_a_case_named_after_it() -> None:
    client, key = key_client(name="Sitio web")
    response = client.post_json(URL, COMPLAINT)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["code"] == case.display_code
    assert body["status"] == CaseStatus.RECEIVED
    assert body["dependency"] == "HG"
    assert body["citizen"]["phone"] == "+50370000001"  # normalised as the console does
    assert body["next_due_on"] is not None  # its deadlines were opened
    event = case.events.get(kind=EventKind.REGISTERED)
    assert event.actor == key.user
    audit = ApiAudit.objects.get()
    assert audit.api_key == key
    assert audit.user == key.user
    assert (audit.method, audit.path, audit.status_code) == ("POST", URL, 201)
    assert audit.object_id == case.display_code


def test_the_x_api_key_header_works_too() -> None:
    client, _key = key_client(header="x-api-key")
    assert client.post_json(URL, COMPLAINT).status_code == 201


def test_registering_an_inquiry_answered_at_once_closes_it() -> None:
    client, _key = key_client(role=Role.AGENT)
    response = client.post_json(
        "/api/v1/inquiries",
        {
            "channel": "llamada_127",
            "topic": "horarios",
            "answered_at_first_contact": True,
            "answer": "De 7 a 19 horas",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == CaseKind.INQUIRY
    assert response.json()["status"] == CaseStatus.CLOSED


def test_the_console_rules_refuse_an_opinion_without_centre() -> None:
    client, _key = key_client()
    response = client.post_json(URL, {**COMPLAINT, "dependency": None})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["loc"] == ["body", "dependency"]
    assert "centre" in body["detail"]
    assert not Case.objects.exists()


def test_an_unknown_centre_and_a_bad_dui_are_field_errors() -> None:
    client, _key = key_client()
    response = client.post_json(
        URL, {**COMPLAINT, "dependency": "NOPE", "citizen": {"dui": "12345678-0"}}
    )
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["errors"]]
    assert ["body", "dependency"] in locs
    assert ["body", "citizen", "dui"] in locs
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'"a string"', 422),
        (b"[]", 422),
        (json.dumps({**COMPLAINT, "colour": "red"}).encode(), 422),  # unknown field
        (json.dumps({**COMPLAINT, "kind": 3}).encode(), 422),  # wrong type
        (json.dumps({**COMPLAINT, "answered_at_first_contact": "yes"}).encode(), 422),
        (json.dumps({**COMPLAINT, "description": "a\x00b"}).encode(), 422),  # NUL
        (b'{"kind": "opinion", "channel": "\\ud800"}', 422),  # lone surrogate
        (json.dumps({**COMPLAINT, "description": "x" * 30_000}).encode(), 422),  # too long
    ],
)
def test_bad_input_is_a_json_4xx_and_stores_nothing(body: bytes, status: int) -> None:
    client, _key = key_client()
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not Case.objects.exists()


def test_schema_errors_are_said_in_the_request_language() -> None:
    _key, raw = make_key()
    client = KeyClient(raw, HTTP_ACCEPT_LANGUAGE="es")
    body = {key_: value for key_, value in COMPLAINT.items() if key_ != "channel"}
    response = client.post_json(URL, {**body, "colour": "red"})
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == "La petición no es válida."
    messages = {tuple(error["loc"])[-1]: error["msg"] for error in answer["errors"]}
    assert messages["channel"] == "Este campo es obligatorio."
    assert messages["colour"] == "Este campo no forma parte de la petición."
    assert not Case.objects.exists()


def test_a_huge_body_is_a_413_in_json(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client, _key = key_client()
    response = client.post_json(URL, {**COMPLAINT, "description": "x" * 20_000})
    assert response.status_code == 413
    assert response.json()["detail"]
    assert not Case.objects.exists()


# --- Keys and sessions ---------------------------------------------------------------------
def test_without_credentials_it_is_a_401() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(URL)
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]


def test_an_unknown_key_is_a_401() -> None:
    client = KeyClient("enl_" + "x" * 43)
    response = client.post_json(URL, COMPLAINT)
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown or revoked API key."
    assert not Case.objects.exists()
    assert not ApiAudit.objects.exists()  # nobody to audit


def test_a_revoked_key_is_a_401_at_once(admin_user: User) -> None:
    client, key = key_client()
    assert client.get(URL).status_code == 200
    do_revoke_api_key(key, acting_user=admin_user)
    assert client.get(URL).status_code == 401
    assert client.post_json(URL, COMPLAINT).status_code == 401
    assert not Case.objects.exists()


def test_a_read_key_may_not_write() -> None:
    client, key = key_client(can_write=False)
    assert client.get(URL).status_code == 200
    response = client.post_json(URL, COMPLAINT)
    assert response.status_code == 403
    assert response.json()["detail"] == "This API key may only read."
    assert not Case.objects.exists()
    audit = ApiAudit.objects.get()  # the refused write is audited too
    assert (audit.api_key, audit.status_code) == (key, 403)


def test_a_role_without_the_capability_may_not_register() -> None:
    client, _key = key_client(role=Role.ANALYST)
    response = client.post_json(URL, COMPLAINT)
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_session_works_and_its_writes_need_csrf(resolution: User) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(resolution)
    assert client.get(URL).status_code == 200
    refused = client.post(URL, COMPLAINT, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Case.objects.exists()
    client.get("/casos/nuevo/")  # any page of the console sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    done = client.post(URL, COMPLAINT, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 201
    case = Case.objects.get()
    assert case.created_by == resolution
    audit = ApiAudit.objects.get(status_code=201)
    assert audit.user == resolution
    assert audit.api_key is None


# --- Centres: the key's and the role's ------------------------------------------------------
def test_a_key_of_one_centre_does_not_see_another_centres_case(
    make_case: Callable[..., Case],
) -> None:
    other = make_case(centre="UM-ZAC")
    own = make_case(centre="HG")
    client, _key = key_client(centres=("HG",))
    assert client.get(f"{URL}/{_code(own)}").status_code == 200
    response = client.get(f"{URL}/{_code(other)}")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such case."
    codes = [item["code"] for item in client.get(URL).json()["items"]]
    assert codes == [_code(own)]
    assert client.get(f"{URL}/{_code(other)}/events").status_code == 404
    comment = client.post_json(f"{URL}/{_code(other)}/comments", {"body": "hola"})
    assert comment.status_code == 404
    assert not other.events.filter(kind=EventKind.COMMENTED).exists()


def test_a_key_of_one_centre_may_not_register_or_assign_elsewhere(
    make_case: Callable[..., Case],
) -> None:
    client, _key = key_client(centres=("HG",))
    response = client.post_json(URL, {**COMPLAINT, "dependency": "UM-ZAC"})
    assert response.status_code == 403
    assert not Case.objects.exists()
    own = make_case(centre="HG")
    moved = client.post_json(f"{URL}/{_code(own)}/assign", {"dependency": "UM-ZAC"})
    assert moved.status_code == 403
    own.refresh_from_db()
    assert own.dependency is not None
    assert own.dependency.code == "HG"
    assert own.status == CaseStatus.RECEIVED


def test_a_liaison_key_sees_only_its_centre(make_case: Callable[..., Case]) -> None:
    hg_case = make_case(centre="HG")
    client, _key = key_client(role=Role.LIAISON, centres=("UM-ZAC",), can_write=False)
    assert client.get(f"{URL}/{_code(hg_case)}").status_code == 404
    assert client.get(URL).json()["items"] == []


def test_an_outsiders_session_does_not_see_the_case(
    outsider: User, client_for: Callable[[User], Client], make_case: Callable[..., Case]
) -> None:
    case = make_case(centre="HG")
    response = client_for(outsider).get(f"{URL}/{_code(case)}")
    assert response.status_code == 404


# --- Reading -------------------------------------------------------------------------------
def test_it_reads_a_case_by_its_code_written_any_way(make_case: Callable[..., Case]) -> None:
    case = make_case(centre="HG")
    client, _key = key_client(can_write=False)
    for written in (case.display_code, case.tracking_code, case.tracking_code.lower()):
        response = client.get(f"{URL}/{written}")
        assert response.status_code == 200
        assert response.json()["code"] == case.display_code
    assert client.get(f"{URL}/NOT-A-CODE").status_code == 404


def test_the_list_pages_by_cursor_through_every_case(make_case: Callable[..., Case]) -> None:
    made = {_code(make_case(centre="HG")) for _ in range(5)}
    client, _key = key_client(can_write=False)
    seen: list[str] = []
    url: str | None = f"{URL}?limit=2"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [item["code"] for item in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == 5
    assert set(seen) == made
    assert body["count"] == 5


def test_the_list_takes_the_consoles_filters(make_case: Callable[..., Case]) -> None:
    complaint = make_case(centre="HG", type="queja")
    make_case(centre="UM-ZAC", type="reclamo")
    inquiry = make_case(CaseKind.INQUIRY)
    client, _key = key_client(can_write=False)

    def codes(query: str) -> set[str]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {item["code"] for item in response.json()["items"]}

    assert codes("dependency=HG&opinion_type=queja") == {_code(complaint)}
    assert codes("kind=consulta") == {_code(inquiry)}
    assert codes("level_of_care=hospital") == {_code(complaint)}
    assert codes(f"q={complaint.tracking_code}") == {_code(complaint)}
    assert len(codes("status=open")) == 3
    assert codes("status=closed") == set()
    assert {item["code"] for item in client.get("/api/v1/inquiries").json()["items"]} == {
        _code(inquiry)
    }


@pytest.mark.parametrize(
    "query",
    ["channel=nope", "status=asleep", "limit=0", "limit=1000", "cursor=garbage", "received_from=x"],
)
def test_a_bad_filter_is_a_422(query: str) -> None:
    client, _key = key_client(can_write=False)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert response.json()["errors"]


# --- Steps on a case ---------------------------------------------------------------------------
def test_a_complaint_goes_from_intake_to_closure_through_the_api() -> None:
    client, key = key_client(name="Sistema de citas")
    code = client.post_json(URL, COMPLAINT).json()["code"]
    step = f"{URL}/{code}"
    assert client.post_json(f"{step}/acknowledge", {}).json()["status"] == "acknowledged"
    reclassified = client.post_json(f"{step}/reclassify", {"priority": "high"}).json()
    assert reclassified["priority"] == "high"
    assert reclassified["opinion_type"] == "reclamo"  # left out: unchanged
    assert reclassified["limitante"] == "falta_medicamento"
    assigned = client.post_json(f"{step}/assign", {"dependency": "HG", "reason": "Farmacia"})
    assert assigned.json()["status"] == "assigned"
    answered = client.post_json(f"{step}/answer", {"answer": "Ya hay existencias."})
    assert answered.json()["status"] == "answered"
    closed = client.post_json(f"{step}/close", {"accepted": True})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["citizen_accepted"] is True
    events = client.get(f"{step}/events").json()
    assert [event["kind"] for event in events] == [
        "registered",
        "acknowledged",
        "reclassified",
        "assigned",
        "answered",
        "closed",
    ]
    assert {event["actor_username"] for event in events} == {key.user.username}
    assert events[0]["actor"].startswith("Sistema de citas")
    assert ApiAudit.objects.filter(api_key=key, status_code=200).count() == 5


def test_a_step_the_lifecycle_refuses_is_a_409(make_case: Callable[..., Case]) -> None:
    case = make_case(centre="HG")
    client, _key = key_client()
    response = client.post_json(f"{URL}/{_code(case)}/close", {"answer": "Listo"})
    assert response.status_code == 200
    again = client.post_json(f"{URL}/{_code(case)}/assign", {"dependency": "HG"})
    assert again.status_code == 409
    assert again.json()["detail"]
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_field_the_form_refuses_is_a_422(make_case: Callable[..., Case]) -> None:
    case = make_case(centre="HG")
    client, _key = key_client()
    response = client.post_json(f"{URL}/{_code(case)}/assign", {"dependency": "NOPE"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "dependency"]
    response = client.post_json(f"{URL}/{_code(case)}/answer", {"answer": "   "})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


def test_a_role_without_the_step_gets_a_403(make_case: Callable[..., Case]) -> None:
    case = make_case(centre="HG")
    client, _key = key_client(role=Role.AGENT)
    response = client.post_json(f"{URL}/{_code(case)}/assign", {"dependency": "HG"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


def test_triage_classifies_a_case_that_arrived_to_classify(
    make_case: Callable[..., Case],
) -> None:
    case = make_case(
        to_classify=True,
        opinion_type=None,
        dependency=None,
        limitante=None,
        channel="whatsapp",
        description="Me trataron mal en la ventanilla",
    )
    client, _key = key_client()
    response = client.post_json(
        f"{URL}/{_code(case)}/classify",
        {"kind": "opinion", "opinion_type": "queja", "dependency": "HG"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["to_classify"] is False
    assert response.json()["opinion_type"] == "queja"
    again = client.post_json(f"{URL}/{_code(case)}/classify", {"kind": "consulta"})
    assert again.status_code == 409


def test_a_comment_is_recorded_with_the_key(make_case: Callable[..., Case]) -> None:
    case = make_case(centre="HG")
    client, key = key_client(role=Role.LIAISON, centres=("HG",))
    response = client.post_json(f"{URL}/{_code(case)}/comments", {"body": "Revisado"})
    assert response.status_code == 200
    event = CaseEvent.objects.get(case=case, kind=EventKind.COMMENTED)
    assert event.actor == key.user
    assert event.note == "Revisado"


# --- Idempotency-Key -----------------------------------------------------------------------
def test_a_retried_create_with_the_same_key_returns_the_first_case() -> None:
    client, _key = key_client()
    first = client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="pedido-1")
    assert first.status_code == 201
    # Same content, keys in another order: the same request.
    reordered = dict(reversed(list(COMPLAINT.items())))
    again = client.post_json(URL, reordered, HTTP_IDEMPOTENCY_KEY="pedido-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="pedido-2")
    assert other.json()["code"] != first.json()["code"]
    assert Case.objects.count() == 2


def test_the_same_idempotency_key_with_another_body_is_a_422() -> None:
    client, _key = key_client()
    client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="pedido-1")
    response = client.post_json(
        URL, {**COMPLAINT, "description": "otra cosa"}, HTTP_IDEMPOTENCY_KEY="pedido-1"
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert Case.objects.count() == 1


def test_a_retry_gets_the_first_answer_even_if_its_data_no_longer_passes() -> None:
    client, _key = key_client()
    first = client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="pedido-1")
    centre = Dependency.objects.get(code=COMPLAINT["dependency"])
    centre.is_active = False  # the centre closed between the try and the retry
    centre.save()
    assert client.post_json(URL, COMPLAINT).status_code == 422  # a new request is refused
    again = client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="pedido-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_a_key_used_for_a_case_cannot_make_an_inquiry() -> None:
    client, _key = key_client(role=Role.AGENT)
    client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="pedido-1")
    response = client.post_json(
        "/api/v1/inquiries",
        {"channel": "llamada_127", "topic": "horarios"},
        HTTP_IDEMPOTENCY_KEY="pedido-1",
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert Case.objects.count() == 1


def test_idempotency_keys_are_per_key_holder() -> None:
    web, _ = key_client(name="Web")
    phone, _ = key_client(name="Teléfono")
    one = web.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="1")
    two = phone.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="1")
    assert one.json()["code"] != two.json()["code"]
    assert IdempotentRequest.objects.count() == 2


def test_a_malformed_idempotency_key_is_a_422() -> None:
    client, _key = key_client()
    response = client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_the_api_adds_few_queries_to_the_registration_itself(
    make_case: Callable[..., Case], django_assert_max_num_queries: Any
) -> None:
    """The action's own queries (history, deadlines, duplicates) are the action's; the API adds
    the key (1), the Idempotency-Key record (1), the audit row (1) and the savepoints of the
    request's transaction (2). The form's catalogue and centre look-ups read the reference
    data in memory."""
    with CaptureQueriesContext(connection) as action:
        make_case(centre="HG", citizen={"name": "María López", "phone": "+50370000001"})
    action_queries = len(action.captured_queries)  # read now: a request resets the log
    client, _key = key_client()
    client.post_json(URL, COMPLAINT)  # the first use stamps last_used_at
    with django_assert_max_num_queries(action_queries + 5):
        response = client.post_json(URL, COMPLAINT, HTTP_IDEMPOTENCY_KEY="q")
    assert response.status_code == 201
