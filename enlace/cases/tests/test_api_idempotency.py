"""Two copies of a create with the same Idempotency-Key arriving at once make one case
(PostgreSQL: real concurrent transactions through a real server)."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import pytest
from django.db import connection

from enlace.apikeys.models import IdempotentRequest
from enlace.apikeys.testing import make_key
from enlace.cases.models import Case
from enlace.cases.tests.test_api import COMPLAINT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_make_one_case(live_server: Any) -> None:
    _key, raw = make_key()
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def post() -> None:
        request = urllib.request.Request(  # noqa: S310 - the live server on 127.0.0.1
            f"{live_server.url}/api/v1/cases",
            data=json.dumps(COMPLAINT).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {raw}",
                "Content-Type": "application/json",
                "Idempotency-Key": "llamada-8812",
            },
        )
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer = (response.status, json.loads(response.read()))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 6
    assert {status for status, _body in answers} == {201}
    assert len({body["code"] for _status, body in answers}) == 1
    assert Case.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
