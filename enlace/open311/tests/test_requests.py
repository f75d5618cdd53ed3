"""Reading service requests: with a key, the cases of its scope (its account's role and its
centres); without one, refused unless public reading is on, and then never a description or
anything about the citizen. The specification's filters, defaults and limits, in SQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enlace.accounts.models import Role
from enlace.apikeys.actions import do_revoke_api_key
from enlace.cases.models import Case
from enlace.open311.tests.conftest import BASE, parse_xml

LIST = f"{BASE}requests.json"


def ids(response):
    assert response.status_code == 200, response.content
    return {item["service_request_id"] for item in response.json()}


def test_anonymous_reading_is_refused_by_default(en, cases):
    for path in (LIST, f"{BASE}requests/{cases['claim'].display_code}.json"):
        response = en.get(path)
        assert response.status_code == 401
        assert response.json() == [
            {"code": 401, "description": "An api_key is required to read service requests."}
        ]


def test_a_key_reads_the_requests_of_its_scope(en, cases, make_key):
    _key, raw = make_key(Role.RESOLUTION)
    found = en.get(LIST, {"api_key": raw}).json()
    assert {item["service_request_id"] for item in found} == {
        case.display_code for case in cases.values()
    }
    claim = next(i for i in found if i["service_request_id"] == cases["claim"].display_code)
    case = Case.objects.select_related("dependency", "opinion_type").get(pk=cases["claim"].pk)
    assert claim == {
        "service_request_id": case.display_code,
        "status": "open",
        "status_notes": "Received",
        "service_name": case.opinion_type.name,
        "service_code": "opinion-reclamo",
        "agency_responsible": case.dependency.name,
        "service_notice": "",
        "requested_datetime": timezone.localtime(case.received_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(case.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": f"{case.next_due_on.isoformat()}T23:59:59-06:00",
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
        "description": "Me negaron la receta (dato privado)",
    }
    closed = next(i for i in found if i["service_request_id"] == cases["complaint"].display_code)
    assert (closed["status"], closed["status_notes"]) == ("closed", "Closed")
    inquiry = next(i for i in found if i["service_request_id"] == cases["inquiry"].display_code)
    assert inquiry["service_code"] == "consulta-horarios"
    for item in found:
        assert item["requested_datetime"].endswith("-06:00")
    text = en.get(LIST, {"api_key": raw}).content.decode()
    for private in ("Ana Secreta", "00016297", "ana@example.com"):
        assert private not in text  # the citizen is never part of a service request


def test_a_key_of_one_centre_reads_only_that_centre(en, cases, make_key):
    _key, raw = make_key(Role.RESOLUTION, centres=("HG",))
    assert ids(en.get(LIST, {"api_key": raw})) == {cases["claim"].display_code}
    # The other centre's request does not exist for it.
    response = en.get(f"{BASE}requests/{cases['complaint'].display_code}.json", {"api_key": raw})
    assert response.status_code == 404
    assert response.json()[0]["description"] == "No such service request."


def test_a_liaison_key_reads_as_a_liaison(en, cases, make_key):
    _key, raw = make_key(Role.LIAISON, centres=("UM-ZAC",))
    assert ids(en.get(LIST, {"api_key": raw})) == {cases["complaint"].display_code}


def test_the_key_may_come_in_a_header(en, cases, make_key):
    _key, raw = make_key(Role.RESOLUTION, centres=("HG",))
    assert ids(en.get(LIST, HTTP_AUTHORIZATION=f"Bearer {raw}")) == {cases["claim"].display_code}
    assert ids(en.get(LIST, HTTP_X_API_KEY=raw)) == {cases["claim"].display_code}


def test_a_revoked_or_unknown_key_is_refused(en, cases, make_key, admin_user):
    key, raw = make_key(Role.RESOLUTION)
    do_revoke_api_key(key, acting_user=admin_user)
    for sent in (raw, "enl_no-existe", "cualquier cosa"):
        response = en.get(LIST, {"api_key": sent})
        assert response.status_code == 401
        assert response.json()[0]["description"] == "Unknown or revoked api_key."


def test_public_reading_shows_no_personal_data(en, cases, settings, django_assert_num_queries):
    settings.OPEN311_PUBLIC_REQUESTS = True
    with django_assert_num_queries(1):
        response = en.get(LIST)
    found = response.json()
    assert {i["service_request_id"] for i in found} == {c.display_code for c in cases.values()}
    for item in found:
        assert "description" not in item
    text = response.content.decode()
    for private in ("Ana Secreta", "00016297", "ana@example.com", "receta"):
        assert private not in text
    one = en.get(f"{BASE}requests/{cases['claim'].display_code}.json").json()
    assert "description" not in one[0]


def test_one_request(en, cases, make_key):
    _key, raw = make_key()
    code = cases["claim"].display_code
    for asked in (code, code.replace("-", "").lower()):
        [found] = en.get(f"{BASE}requests/{asked}.json", {"api_key": raw}).json()
        assert found["service_request_id"] == code
    for missing in ("AAAAA-AAAAA", "no-es-un-codigo", "1"):
        assert en.get(f"{BASE}requests/{missing}.json", {"api_key": raw}).status_code == 404


def test_filters(en, cases, make_key):
    _key, raw = make_key()
    claim, complaint, inquiry = (cases[k].display_code for k in ("claim", "complaint", "inquiry"))
    q = {"api_key": raw}
    assert ids(en.get(LIST, {**q, "status": "open"})) == {claim}
    assert ids(en.get(LIST, {**q, "status": "closed"})) == {complaint, inquiry}
    assert ids(en.get(LIST, {**q, "status": "open,closed"})) == {claim, complaint, inquiry}
    assert ids(en.get(LIST, {**q, "service_code": "opinion-reclamo"})) == {claim}
    assert ids(en.get(LIST, {**q, "service_code": "opinion-queja,consulta-horarios"})) == {
        complaint,
        inquiry,
    }
    assert ids(en.get(LIST, {**q, "service_code": "opinion-sugerencia"})) == set()
    assert ids(en.get(LIST, {**q, "service_request_id": f"{claim},{inquiry}"})) == {claim, inquiry}
    now = timezone.now()
    recent = {"start_date": (now - timedelta(days=1)).isoformat(), "end_date": now.isoformat()}
    assert ids(en.get(LIST, {**q, **recent})) == {claim, complaint, inquiry}
    earlier = {
        "start_date": (now - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert ids(en.get(LIST, {**q, **earlier})) == set()


def test_by_default_the_most_recent_90_days(en, cases, make_key):
    _key, raw = make_key()
    Case.objects.filter(pk=cases["claim"].pk).update(
        received_at=timezone.now() - timedelta(days=91)
    )
    assert cases["claim"].display_code not in ids(en.get(LIST, {"api_key": raw}))
    old = {"start_date": (timezone.now() - timedelta(days=100)).isoformat()}
    assert cases["claim"].display_code in ids(en.get(LIST, {"api_key": raw, **old}))


def test_at_most_1000_newest_first(en, make_key, monkeypatch, make_case):
    from enlace.open311 import queries

    monkeypatch.setattr(queries, "MAX_RESULTS", 2)
    _first, second, third = (make_case() for _ in range(3))
    _key, raw = make_key()
    found = en.get(LIST, {"api_key": raw}).json()
    assert [i["service_request_id"] for i in found] == [third.display_code, second.display_code]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "pending"}, "status is open, closed, or both"),
        ({"service_code": "queja"}, "Unknown service_code “queja”."),
        ({"service_code": "opinion-\x00"}, "Unknown service_code"),
        ({"start_date": "2026-01-01\x00"}, "start_date is not a date and time"),
        ({"service_request_id": "ABCDE-\x00"}, "is not a service_request_id"),
        ({"service_code": "opinion-nada"}, "Unknown service_code: nada."),
        ({"start_date": "ayer"}, "start_date is not a date and time"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date is not a date and time"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "may not span more than 90 days",
        ),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date is before start_date",
        ),
        ({"service_request_id": "AB"}, "is not a service_request_id"),
    ],
)
def test_bad_filters_are_400(en, make_key, params, message):
    _key, raw = make_key()
    response = en.get(LIST, {"api_key": raw, **params})
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert message in error["description"]


def test_requests_in_xml(en, cases, make_key):
    _key, raw = make_key()
    response = en.get(f"{BASE}requests.xml", {"api_key": raw, "status": "open"})
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == cases["claim"].display_code
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == ""
    one = parse_xml(
        en.get(f"{BASE}requests/{cases['claim'].display_code}.xml", {"api_key": raw}).content
    )
    assert one.findtext("request/service_code") == "opinion-reclamo"


def test_control_characters_never_break_the_xml(en, make_case, make_key):
    make_case(description="Texto con \x01 un control y \x0b otro")
    _key, raw = make_key()
    root = parse_xml(en.get(f"{BASE}requests.xml", {"api_key": raw}).content)
    assert root.findtext("request/description") == "Texto con  un control y  otro"


def test_the_list_is_one_query_for_a_key_of_all_centres(
    en, cases, make_key, django_assert_max_num_queries
):
    _key, raw = make_key()
    en.get(LIST, {"api_key": raw})  # the key's last use is recorded at most once a minute
    with django_assert_max_num_queries(3):  # the key, its centres, the list
        en.get(LIST, {"api_key": raw})
