"""Two sweepers never handle the same milestone (PostgreSQL: several connections at once; each
claims its rows FOR UPDATE SKIP LOCKED, an item together with its request). A request an
officer holds locked is skipped, not waited for, and handled by the next sweep."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection, connections, transaction

from enlace.directory.models import Dependency
from enlace.notifications.models import Notification
from enlace.oir import actions
from enlace.oir.models import InformationRequest, RequestEvent
from enlace.oir.sweeper import sweep_oir_deadlines
from enlace.oir.tests.conftest import at, frozen, request_data

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]
DAY = date(2026, 9, 14)  # the items' reminder day (due Wednesday 16, after the holiday)


@pytest.fixture
def many(oir):
    with frozen(date(2026, 9, 10)):
        made = []
        for _n in range(12):
            request, _created = actions.do_register_request(request_data(), acting_user=oir)
            actions.do_send_item(
                request.items.get(),
                Dependency.objects.get(code="HG"),
                date(2026, 9, 16),
                acting_user=oir,
            )
            made.append(request)
    return made


def test_concurrent_sweepers_remind_each_item_once(many, liaison):
    liaison.email = "bruno@hg.example"
    liaison.save(update_fields=["email"])

    def sweep(_n: int) -> int:
        try:
            return sweep_oir_deadlines(now=at(DAY, 8), batch_size=2)["item_reminded"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        reminded = list(pool.map(sweep, range(4)))
    assert sum(reminded) == 12
    assert RequestEvent.objects.filter(kind="item_reminder").count() == 12
    assert Notification.objects.filter(kind="oir_item_reminder").count() == 12


def test_a_request_held_by_an_officer_is_skipped_then_handled(many):
    held = many[0]
    locked = threading.Event()
    release = threading.Event()

    def officer() -> None:
        try:
            with transaction.atomic():
                InformationRequest.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=officer)
    thread.start()
    assert locked.wait(10)
    try:
        counts = sweep_oir_deadlines(now=at(DAY, 8))  # does not wait for the officer
    finally:
        release.set()
        thread.join(10)
    assert counts["item_reminded"] == 11
    assert not RequestEvent.objects.filter(request=held, kind="item_reminder").exists()
    assert sweep_oir_deadlines(now=at(DAY, 9))["item_reminded"] == 1
    assert RequestEvent.objects.filter(request=held, kind="item_reminder").count() == 1
