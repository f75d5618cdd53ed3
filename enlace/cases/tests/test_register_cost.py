"""What registering a case costs in queries, pinned so it does not creep back (bench/api.py
measures the rate; these count the round trips), and that the cheaper path still plans the
deadlines, the next due date and the double-submit answer as before."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from enlace.accounts.models import User
from enlace.apikeys.testing import key_client
from enlace.cases.actions import Citizen, NewCase, do_register_case
from enlace.cases.models import Case, CaseDeadline, DeadlineStatus, DeadlineStep
from enlace.catalogues.models import Channel, Limitante, OpinionType
from enlace.core import reference
from enlace.directory.models import Dependency, InstitutionalClosure

pytestmark = pytest.mark.django_db


def complaint(**overrides: Any) -> NewCase:
    data: dict[str, Any] = {
        "kind": "opinion",
        "channel": Channel.objects.get(code="sitio_web"),
        "opinion_type": OpinionType.objects.get(code="queja"),
        "dependency": Dependency.objects.get(code="HG"),
        "limitante": Limitante.objects.get(code="tiempo_espera"),
        "description": "Esperé cinco horas en emergencia.",
        "citizen": Citizen(name="Marta Pérez", dui="00016297-5", phone="+50371234567"),
        "intake_token": uuid.uuid4(),
    }
    data.update(overrides)
    return NewCase(**data)


def test_registering_a_typical_complaint_takes_eight_queries(
    agent: User, django_assert_num_queries: Any
) -> None:
    do_register_case(complaint(), acting_user=agent)  # reads the reference data into memory
    data = complaint()
    # As in a request (one reference.scope): SAVEPOINT; the possible duplicate; the version of
    # the reference data (deadline policies, closures and webhook endpoints are in memory); the
    # case (with its next due date); its rollup delta (enlace/cases/rollups.py); its deadlines
    # (one INSERT); its history row; RELEASE.
    with reference.scope(), django_assert_num_queries(8):
        case, created = do_register_case(data, acting_user=agent)
    assert created
    deadlines = {d.step: d for d in case.deadlines.all()}
    assert set(deadlines) == {DeadlineStep.ACKNOWLEDGE, DeadlineStep.ANSWER}
    assert all(d.status == DeadlineStatus.OPEN and d.next_check_at for d in deadlines.values())
    stored = Case.objects.get(pk=case.pk)
    assert stored.next_due_on == min(d.due_on for d in deadlines.values())
    assert stored.next_due_on == deadlines[DeadlineStep.ACKNOWLEDGE].due_on


def test_the_same_intake_token_twice_returns_the_first_case(agent: User) -> None:
    data = complaint()
    first, created = do_register_case(data, acting_user=agent)
    again, created_again = do_register_case(data, acting_user=agent)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert CaseDeadline.objects.filter(case=first).count() == 2


def test_the_same_token_returns_the_case_even_if_the_centre_closed_since(agent: User) -> None:
    data = complaint()
    first, _created = do_register_case(data, acting_user=agent)
    Dependency.objects.filter(code="HG").update(is_active=False)
    again, created = do_register_case(
        complaint(intake_token=data.intake_token, dependency=Dependency.objects.get(code="HG")),
        acting_user=agent,
    )
    assert (again.pk, created) == (first.pk, False)


def test_a_closure_entered_today_moves_the_next_case_due_date(agent: User) -> None:
    before, _created = do_register_case(complaint(), acting_user=agent)
    acknowledge = before.deadlines.get(step=DeadlineStep.ACKNOWLEDGE)
    InstitutionalClosure.objects.create(date=acknowledge.due_on, name="Cierre institucional")
    after, _created = do_register_case(complaint(), acting_user=agent)
    assert after.deadlines.get(step=DeadlineStep.ACKNOWLEDGE).due_on > acknowledge.due_on


def test_an_inquiry_answered_at_once_has_no_deadlines_and_no_due_date(agent: User) -> None:
    from enlace.catalogues.models import InquiryTopic

    case, _created = do_register_case(
        NewCase(
            kind="consulta",
            channel=Channel.objects.get(code="llamada_127"),
            topic=InquiryTopic.objects.get(code="horarios"),
            answered_at_first_contact=True,
            answer="De 7 a 19 horas",
        ),
        acting_user=agent,
    )
    assert Case.objects.get(pk=case.pk).next_due_on is None
    assert not case.deadlines.exists()


def test_the_api_registers_a_case_in_a_bounded_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    client, _key = key_client()
    body = {
        "kind": "opinion",
        "channel": "sitio_web",
        "opinion_type": "queja",
        "dependency": "HG",
        "limitante": "tiempo_espera",
        "description": "Esperé cinco horas en emergencia.",
        "citizen": {"name": "Marta Pérez", "phone": "7123-4567"},
    }
    # The key's last use is written once a minute; the reference data is read into memory.
    client.post_json("/api/v1/cases", body)
    # BEGIN (a SAVEPOINT here); the key, which carries the version of the reference data
    # (channel, type, centre, limitante, policies, closures and webhook endpoints are in
    # memory); the seven others of do_register_case; the idempotency record and the audit row;
    # COMMIT (RELEASE SAVEPOINT here). A first try looks no idempotency record up.
    with django_assert_max_num_queries(12):
        response = client.post_json("/api/v1/cases", body, HTTP_IDEMPOTENCY_KEY="uno")
    assert response.status_code == 201, response.content
