"""Several sweepers at once never handle the same deadline twice (PostgreSQL: FOR UPDATE
SKIP LOCKED; SQLite serialises writers by itself)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from enlace.cases.models import CaseEvent, EventKind
from enlace.cases.sweeper import sweep_deadlines

SV = ZoneInfo("America/El_Salvador")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweepers_at_once_remind_each_case_once(make_case):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=SV), tick=False):
        for _ in range(60):
            make_case(type="queja", centre="HG")
    # Wednesday 4 March: reminder day of the acknowledgement, due on Thursday 5 (3 business days).
    moment = datetime(2026, 3, 4, 8, tzinfo=SV)
    totals = []

    def sweep():
        try:
            totals.append(sweep_deadlines(now=moment, batch_size=7))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(t["reminded"] for t in totals) == 60
    assert CaseEvent.objects.filter(kind=EventKind.DEADLINE_REMINDER).count() == 60
    assert sweep_deadlines(now=moment + timedelta(minutes=1)) == {}
