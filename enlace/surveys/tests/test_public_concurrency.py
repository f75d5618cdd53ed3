"""One response per invitation when the same link is sent several times at once (a double
tap, two tabs): N threads post the same invitation together on PostgreSQL; exactly one
response is stored and every other thread gets the "already answered" page.

SQLite serialises writers on one file, so the race this guards against cannot happen there:
the test runs on PostgreSQL only (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.surveys.actions.invitations import do_invite
from enlace.surveys.models import Invitation, InvitationChannel, Response
from enlace.surveys.tests import factories

THREADS = 8

pytestmark = [
    # Committed rows (the threads have their own connections); restoring the serialized
    # database afterwards keeps the organisation for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent submissions need PostgreSQL; run with DATABASE_URL=postgres://...",
    ),
]


def test_one_response_per_invitation_under_concurrent_submissions(resolution: User) -> None:
    cache.clear()
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    invited = do_invite(
        study,
        Dependency.objects.get(code="HG"),
        channel=InvitationChannel.EMAIL,
        address="marta@example.com",
    )
    assert invited is not None
    invitation, token = invited
    answers = {"trato": "4", "resuelto": "yes", "comentario": "Bien"}
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    bodies: list[bytes] = []
    lock = threading.Lock()

    def submit() -> None:
        client = Client()
        try:
            barrier.wait(timeout=30)
            page = client.post(f"/encuesta/i/{token}/", answers)
            with lock:
                statuses.append(page.status_code)
                bodies.append(page.content)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [302] + [409] * (THREADS - 1)
    refused = [body for body, status in zip(bodies, statuses, strict=True) if status == 409]
    assert all(b'id="notice-answered"' in body for body in refused)
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).responded_at is not None
