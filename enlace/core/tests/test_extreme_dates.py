"""Dates at the ends of the calendar (year 1, year 9999, a day past them) reach every filter,
report, cursor and event that takes a date: each answers with a clear error (or an empty
result), never a 500 from a date computed past the calendar's end."""

import base64
import json

import pytest
from django.urls import reverse

from conftest import make_user
from enlace.apikeys.testing import key_client

EXTREMES = [
    ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "9999-12-31"),
    ("0001-01-01", "9999-12-31"),
]


@pytest.fixture
def people(db):
    return {
        "resolution": make_user("res", "resolution"),
        "analyst": make_user("ana", "analyst"),
        "oir": make_user("ofi", "oir_officer"),
    }


PAGES = [
    ("resolution", "cases:list", "received_from", "received_to"),
    ("resolution", "cases:export", "received_from", "received_to"),
    ("resolution", "callcentre:list", "date_from", "date_to"),
    ("analyst", "reports:dashboard", "date_from", "date_to"),
    ("analyst", "reports:compliance", "date_from", "date_to"),
    ("analyst", "reports:participation", "date_from", "date_to"),
    ("oir", "oir:statistics", "date_from", "date_to"),
]


@pytest.mark.parametrize(("start", "end"), EXTREMES)
@pytest.mark.parametrize(("who", "url_name", "start_name", "end_name"), PAGES)
def test_pages_refuse_or_bound_extreme_dates(
    people, client_for, who, url_name, start_name, end_name, start, end
):
    client = client_for(people[who])
    response = client.get(reverse(url_name), {start_name: start, end_name: end})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert "2000" in response.content.decode() or "2100" in response.content.decode()
    pdf = client.get(reverse(url_name), {start_name: start, end_name: end, "format": "pdf"})
    assert pdf.status_code in (200, 400)


API = [
    ("/api/v1/cases", "received_from", "received_to"),
    ("/api/v1/reports/participation", "from", "to"),
    ("/api/v1/reports/oir", "from", "to"),
]


@pytest.mark.parametrize(("start", "end"), EXTREMES)
@pytest.mark.parametrize(("path", "start_name", "end_name"), API)
def test_the_api_refuses_extreme_dates(db, path, start_name, end_name, start, end):
    client, _key = key_client()
    response = client.get(path, {start_name: start, end_name: end})
    assert response.status_code in (200, 422), (response.status_code, response.content[:300])


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"]
)
def test_a_cursor_at_the_ends_of_time_is_refused(people, client_for, moment):
    cursor = base64.urlsafe_b64encode(f"{moment}|1".encode()).decode().rstrip("=")
    client = client_for(people["resolution"])
    for parameter in ("after", "before"):
        assert client.get(reverse("cases:list"), {parameter: cursor}).status_code in (200, 400)
    api, _key = key_client()
    assert api.get("/api/v1/cases", {"cursor": cursor}).status_code in (200, 422)


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00", "9999-12-31T23:59:59"],
)
def test_open311_refuses_extreme_dates(db, moment):
    client, _key = key_client()
    response = client.get(
        "/open311/v2/requests.json",
        {"start_date": moment, "end_date": moment},
    )
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "0001-01-01T00:00:00+14:00"]
)
def test_a_telephone_event_at_the_ends_of_time_is_refused(post_event_anywhere, at):
    response = post_event_anywhere(
        {"event": "ringing", "call_id": "c-1", "at": at, "caller": "71234567", "agent": "alicia"}
    )
    assert response.status_code in (200, 202, 400), response.status_code


@pytest.fixture
def post_event_anywhere(settings, client, db):
    settings.CTI_TOKEN = "cti-secret"

    def post(payload):
        return client.post(
            reverse("channels:cti"),
            json.dumps(payload),
            content_type="application/json",
            headers={"X-CTI-Token": "cti-secret"},
        )

    return post
