"""A call campaign that finishes is posted, signed, to the endpoints that want
`campaign.finished` for every centre or for the dependency that asked for it: its figures and
where to read each contact's outcome, and no person's data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from conftest import make_user
from enlace.accounts.models import Role
from enlace.campaigns import actions
from enlace.campaigns.models import Outcome
from enlace.campaigns.tests import factories
from enlace.directory.models import Dependency
from enlace.webhooks.events import EventType
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery
from enlace.webhooks.signing import verify_signature

# The deliveries are enqueued on commit: the test commits, and the reference data is restored.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_finished_campaign_reaches_the_dependency_that_asked(
    receiver: Any, make_endpoint: Any, closed_port_url: str
) -> None:
    hospital = Dependency.objects.get(code="HG")
    boss = make_user("sofia", Role.CALL_SUPERVISOR)
    agent = make_user("alicia", Role.AGENT)
    wanted = make_endpoint(
        receiver.url, events=(EventType.CAMPAIGN_FINISHED,), dependency=hospital, name="HG"
    )
    # Another centre's endpoint, and one that follows cases only, hear nothing of it.
    make_endpoint(
        closed_port_url,
        events=(EventType.CAMPAIGN_FINISHED,),
        dependency=Dependency.objects.get(code="UM-ZAC"),
        name="Zacamil",
    )
    make_endpoint(closed_port_url, events=(EventType.CREATED,), name="Casos")
    campaign = factories.campaign(boss, requested_by=hospital)
    factories.import_text(
        campaign, boss, "nombre,telefono\nMarta Pérez,7123-4567\nJosé López,2222-3333\n"
    )
    actions.do_step(campaign, "start", acting_user=boss)
    contact = actions.do_claim_next(campaign, agent, now=factories.NOW)
    assert contact is not None
    actions.do_record_outcome(
        contact,
        actions.CallResult(outcome=Outcome.CONFIRMED),
        agent=agent,
        seen_version=contact.version,
        now=factories.NOW,
    )
    actions.do_step(campaign, "finish", acting_user=boss)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint_id, delivery.campaign_id, delivery.case_id) == (
        wanted.pk,
        campaign.pk,
        None,
    )
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)
    (received,) = receiver.wait_for(1)
    assert received.headers["X-Enlace-Event"] == "campaign.finished"
    assert verify_signature(
        wanted.secret, received.headers["X-Enlace-Signature"], received.body, 300
    )
    body = received.json()["campaign"]
    assert body["requested_by"] == "HG"
    assert body["contacts"] == {
        "total": 2,
        "done": 1,
        "unreachable": 1,
        "excluded": 0,
        "to_call": 0,
    }
    assert body["outcomes"] == {"confirmed": 1}
    assert body["results"] == f"/api/v1/campaigns/{campaign.pk}/contacts"
    assert "Marta" not in received.body.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
