"""Correlative numbers stay gap-free and unique when requests are registered at the same time
(PostgreSQL: several connections at once; the year's counter row is locked FOR UPDATE, and the
first request of a year races to create it)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from enlace.oir import actions
from enlace.oir.models import InformationRequest
from enlace.oir.tests.conftest import request_data

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def test_concurrent_registrations_get_consecutive_numbers():
    def register(_n: int) -> str:
        try:
            request, _created = actions.do_register_request(request_data(), acting_user=None)
            return request.number
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(register, range(24)))
    year = timezone.localdate().year
    assert sorted(numbers) == [f"OIR-{year}-{n:04d}" for n in range(1, 25)]
    assert InformationRequest.objects.count() == 24
