"""The catalogues through the API: channels, opinion types, limitantes, inquiry topics."""

from __future__ import annotations

import pytest
from django.test import Client

from enlace.accounts.models import Role, User
from enlace.apikeys.testing import key_client
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("channels", Channel),
        ("opinion-types", OpinionType),
        ("limitantes", Limitante),
        ("topics", InquiryTopic),
    ],
)
def test_it_lists_each_catalogue_in_order(path: str, model: type[Channel]) -> None:
    client, _key = key_client(role=Role.AGENT, can_write=False)
    response = client.get(f"/api/v1/catalogues/{path}")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()]
    assert codes == list(model._default_manager.values_list("code", flat=True))


def test_inactive_entries_can_be_left_out() -> None:
    OpinionType.objects.filter(code="denuncia").update(is_active=False)
    client, _key = key_client(can_write=False)
    active = client.get("/api/v1/catalogues/opinion-types?active=true").json()
    assert "denuncia" not in {row["code"] for row in active}
    every = client.get("/api/v1/catalogues/opinion-types").json()
    assert {"code": "denuncia", "name": "Aviso de denuncia", "is_active": False} in every


def test_channels_carry_their_report_group() -> None:
    client, _key = key_client(can_write=False)
    rows = {row["code"]: row for row in client.get("/api/v1/catalogues/channels").json()}
    assert rows["llamada_127"]["report_group"] == "centro_llamadas"


def test_a_session_reads_them_and_an_anonymous_request_does_not(
    liaison: User, client_for: object
) -> None:
    session: Client = client_for(liaison)  # type: ignore[operator]
    assert session.get("/api/v1/catalogues/topics").status_code == 200
    assert Client().get("/api/v1/catalogues/topics").status_code == 401
