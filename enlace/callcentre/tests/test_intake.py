"""The intake form: a caller's history as soon as a valid phone or DUI is typed (in the user's
scope), and the channel a Punto Seguro desk or a walk-in desk registers under."""

import uuid

import pytest
from django.urls import reverse

from enlace.cases.models import Case

pytestmark = pytest.mark.django_db
HISTORY = reverse("callcentre:history")
PHONE = "+50371234567"


def test_the_history_shows_the_callers_cases_once_the_number_is_valid(agent, make_case, client_for):
    case = make_case(citizen={"phone": PHONE, "dui": "00016297-5"})
    client = client_for(agent)
    assert client.get(HISTORY, {"citizen_phone": "7123-45"}).context["history"] == []
    assert client.get(HISTORY, {"citizen_phone": "7123-4567"}).context["history"] == [case]
    by_dui = client.get(HISTORY, {"citizen_phone": "", "citizen_dui": "00016297-5"})
    assert case.display_code in by_dui.content.decode()
    # A DUI with a wrong check digit is not looked up.
    assert client.get(HISTORY, {"citizen_dui": "00016297-4"}).context["history"] == []


def test_the_history_keeps_to_the_users_scope(punto_seguro, make_case, client_for):
    at_hg = make_case(centre="HG", citizen={"phone": PHONE})
    at_zacamil = make_case(centre="UM-ZAC", citizen={"phone": PHONE})
    page = client_for(punto_seguro).get(HISTORY, {"citizen_phone": "7123-4567"})
    assert page.context["history"] == [at_hg]
    assert at_zacamil.display_code not in page.content.decode()


def test_the_history_is_refused_to_roles_without_intake(liaison, outsider, make_case, client_for):
    make_case(centre="HG", citizen={"phone": PHONE})
    for user in (liaison, outsider):
        assert client_for(user).get(HISTORY, {"citizen_phone": PHONE}).status_code == 403


def test_the_intake_inputs_ask_for_the_history(agent, client_for):
    html = client_for(agent).get(reverse("cases:new")).content.decode()
    assert f'hx-get="{HISTORY}"' in html
    assert 'hx-trigger="keyup changed delay:300ms"' in html
    assert 'id="caller-history"' in html


def opinion(**overrides):
    data = {
        "kind": "opinion",
        "channel": "llamada_127",
        "opinion_type": "queja",
        "dependency": "Unidad Médica Zacamil [UM-ZAC]",
        "description": "Me atendieron tarde.",
        "intake_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_a_punto_seguro_registers_for_their_centre_under_their_channel(punto_seguro, client_for):
    client = client_for(punto_seguro)
    form = client.get(reverse("cases:new")).context["form"]
    assert form["channel"].value() == "punto_seguro"
    assert form.fields["channel"].disabled
    response = client.post(reverse("cases:new"), opinion(channel="llamada_127"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.dependency.code, case.channel.code) == ("HG", "punto_seguro")


def test_a_walk_in_desk_picks_its_channel_once_and_the_form_remembers_it(agent, client_for):
    client = client_for(agent)
    response = client.post(reverse("cases:new"), opinion(channel="depto_atencion", dependency="HG"))
    assert response.status_code == 302
    assert Case.objects.get().channel.code == "depto_atencion"
    assert client.get(reverse("cases:new")).context["form"]["channel"].value() == "depto_atencion"
