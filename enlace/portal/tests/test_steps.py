"""The tracking page shows the citizen the public steps of their case, with dates, read from its
history rows in one query: never a note, an internal improvement action or a staff name."""

import pytest
from django.utils import translation

from enlace.cases.actions import (
    do_acknowledge_case,
    do_add_comment,
    do_answer_case,
    do_assign_case,
    do_close_case,
    do_propose_answer,
    do_reopen_case,
    do_resume_case,
    do_return_answer,
    do_start_assessment,
    do_wait_for_citizen,
)
from enlace.cases.models import Case
from enlace.directory.models import Dependency
from enlace.portal.queries import public_steps

pytestmark = pytest.mark.django_db

TRACK = "/seguimiento/"
SECRETS = (
    "NOTA-INTERNA-7731",  # a staff comment
    "ACCION-INTERNA-4410",  # the centre's internal improvement action
    "DEVUELTA-2290",  # why the proposal went back to the centre
    "PROPUESTA-5512",  # the proposal itself, never given
    "MOTIVO-ESPERA-3317",  # the note of the waiting step
    "REAPERTURA-8820",  # the reason for reopening
)


@pytest.fixture
def case(client, form_data):
    client.post("/", form_data())
    return Case.objects.get()


def track(client, case):
    response = client.post(
        TRACK, {"code": case.display_code, "factor": "7123-4567"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return response


def labels(response):
    return [str(step.label) for step in response.context["steps"]]


def test_a_new_case_shows_it_was_received_on_the_day_it_was(client, case):
    response = track(client, case)
    content = response.content.decode()
    assert 'id="case-steps"' in content
    assert labels(response) == ["Received"]
    assert response.context["steps"][0].at == case.received_at
    assert case.received_at.astimezone().strftime("%d/%m/%Y") in content


def test_each_public_step_shows_once_with_its_date_and_nothing_internal(
    client, case, resolution, liaison, agent
):
    hospital = Dependency.objects.get(code="HG")
    do_acknowledge_case(case, acting_user=resolution)
    do_add_comment(case, "NOTA-INTERNA-7731 llamar al director", acting_user=agent)
    do_start_assessment(case, acting_user=resolution, note="NOTA-INTERNA-7731")
    do_wait_for_citizen(case, "MOTIVO-ESPERA-3317 copia del DUI", acting_user=resolution)
    do_resume_case(case, acting_user=None)
    do_assign_case(case, hospital, acting_user=resolution, reason="NOTA-INTERNA-7731")
    do_propose_answer(
        case, "PROPUESTA-5512", acting_user=liaison, improvement_action="ACCION-INTERNA-4410"
    )
    do_return_answer(case, "DEVUELTA-2290", acting_user=resolution)
    do_propose_answer(
        case, "Respuesta final", acting_user=liaison, improvement_action="ACCION-INTERNA-4410"
    )
    do_answer_case(case, "Respuesta final", acting_user=resolution)
    do_close_case(case, acting_user=resolution, accepted=False)
    do_reopen_case(case, "REAPERTURA-8820", acting_user=resolution)

    response = track(client, case)
    assert labels(response) == [
        "Received",
        "Receipt confirmed",
        "Being reviewed",
        "Waiting for you",
        "Your information was received",
        "With the centre responsible",  # once: the returned proposal is no step of theirs
        "Answered",
        "Closed",
        "Reopened",
    ]
    moments = [step.at for step in response.context["steps"]]
    assert moments == sorted(moments)
    content = response.content.decode()
    section = content[content.index('id="case-steps"') :]
    assert section.count("<li>") == 9
    assert section.count("<time datetime=") == 9
    for secret in SECRETS:
        assert secret not in content
    for person in ("rosa", "bruno", "alicia", "Alicia"):
        assert person not in content


def test_the_steps_are_read_in_one_query(case, resolution, django_assert_num_queries):
    do_acknowledge_case(case, acting_user=resolution)
    do_wait_for_citizen(case, "MOTIVO-ESPERA-3317", acting_user=resolution)
    case = Case.objects.get(pk=case.pk)
    with django_assert_num_queries(1):
        steps = public_steps(case)
    with translation.override("en"):
        assert [str(step.label) for step in steps] == [
            "Received",
            "Receipt confirmed",
            "Waiting for you",
        ]


def test_the_steps_read_in_spanish_by_default(client, case, resolution):
    do_wait_for_citizen(case, "MOTIVO-ESPERA-3317", acting_user=resolution)
    response = client.post(TRACK, {"code": case.display_code, "factor": "7123-4567"})
    content = response.content.decode()
    section = content[content.index('id="case-steps"') :]
    assert "Recibido" in section
    assert "Esperando su respuesta" in section
