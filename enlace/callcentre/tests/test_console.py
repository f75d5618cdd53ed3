"""The agent's console: the caller pops up when their call rings, a case registered from the
call is linked to it, the wrap-up is saved; and no one sees another agent's calls."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from enlace.accounts.models import Role
from enlace.callcentre.models import Call, WrapUp
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case

pytestmark = pytest.mark.django_db
PANEL = reverse("callcentre:panel")
PHONE = "+50371234567"


def now():
    return timezone.now().isoformat()


@pytest.fixture
def earlier_case(make_case):
    return make_case(citizen={"name": "María", "phone": PHONE}, description="Sin medicina")


def test_the_agents_console_pops_the_callers_history_when_it_rings(
    agent, earlier_case, make_case, post_event, client_for
):
    latest = make_case(CaseKind.INQUIRY, citizen={"phone": PHONE})
    make_case(citizen={"phone": "+50377777777"})  # someone else
    client = client_for(agent)
    assert client.get(PANEL, {"poll": "1", "estado": ""}).status_code == 204  # no call yet
    post_event("ringing", at=now())
    page = client.get(PANEL, {"poll": "1", "estado": ""})
    assert page.status_code == 200
    html = page.content.decode()
    assert "7123-4567" in html
    # Most recent first, with their status.
    assert html.index(latest.display_code) < html.index(earlier_case.display_code)
    assert [c.pk for c in page.context["history"]] == [latest.pk, earlier_case.pk]
    assert html.count("status-received") == 2
    call = Call.objects.get()
    assert f"{reverse('cases:new')}?llamada={call.pk}" in html
    # Nothing changed since: htmx keeps what it shows.
    again = client.get(PANEL, {"poll": "1", "estado": page.context["key"]})
    assert again.status_code == 204


def test_the_panel_shows_nothing_for_another_agent(agent, earlier_case, post_event, client_for):
    other = make_user("beto", Role.AGENT)
    post_event("ringing", at=now())
    page = client_for(other).get(PANEL, {"poll": "1", "estado": ""})
    assert page.status_code == 204
    page = client_for(other).get(PANEL)
    assert page.context["call"] is None
    assert earlier_case.display_code not in page.content.decode()


def test_only_agents_have_a_console(resolution, outsider, punto_seguro, post_event, client_for):
    post_event("ringing", at=now())
    for user in (resolution, outsider, punto_seguro):
        assert client_for(user).get(PANEL).status_code == 403


def test_the_console_is_in_every_page_for_agents_only(agent, resolution, client_for):
    assert 'id="call-panel"' in client_for(agent).get(reverse("cases:list")).content.decode()
    page = client_for(resolution).get(reverse("cases:list")).content.decode()
    assert 'id="call-panel"' not in page
    assert reverse("callcentre:list") in page


def test_a_case_registered_from_the_call_is_linked_to_it(agent, post_event, client_for):
    post_event("ringing", at=now())
    post_event("answered", at=now())
    call = Call.objects.get()
    client = client_for(agent)
    form = client.get(reverse("cases:new"), {"llamada": call.pk}).context["form"]
    assert form.initial["citizen_phone"] == "7123-4567"
    assert form.initial["call"] == call.pk
    assert form.initial["channel"] == "llamada_127"
    response = client.post(
        reverse("cases:new"),
        {
            "kind": "consulta",
            "channel": "llamada_127",
            "topic": "Horarios de atención",
            "description": "¿A qué hora abre la farmacia?",
            "answered_at_first_contact": "on",
            "answer": "De 7 a 19 horas.",
            "citizen_phone": "7123-4567",
            "call": str(call.pk),
            "intake_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.case == Case.objects.get()
    assert call.case.citizen_phone == PHONE


def test_a_case_cannot_be_linked_to_another_agents_call(agent, post_event, client_for):
    post_event("ringing", at=now())
    call = Call.objects.get()
    other = make_user("beto", Role.AGENT)
    client = client_for(other)
    assert (
        "call" not in client.get(reverse("cases:new"), {"llamada": call.pk}).context["form"].initial
    )
    response = client.post(
        reverse("cases:new"),
        {
            "kind": "consulta",
            "channel": "llamada_127",
            "topic": "Horarios de atención",
            "description": "¿Horario?",
            "answered_at_first_contact": "on",
            "answer": "De 7 a 19 horas.",
            "call": str(call.pk),
            "intake_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
    call.refresh_from_db()
    assert call.case is None


def test_the_wrap_up_is_saved(agent, post_event, client_for):
    post_event("ringing", at=now())
    post_event("hangup", at=now())
    call = Call.objects.get()
    client = client_for(agent)
    assert f"{reverse('callcentre:detail', args=[call.pk])}" in client.get(PANEL).content.decode()
    url = reverse("callcentre:detail", args=[call.pk])
    assert client.post(url, {"wrap_up": "bogus"}).status_code == 400
    response = client.post(url, {"wrap_up": WrapUp.WRONG_NUMBER, "wrap_up_note": "Buscaba a otro"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.wrap_up, call.wrap_up_note) == (WrapUp.WRONG_NUMBER, "Buscaba a otro")
    assert call.wrapped_up_at is not None
    # Wrapped up, the console lets it go.
    assert client.get(PANEL).context["call"] is None


def test_another_agent_cannot_see_or_wrap_up_the_call(agent, post_event, client_for):
    post_event("ringing", at=now())
    call = Call.objects.get()
    other = client_for(make_user("beto", Role.AGENT))
    url = reverse("callcentre:detail", args=[call.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"wrap_up": WrapUp.DROPPED}).status_code == 404
    call.refresh_from_db()
    assert call.wrap_up == ""


def test_the_call_log_is_for_resolution_and_administrators(
    agent, resolution, admin_user, liaison, post_event, client_for
):
    post_event("ringing", "pbx-1", at="2025-05-06T10:15:00-06:00")
    post_event("ringing", "pbx-2", at="2025-05-07T10:15:00-06:00", agent="")
    url = reverse("callcentre:list")
    for user in (agent, liaison):
        assert client_for(user).get(url).status_code == 403
    page = client_for(resolution).get(url)
    assert [c.pbx_call_id for c in page.context["calls"]] == ["pbx-2", "pbx-1"]
    by_date = client_for(admin_user).get(url, {"date_from": "2025-05-07"})
    assert [c.pbx_call_id for c in by_date.context["calls"]] == ["pbx-2"]
    by_agent = client_for(resolution).get(url, {"agent": "alicia"})
    assert [c.pbx_call_id for c in by_agent.context["calls"]] == ["pbx-1"]
    # The log's readers open any call.
    call = Call.objects.get(pbx_call_id="pbx-2")
    assert (
        client_for(resolution).get(reverse("callcentre:detail", args=[call.pk])).status_code == 200
    )
