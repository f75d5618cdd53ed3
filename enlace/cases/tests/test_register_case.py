"""Registering inquiries and opinions through the intake page."""

import uuid

import pytest
from django.urls import reverse

from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind

URL = reverse("cases:new")


def inquiry_form(**overrides):
    data = {
        "kind": "consulta",
        "channel": "llamada_127",
        "topic": "Horarios de atención",
        "description": "¿A qué hora abre la farmacia?",
        "answered_at_first_contact": "on",
        "answer": "De 7:00 a 19:00 horas.",
        "intake_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def opinion_form(**overrides):
    data = {
        "kind": "opinion",
        "channel": "llamada_127",
        "opinion_type": "queja",
        "dependency": "Hospital General [HG]",
        "limitante": "Trato inadecuado del personal",
        "description": "La persona de ventanilla me trató mal.",
        "citizen_name": "María José Hernández",
        "citizen_dui": "00016297-5",
        "citizen_phone": "7123-4567",
        "citizen_email": "maria@example.com",
        "intake_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_an_agent_logs_an_inquiry_answered_on_the_phone(agent, client_for):
    response = client_for(agent).post(URL, inquiry_form())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.kind == CaseKind.INQUIRY
    assert case.status == CaseStatus.CLOSED
    assert case.resolved_at_first_contact
    assert case.closed_at is not None
    assert case.topic.code == "horarios"
    assert case.created_by == agent
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.REGISTERED,
        EventKind.CLOSED,
    ]
    page = client_for(agent).get(response["Location"])
    assert case.display_code in page.content.decode()


def test_an_agent_registers_an_opinion_about_a_named_centre(agent, client_for):
    response = client_for(agent).post(URL, opinion_form())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.kind == CaseKind.OPINION
    assert case.status == CaseStatus.RECEIVED
    assert case.dependency.code == "HG"
    assert case.level_of_care == "hospital"
    assert case.limitante.code == "trato_personal"
    assert case.citizen_phone == "+50371234567"
    assert case.citizen_dui == "00016297-5"
    assert case.search_text == "maria jose hernandez la persona de ventanilla me trato mal."
    event = case.events.get()
    assert (event.kind, event.actor, event.to_status) == (EventKind.REGISTERED, agent, "received")


def test_the_centre_can_be_typed_by_code_or_name(agent, client_for):
    client = client_for(agent)
    client.post(URL, opinion_form(dependency="um-zac"))
    client.post(URL, opinion_form(dependency="hospital amatepec"))
    assert sorted(Case.objects.values_list("dependency__code", flat=True)) == ["HAMA", "UM-ZAC"]


def test_the_form_keeps_the_desks_channel_but_not_the_last_callers_centre(agent, client_for):
    client = client_for(agent)
    client.post(URL, opinion_form(channel="buzon"))
    page = client.get(URL)
    assert page.context["form"].initial["channel"] == "buzon"
    assert "dependency" not in page.context["form"].initial
    assert page.context["form"]["dependency"].value() is None


def test_what_the_kind_requires_is_marked(agent, client_for):
    html = client_for(agent).get(URL).content.decode()
    # An inquiry is the kind shown first: its topic is marked; an opinion's centre is marked
    # for the script to show when the kind changes.
    assert 'class="field required" data-kind="consulta" data-required-for="consulta"' in html
    assert 'class="field" data-required-for="opinion"' in html
    opinion = client_for(agent).post(URL, {**opinion_form(), "opinion_type": ""})
    assert 'class="field has-error required" data-kind="opinion"' in opinion.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("citizen_dui", "00016297-4", "dígito verificador"),
        ("citizen_dui", "1234", "ocho dígitos"),
        ("citizen_phone", "1234-5678", "no es un número de teléfono salvadoreño válido"),
        ("citizen_email", "maria@", "dirección de correo electrónico válida"),
        ("dependency", "Hospital Inventado", "No existe un centro llamado “Hospital Inventado”"),
        ("limitante", "Otra cosa", "No existe una limitante llamada “Otra cosa”"),
    ],
)
def test_bad_input_gets_a_clear_spanish_message_and_stores_nothing(
    agent, client_for, field, value, message
):
    response = client_for(agent).post(URL, opinion_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_an_opinion_needs_type_centre_and_description(agent, client_for):
    response = client_for(agent).post(
        URL, opinion_form(opinion_type="", dependency="", description="")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"opinion_type", "dependency", "description"}
    assert not Case.objects.exists()


def test_an_inquiry_answered_at_once_needs_its_answer(agent, client_for):
    response = client_for(agent).post(URL, inquiry_form(answer=""))
    assert response.status_code == 400
    assert "Escriba la respuesta dada" in response.content.decode()


def test_an_inquiry_not_answered_stays_open_for_follow_up(agent, client_for):
    data = inquiry_form(answer="")
    del data["answered_at_first_contact"]
    client_for(agent).post(URL, data)
    assert Case.objects.get().status == CaseStatus.RECEIVED


def test_a_form_posted_twice_registers_one_case(agent, client_for):
    client = client_for(agent)
    data = opinion_form()
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert CaseEvent.objects.count() == 1


def test_a_punto_seguro_agent_registers_for_their_own_centre_only(punto_seguro, client_for):
    response = client_for(punto_seguro).post(URL, opinion_form(dependency="UM-ZAC"))
    assert response.status_code == 302
    assert Case.objects.get().dependency.code == "HG"


@pytest.mark.parametrize("persona", ["liaison", "analyst"])
def test_roles_that_do_not_register_are_refused(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, inquiry_form()).status_code == 403
    assert not Case.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.post(URL, inquiry_form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Case.objects.exists()


def test_a_form_token_sent_by_someone_else_names_nothing_of_theirs(agent, client_for):
    """The same form twice by one person is one case; another user posting that token (copied,
    guessed) registers their own case and is never told the first one's code."""
    from conftest import make_user

    token = str(uuid.uuid4())
    first = client_for(agent).post(URL, opinion_form(intake_token=token))
    again = client_for(agent).post(URL, opinion_form(intake_token=token), follow=True)
    case = Case.objects.get()
    assert first["Location"] == again.redirect_chain[-1][0]
    assert case.display_code in again.content.decode()
    stranger = make_user("tomas", "punto_seguro", "UM-ZAC")
    answer = client_for(stranger).post(
        URL,
        opinion_form(intake_token=token, dependency="Unidad Médica Zacamil [UM-ZAC]"),
        follow=True,
    )
    assert answer.status_code == 200
    assert Case.objects.count() == 2
    assert case.display_code not in answer.content.decode()
