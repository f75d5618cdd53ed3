"""Improvement opportunities: created from cases, followed to done, seen by the right people."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.improvements.models import ImprovementEvent, ImprovementOpportunity

pytestmark = pytest.mark.django_db


def new_data(**overrides):
    data = {
        "title": "Fila preferencial en farmacia",
        "description": "Adultos mayores esperan más de dos horas.",
        "source": "opinions",
        "dependency": "HG",
        "action_plan": "Habilitar una ventanilla para adultos mayores.",
        "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "cases": "",
    }
    data.update(overrides)
    return data


def test_resolution_staff_create_one_from_several_cases(resolution, make_case, client_for):
    first, second = make_case(centre="HG"), make_case(centre="HG")
    client = client_for(resolution)
    page = client.get(reverse("improvements:new"), {"casos": f"{first.pk},{second.pk}"})
    assert page.status_code == 200
    assert page.context["form"].initial["dependency"] == "Hospital General [HG]"
    response = client.post(reverse("improvements:new"), new_data(cases=f"{first.pk},{second.pk}"))
    assert response.status_code == 302
    opportunity = ImprovementOpportunity.objects.get()
    assert set(opportunity.cases.all()) == {first, second}
    assert opportunity.dependency.code == "HG"
    assert opportunity.events.count() == 1


def test_a_liaison_creates_for_their_own_centre_only(liaison, client_for):
    response = client_for(liaison).post(reverse("improvements:new"), new_data(dependency="UM-ZAC"))
    assert response.status_code == 302
    assert ImprovementOpportunity.objects.get().dependency.code == "HG"


def test_progress_is_recorded_as_history(resolution, liaison, client_for):
    client_for(resolution).post(reverse("improvements:new"), new_data())
    opportunity = ImprovementOpportunity.objects.get()
    url = reverse("improvements:detail", args=[opportunity.pk])
    response = client_for(liaison).post(
        url,
        {"status": "in_progress", "action_plan": "Ventanilla 3 desde el lunes", "note": "Iniciado"},
    )
    assert response.status_code == 302
    client_for(resolution).post(
        url, {"status": "done", "action_plan": "Ventanilla 3 desde el lunes"}
    )
    opportunity.refresh_from_db()
    assert opportunity.status == "done"
    assert opportunity.closed_at is not None
    statuses = list(opportunity.events.values_list("to_status", flat=True))
    assert statuses == ["open", "in_progress", "done"]
    # A finished opportunity keeps its status.
    response = client_for(resolution).post(url, {"status": "open"})
    assert response.status_code == 400
    opportunity.refresh_from_db()
    assert opportunity.status == "done"


def test_the_centre_list_shows_open_actions_of_the_centre(
    resolution, liaison, outsider, client_for
):
    client = client_for(resolution)
    client.post(reverse("improvements:new"), new_data(title="De HG"))
    client.post(reverse("improvements:new"), new_data(title="De Zacamil", dependency="UM-ZAC"))
    titles = [
        o.title
        for o in client_for(liaison).get(reverse("improvements:list")).context["opportunities"]
    ]
    assert titles == ["De HG"]
    titles = [
        o.title
        for o in client_for(outsider).get(reverse("improvements:list")).context["opportunities"]
    ]
    assert titles == ["De Zacamil"]
    assert len(client.get(reverse("improvements:list")).context["opportunities"]) == 2


def test_another_centre_gets_404_and_read_only_roles_403(
    resolution, outsider, analyst, agent, client_for
):
    client_for(resolution).post(reverse("improvements:new"), new_data())
    url = reverse("improvements:detail", args=[ImprovementOpportunity.objects.get().pk])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, {"status": "done"}).status_code == 404
    assert client_for(analyst).get(url).status_code == 200
    assert client_for(analyst).post(url, {"status": "done"}).status_code == 403
    assert client_for(agent).get(url).status_code == 404
    assert client_for(agent).get(reverse("improvements:list")).status_code == 403
    assert client_for(agent).get(reverse("improvements:new")).status_code == 403
    assert ImprovementEvent.objects.count() == 1


def test_a_due_date_in_the_past_is_refused(resolution, client_for):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(resolution).post(reverse("improvements:new"), new_data(due_on=yesterday))
    assert response.status_code == 400
    assert not ImprovementOpportunity.objects.exists()


def test_events_are_append_only(resolution, client_for):
    client_for(resolution).post(reverse("improvements:new"), new_data())
    event = ImprovementEvent.objects.get()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
