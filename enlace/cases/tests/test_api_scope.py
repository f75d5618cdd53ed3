"""An API key's centres narrow every read that goes through the API, the reports included."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from enlace.accounts.models import Role
from enlace.apikeys.testing import key_client
from enlace.cases.models import Case

pytestmark = pytest.mark.django_db

REPORT = "/api/v1/reports/participation?from=2000-01-01&to=2100-12-31"


def test_a_key_of_one_centre_reports_only_its_centre(make_case: Callable[..., Case]) -> None:
    make_case(centre="HG")
    make_case(centre="UM-ZAC")
    make_case(centre="UM-ZAC")
    everything, _ = key_client(role=Role.ANALYST, can_write=False)
    hg_only, _ = key_client(role=Role.ANALYST, can_write=False, centres=("HG",))
    assert everything.get(REPORT).json()["opinions"]["total"] == 3
    narrowed = hg_only.get(REPORT)
    assert narrowed.status_code == 200
    assert narrowed.json()["opinions"]["total"] == 1


def test_a_role_without_reports_is_refused_with_a_key() -> None:
    client, _ = key_client(role=Role.AGENT, can_write=False)
    response = client.get(REPORT)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_the_schema_and_the_docs_are_served_without_a_cdn() -> None:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/cases" in paths
    assert "/api/v1/dependencies" in paths
    operation_ids = {
        operation["operationId"] for path in paths.values() for operation in path.values()
    }
    assert {"create_case", "list_cases", "get_case", "close_case"} <= operation_ids
    security = schema.json()["components"]["securitySchemes"]
    assert {"BearerKey", "HeaderKey", "StaffSession"} <= set(security)
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page


def test_an_unknown_path_and_a_wrong_method_answer_in_json() -> None:
    client, _key = key_client(can_write=False)
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no such endpoint in this API."
    wrong = client.delete("/api/v1/cases")
    assert wrong.status_code == 405
    assert wrong.json()["detail"]
    assert "GET" in wrong["Allow"]
