"""Schemathesis: every operation of /api/v1/ (all routers, not only the cases') is called with
data generated from the OpenAPI schema the app serves, valid and invalid, with an
administrator's API key. No answer may be a server error, and every answer must be one the
schema declares, of the declared type and shape (schemathesis's default checks).

Deterministic (derandomized, a fixed number of examples per operation) so that it can run in
the normal suite; select it with `-k schemathesis`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from enlace.accounts.models import Role, User
from enlace.apikeys.testing import make_key
from enlace.cases.api import EXAMPLE_CODE
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case

EXAMPLES = 50  # per operation, for the positive and for the negative data each

# The one setting changed from schemathesis's defaults. Its check "positive data acceptance"
# counts any 4xx but 401, 403, 404 and 409 as refusing valid data. This API answers 422 for a
# request that is well formed by the schema but refused by a rule a static schema cannot state:
# a code that names no catalogue entry or centre (those are data, edited in the admin), a period
# that ends before it starts, an opinion without its centre. So 422 is added to what it accepts;
# every other check keeps its defaults (no server error, only declared statuses, content types
# and bodies that match the schema, invalid data refused).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
            }
        }
    }
)


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    # The requests go through the WSGI application itself, in the test's transaction. Django's
    # own test client keeps the connection open across requests the same way: closing it at the
    # end of a request would end the test's transaction (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def admin_key(make_case: Any) -> str:
    admin = User.objects.create_user(
        username="fuzz-admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True
    )
    # Some cases, so that lists and lookups answer with real rows, not only with empties.
    opinion = make_case(centre="HG")
    make_case(CaseKind.INQUIRY)
    # The code the schema gives as its example for {code}: the steps on a case then run on a
    # real one (the others 404).
    Case.objects.filter(pk=opinion.pk).update(tracking_code=EXAMPLE_CODE.replace("-", ""))
    _key, raw = make_key(role=Role.ADMINISTRATOR, created_by=admin, name="fuzz")
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case: Any, admin_key: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_key}"})


# --- A corpus of hostile values --------------------------------------------------------------
# What the generator rarely reaches: dates at the calendar's ends and impossible ones, numbers
# past 64 bits, cursors that decode to such dates or to nothing, text that is not text. Each
# query parameter of each GET operation, and the case code of the paths, gets each value alone.
def _cursor(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "99999-01-01",
    "-1",
    "0",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "true",
    "",
    " ",
    "\u0000",
    "\uff12\uff10\uff12\uff16-01-01",  # full-width digits
    "' OR 1=1 --",
    "A" * 3000,
    _cursor("9999-12-31T23:59:59-12:00|1"),
    _cursor("0001-01-01T00:00:00+14:00|1"),
    _cursor("2026-01-01T00:00:00+00:00|99999999999999999999"),
    _cursor("x|y|z"),
    "%%%",
]


def _hostile_cases(schema: Any) -> Iterator[tuple[str, Any]]:
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        # A case's code is the example's; any other path parameter (a study's id) is 1.
        names = re.findall(r"{(\w+)}", operation.path)
        path = {name: EXAMPLE_CODE if name == "code" else "1" for name in names}
        for parameter in operation.query:
            for value in HOSTILE:
                yield (
                    f"{operation.label} ?{parameter.name}={value[:20]!r}",
                    operation.Case(path_parameters=path, query={parameter.name: value}),
                )
        for name in names:
            for value in HOSTILE:
                yield (
                    f"{operation.label} {name}={value[:20]!r}",
                    operation.Case(path_parameters=path | {name: value}),
                )


def test_hostile_values_get_a_declared_answer_never_a_server_error(
    api_schema: Any, admin_key: str
) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    tried = 0
    for label, case in _hostile_cases(api_schema):
        try:
            response = case.call(headers={"Authorization": f"Bearer {admin_key}"})
            case.validate_response(response, checks=checks)
        except Exception as error:  # name the request that failed
            raise AssertionError(f"{label}: {error}") from error
        tried += 1
    assert tried > 200  # every GET's parameters, each with every value
