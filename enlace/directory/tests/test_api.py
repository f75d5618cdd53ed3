"""GET /api/v1/dependencies: the directory with code, name, level of care and parent."""

from __future__ import annotations

import pytest
from django.test import Client

from enlace.accounts.models import Role
from enlace.apikeys.testing import key_client
from enlace.directory.models import Dependency

pytestmark = pytest.mark.django_db

URL = "/api/v1/dependencies"


def test_it_lists_every_dependency_with_its_parent() -> None:
    client, _key = key_client(role=Role.ANALYST, can_write=False)
    response = client.get(URL)
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert len(rows) == Dependency.objects.count()
    hg = rows["HG"]
    assert hg["name"] == "Hospital General"
    assert hg["level_of_care"] == "hospital"
    assert hg["parent"] == "SS"
    assert rows[hg["parent"]]["code"] == "SS"
    assert any(row["parent"] is None for row in rows.values())


def test_it_filters_by_level_of_care_and_activity() -> None:
    Dependency.objects.filter(code="UM-ZAC").update(is_active=False)
    client, _key = key_client(role=Role.ANALYST, can_write=False)
    hospitals = client.get(f"{URL}?level_of_care=hospital").json()
    assert hospitals
    assert {row["level_of_care"] for row in hospitals} == {"hospital"}
    inactive = client.get(f"{URL}?active=false").json()
    assert [row["code"] for row in inactive] == ["UM-ZAC"]
    assert client.get(f"{URL}?active=maybe").status_code == 422
    assert client.get(f"{URL}?level_of_care=castle").status_code == 422


def test_it_is_one_query_after_the_key(django_assert_num_queries: object) -> None:
    client, _key = key_client(can_write=False)
    client.get(URL)  # the first use stamps last_used_at
    with django_assert_num_queries(2):  # type: ignore[operator]
        assert client.get(URL).status_code == 200


def test_without_credentials_it_is_refused() -> None:
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_key_may_not_write_to_it() -> None:
    client, _key = key_client(can_write=True)
    assert client.post_json(URL, {}).status_code == 405
