"""Campaigns through the API: a hospital's system pushes the people to call (checked as a list
is, merged on retry), and reads each contact's outcome page by page, each read in the access
log; other roles are refused."""

from __future__ import annotations

import pytest

from conftest import make_user
from enlace.accounts.models import Role, User
from enlace.apikeys.testing import key_client
from enlace.campaigns import actions
from enlace.campaigns.models import Campaign, Contact
from enlace.campaigns.tests import factories
from enlace.privacy.models import AccessVia, PersonalDataAccess

pytestmark = pytest.mark.django_db

PEOPLE = [
    {"nombre": "Marta Pérez", "telefono": "7123-4567", "fecha_cita": "25/11/2026 08:00"},
    {"nombre": "José López", "telefono": "2222-3333", "dui": "00016297-5"},
]


@pytest.fixture
def campaign(db: None) -> Campaign:
    return factories.campaign(make_user("sofia", Role.CALL_SUPERVISOR))


def test_a_system_pushes_contacts_and_a_retry_adds_nobody(campaign: Campaign) -> None:
    client, _key = key_client(role=Role.CALL_SUPERVISOR)
    url = f"/api/v1/campaigns/{campaign.pk}/contacts"
    first = client.post_json(url, {"contacts": PEOPLE})
    assert first.status_code == 201, first.content
    assert first.json() == {"added": 2, "merged": 0, "excluded": 0, "rejected": []}
    again = client.post_json(url, {"contacts": PEOPLE})
    assert again.status_code == 200
    assert again.json()["merged"] == 2
    assert Contact.objects.filter(campaign=campaign).count() == 2
    assert Contact.objects.get(name="Marta Pérez").data == {"fecha_cita": "25/11/2026 08:00"}


def test_invalid_contacts_name_their_position_and_field(campaign: Campaign) -> None:
    client, _key = key_client(role=Role.CALL_SUPERVISOR)
    url = f"/api/v1/campaigns/{campaign.pk}/contacts"
    bad = [*PEOPLE, {"nombre": "Sin número", "telefono": "123"}]
    refused = client.post_json(url, {"contacts": bad})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "contacts", 3, "telefono"]
    assert not Contact.objects.exists()
    partial = client.post_json(url, {"contacts": bad, "skip_invalid": True})
    assert partial.status_code == 201
    assert partial.json()["added"] == 2
    assert len(partial.json()["rejected"]) == 1
    unknown = client.post_json(url, {"contacts": PEOPLE, "also": 1})
    assert unknown.status_code == 422


def test_the_results_page_by_page_and_logged(campaign: Campaign) -> None:
    boss = campaign.created_by
    assert boss is not None
    factories.import_text(
        campaign,
        boss,
        "nombre,telefono\n" + "".join(f"P{n},7{n:03d}-0000\n" for n in range(5)),
    )
    client, key = key_client(role=Role.CALL_SUPERVISOR, can_write=False)
    url = f"/api/v1/campaigns/{campaign.pk}/contacts?limit=3"
    page = client.get(url)
    assert page.status_code == 200
    body = page.json()
    assert [c["name"] for c in body["contacts"]] == ["P0", "P1", "P2"]
    assert body["progress"]["total"] == 5
    rest = client.get(url + f"&after={body['next_after']}").json()
    assert [c["name"] for c in rest["contacts"]] == ["P3", "P4"]
    assert rest["next_after"] is None
    logged = PersonalDataAccess.objects.filter(via=AccessVia.CAMPAIGN_EXPORT)
    assert logged.count() == 2
    assert logged.first().api_key_id == key.pk  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.LIAISON])
def test_other_roles_are_refused(campaign: Campaign, role: str) -> None:
    client, _key = key_client(role=role, centres=("HG",) if role == Role.LIAISON else ())
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/contacts").status_code == 403
    pushed = client.post_json(f"/api/v1/campaigns/{campaign.pk}/contacts", {"contacts": PEOPLE})
    assert pushed.status_code == 403
    assert not Contact.objects.exists()


def test_a_finished_campaign_takes_no_contacts(campaign: Campaign) -> None:
    boss: User = campaign.created_by  # type: ignore[assignment]
    actions.do_step(campaign, "finish", acting_user=boss)
    client, _key = key_client(role=Role.CALL_SUPERVISOR)
    pushed = client.post_json(f"/api/v1/campaigns/{campaign.pk}/contacts", {"contacts": PEOPLE})
    assert pushed.status_code == 409
