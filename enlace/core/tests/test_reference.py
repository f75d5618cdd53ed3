"""Reference data kept in memory (enlace/core/reference.py): nothing read again once loaded,
every change seen from the next read on, in this process or another, and a change that was
rolled back never served."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db import transaction

from enlace.apikeys.testing import key_client
from enlace.cases.api import CaseIn
from enlace.cases.deadlines import policies_for
from enlace.cases.models import Case, DeadlinePolicy, DeadlineStep
from enlace.catalogues.models import Limitante
from enlace.catalogues.queries import resolve_entry
from enlace.core import reference
from enlace.core.models import ReferenceVersion
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency, InstitutionalClosure
from enlace.directory.queries import resolve_dependency

pytestmark = pytest.mark.django_db

# The example the API documents (a complaint about waiting times at the Hospital General).
COMPLAINT: dict[str, Any] = cast(dict[str, Any], CaseIn.model_config["json_schema_extra"])[
    "examples"
][0]


class Undone(Exception):
    pass


def test_once_loaded_a_request_reads_only_the_version(django_assert_num_queries: Any) -> None:
    def read() -> None:
        assert resolve_entry(Limitante, "TIEMPO DE ESPERA PROLONGADO") is not None
        assert resolve_dependency("HG") is not None
        assert resolve_entry(Limitante, "no existe") is None
        business_calendar(date(2026, 3, 2))

    with reference.scope():
        read()  # loads the catalogues, the centres and the closures
    with reference.scope(), django_assert_num_queries(1):
        read()
        read()


def test_a_change_saved_here_is_seen_at_once() -> None:
    limitante = Limitante.objects.get(code="tiempo_espera")
    assert resolve_entry(Limitante, "tiempo_espera") == limitante
    limitante.is_active = False
    limitante.save()
    assert resolve_entry(Limitante, "tiempo_espera") is None
    with reference.scope():
        assert resolve_dependency("HG") is not None
        centre = Dependency.objects.get(code="HG")
        centre.is_active = False
        centre.save()
        assert resolve_dependency("HG") is None  # the same request sees its own change


def test_a_change_made_by_another_process_reaches_the_next_request() -> None:
    client, _key = key_client()
    assert client.post_json("/api/v1/cases", COMPLAINT).status_code == 201
    # Another process deactivates the limitante: its row changes and its save replaces the
    # token, which is all this process can see of it (no signal reaches here).
    Limitante.objects.filter(code="tiempo_espera").update(is_active=False)
    ReferenceVersion.objects.filter(pk=1).update(token="f" * 32)
    response = client.post_json("/api/v1/cases", COMPLAINT)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "limitante"]


def test_a_bulk_write_is_seen_only_once_the_version_changes() -> None:
    """Why `QuerySet.update` and raw SQL on these tables must call `reference.bump()`."""
    assert resolve_entry(Limitante, "tiempo_espera") is not None
    Limitante.objects.filter(code="tiempo_espera").update(is_active=False)
    assert resolve_entry(Limitante, "tiempo_espera") is not None
    reference.bump()
    assert resolve_entry(Limitante, "tiempo_espera") is None


def test_a_change_rolled_back_is_never_served() -> None:
    limitante = Limitante.objects.get(code="tiempo_espera")

    def rename_then_fail() -> None:
        with transaction.atomic():
            limitante.name = "Demora"
            limitante.save()
            assert resolve_entry(Limitante, "demora") == limitante  # its own transaction sees it
            raise Undone

    with pytest.raises(Undone):
        rename_then_fail()
    assert resolve_entry(Limitante, "demora") is None
    found = resolve_entry(Limitante, "tiempo_espera")
    assert found is not None
    assert found.name == "Tiempo de espera prolongado"


def test_a_new_closure_and_a_changed_policy_plan_the_next_case() -> None:
    client, _key = key_client()

    def register() -> dict[str, date]:
        assert client.post_json("/api/v1/cases", COMPLAINT).status_code == 201
        case = Case.objects.latest("pk")
        return {d.step: d.due_on for d in case.deadlines.all()}

    first = register()
    answer_policy = policies_for(Case.objects.latest("pk"), (DeadlineStep.ANSWER,))
    policy = DeadlinePolicy.objects.get(pk=answer_policy[DeadlineStep.ANSWER].pk)
    policy.days += 5
    policy.save()
    InstitutionalClosure.objects.create(date=first[DeadlineStep.ACKNOWLEDGE], name="Cierre")
    second = register()
    assert second[DeadlineStep.ACKNOWLEDGE] > first[DeadlineStep.ACKNOWLEDGE]
    assert second[DeadlineStep.ANSWER] > first[DeadlineStep.ANSWER]


def test_the_reload_command_makes_a_change_made_by_sql_visible() -> None:
    assert resolve_entry(Limitante, "tiempo_espera") is not None
    Limitante.objects.filter(code="tiempo_espera").update(is_active=False)  # as SQL would
    call_command("reload_reference_data", stdout=StringIO())
    assert resolve_entry(Limitante, "tiempo_espera") is None


def test_a_migrated_database_has_the_version_row_to_cache_from() -> None:
    assert ReferenceVersion.objects.filter(pk=1).exists()
