"""Two agents claiming at the same instant never get the same contact: on PostgreSQL, rounds of
eight agents (threads, each with its own connection) ask for their next call together, and
every contact is held by one agent at most; then they record outcomes together, and each
contact has exactly the attempts recorded for it.

SQLite serialises writers on one file, so the race this guards against cannot happen there:
the test runs on PostgreSQL only (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from conftest import make_user
from enlace.accounts.models import Role, User
from enlace.campaigns import actions
from enlace.campaigns.models import Attempt, Contact, Outcome
from enlace.campaigns.tests import factories

AGENTS = 8
ROUNDS = 6
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("America/El_Salvador"))

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent claims need PostgreSQL; run with DATABASE_URL=postgres://...",
    ),
]


def test_concurrent_agents_never_hold_the_same_contact() -> None:
    boss = make_user("sofia", Role.CALL_SUPERVISOR)
    agents = [make_user(f"agente{n}", Role.AGENT) for n in range(AGENTS)]
    campaign = factories.campaign(boss)
    rows = "".join(f"Persona {n},7{n:03d}-{n:04d}\n" for n in range(AGENTS * ROUNDS))
    report = factories.import_text(campaign, boss, "nombre,telefono\n" + rows)
    assert report.created == AGENTS * ROUNDS
    actions.do_step(campaign, "start", acting_user=boss)

    claims: list[tuple[int, int | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(AGENTS)

    def work(agent: User) -> None:
        try:
            for _round in range(ROUNDS):
                barrier.wait(timeout=30)
                contact = actions.do_claim_next(campaign, agent, now=NOW)
                with lock:
                    claims.append((agent.pk, contact.pk if contact else None))
                barrier.wait(timeout=30)
                if contact is not None:
                    actions.do_record_outcome(
                        contact,
                        actions.CallResult(outcome=Outcome.CONFIRMED),
                        agent=agent,
                        seen_version=contact.version,
                        now=NOW,
                    )
        except BaseException as error:
            with lock:
                errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    taken = [contact for _agent, contact in claims if contact is not None]
    # Every agent got a contact in every round, and no contact went to two agents.
    assert len(taken) == AGENTS * ROUNDS
    assert len(set(taken)) == len(taken)
    per_contact = Counter(Attempt.objects.values_list("contact_id", flat=True))
    assert set(per_contact.values()) == {1}
    assert not Contact.objects.filter(lease_holder__isnull=False).exists()
