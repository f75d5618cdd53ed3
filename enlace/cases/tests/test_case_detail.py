"""Opening a case and acting on it from its page."""

import pytest
from django.urls import reverse

from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import CaseEvent, EventKind


def detail(case):
    return reverse("cases:detail", args=[case.pk])


def test_a_supervisor_sees_the_whole_timeline(resolution, agent, make_case, client_for):
    case = make_case(by=agent)
    client = client_for(resolution)
    client.post(reverse("cases:action", args=[case.pk, "comentar"]), {"body": "Llamé al centro."})
    client.post(
        reverse("cases:action", args=[case.pk, "asignar"]), {"dependency": "HG", "reason": ""}
    )
    page = client.get(detail(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.display_code in html
    assert [e.kind for e in page.context["events"]] == [
        EventKind.REGISTERED,
        EventKind.COMMENTED,
        EventKind.ASSIGNED,
    ]
    assert "Llamé al centro." in html


def test_a_liaison_opens_a_case_of_their_centre(liaison, make_case, client_for):
    case = make_case(centre="HG")
    assert client_for(liaison).get(detail(case)).status_code == 200


def test_a_liaison_of_another_centre_gets_404(outsider, make_case, client_for):
    case = make_case(centre="HG")
    client = client_for(outsider)
    assert client.get(detail(case)).status_code == 404
    response = client.post(reverse("cases:action", args=[case.pk, "comentar"]), {"body": "hola"})
    assert response.status_code == 404
    assert not case.events.filter(kind=EventKind.COMMENTED).exists()


def test_a_case_that_does_not_exist_is_404(resolution, client_for):
    assert client_for(resolution).get(reverse("cases:detail", args=[999999])).status_code == 404


def test_the_oir_officer_sees_only_cases_that_came_through_the_oir(oir, make_case, client_for):
    ours = make_case(channel="oir")
    other = make_case(channel="llamada_127")
    client = client_for(oir)
    assert client.get(detail(ours)).status_code == 200
    assert client.get(detail(other)).status_code == 404


def test_a_liaison_may_comment_but_not_assign_or_close(liaison, make_case, client_for):
    case = make_case(centre="HG")
    client = client_for(liaison)
    assert (
        client.post(
            reverse("cases:action", args=[case.pk, "comentar"]), {"body": "Revisado"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("cases:action", args=[case.pk, "asignar"]), {"dependency": "HG"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("cases:action", args=[case.pk, "cerrar"]), {"answer": "x"}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


def test_an_analyst_reads_figures_not_case_pages_and_changes_nothing(
    analyst, make_case, client_for
):
    case = make_case()
    client = client_for(analyst)
    # The case page shows who the citizen is: not for a role that reads figures (403, the
    # case is in its scope).
    assert client.get(detail(case)).status_code == 403
    assert (
        client.post(reverse("cases:action", args=[case.pk, "comentar"]), {"body": "x"}).status_code
        == 403
    )
    assert case.events.count() == 1


def test_resolution_staff_reclassify_assign_and_close(resolution, make_case, client_for):
    case = make_case(type="queja", limitante="tiempo_espera", centre="HG")
    client = client_for(resolution)
    response = client.post(
        reverse("cases:action", args=[case.pk, "clasificar"]),
        {"opinion_type": "reclamo", "limitante": "falta_medicamento", "note": "Es un reclamo"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:action", args=[case.pk, "asignar"]),
        {"dependency": "UM-ZAC", "reason": "Corresponde"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:action", args=[case.pk, "cerrar"]), {"answer": "Se entregó."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.opinion_type.code == "reclamo"
    assert case.dependency.code == "UM-ZAC"
    assert case.level_of_care == "unidad_medica"
    assert case.status == CaseStatus.CLOSED
    assert case.answer == "Se entregó."
    events = list(case.events.order_by("at", "id"))
    assert [e.kind for e in events] == ["registered", "reclassified", "assigned", "closed"]
    assert events[1].changes == {
        "opinion_type": {"from": "Queja", "to": "Reclamo"},
        "limitante": {"from": "Tiempo de espera prolongado", "to": "Falta de medicamento"},
    }
    assert events[2].changes["dependency"] == {
        "from": "Hospital General",
        "to": "Unidad Médica Zacamil",
    }
    assert (events[3].from_status, events[3].to_status) == ("assigned", "closed")


def test_an_agent_closes_an_inquiry_but_not_an_opinion(agent, make_case, client_for):
    inquiry = make_case(CaseKind.INQUIRY)
    opinion = make_case()
    client = client_for(agent)
    assert (
        client.post(
            reverse("cases:action", args=[inquiry.pk, "cerrar"]), {"answer": "Listo"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("cases:action", args=[opinion.pk, "cerrar"]), {"answer": "Listo"}
        ).status_code
        == 403
    )


def test_closing_a_closed_case_is_refused_with_a_message(resolution, make_case, client_for):
    case = make_case()
    client = client_for(resolution)
    client.post(reverse("cases:action", args=[case.pk, "cerrar"]), {"answer": "Primera respuesta"})
    response = client.post(reverse("cases:action", args=[case.pk, "cerrar"]), {"answer": "Otra"})
    # The close form is no longer offered; a stale form posting anyway gets the lifecycle's word.
    assert response.status_code == 400
    assert "no puede pasar a" in response.content.decode()
    case.refresh_from_db()
    assert case.answer == "Primera respuesta"
    assert case.events.filter(kind=EventKind.CLOSED).count() == 1


def test_assigning_to_an_unknown_centre_is_a_form_error(resolution, make_case, client_for):
    case = make_case()
    response = client_for(resolution).post(
        reverse("cases:action", args=[case.pk, "asignar"]), {"dependency": "Hospital de Marte"}
    )
    assert response.status_code == 400
    assert "No existe un centro llamado “Hospital de Marte”" in response.content.decode()


def test_an_empty_comment_is_refused(resolution, make_case, client_for):
    case = make_case()
    response = client_for(resolution).post(
        reverse("cases:action", args=[case.pk, "comentar"]), {"body": " "}
    )
    assert response.status_code == 400
    assert case.events.count() == 1


def test_events_are_append_only(make_case):
    event = make_case().events.get()
    event.note = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_the_page_shows_other_cases_of_the_same_person(resolution, make_case, client_for):
    person = {"name": "Ana", "phone": "+50371234567"}
    first = make_case(citizen=person)
    second = make_case(CaseKind.INQUIRY, citizen=person)
    page = client_for(resolution).get(detail(second))
    assert page.context["earlier"] == [first]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("comentar", {"body": "x"}),
        ("clasificar", {"opinion_type": "queja"}),
        ("asignar", {"dependency": "UM-ZAC"}),
        ("cerrar", {"answer": "x"}),
    ],
)
def test_every_action_refuses_other_centres_and_read_only_roles(
    name, data, outsider, analyst, make_case, client_for
):
    case = make_case(centre="HG")
    url = reverse("cases:action", args=[case.pk, name])
    assert client_for(outsider).post(url, data).status_code == 404
    assert client_for(analyst).post(url, data).status_code == 403
    assert client_for(analyst).get(url).status_code == 405
    case.refresh_from_db()
    assert (case.status, case.opinion_type.code, case.dependency.code) == (
        "received",
        "reclamo",
        "HG",
    )
    assert case.events.count() == 1


def test_a_punto_seguro_agent_sees_only_their_centre(punto_seguro, make_case, client_for):
    ours = make_case(centre="HG")
    theirs = make_case(centre="UM-ZAC")
    client = client_for(punto_seguro)
    assert client.get(detail(ours)).status_code == 200
    assert client.get(detail(theirs)).status_code == 404
    listed = {c.pk for c in client.get(reverse("cases:list")).context["page"].cases}
    assert listed == {ours.pk}


@pytest.mark.django_db
def test_empty_choices_read_choose_not_dashes(agent, resolution, client_for, make_case):
    case = make_case(to_classify=True, opinion_type=None, limitante=None)
    pages = [
        client_for(agent).get("/casos/nuevo/", headers={"accept-language": "es"}),
        client_for(resolution).get(f"/casos/{case.pk}/", headers={"accept-language": "es"}),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "---------" not in html
        assert "Elija…" in html


@pytest.mark.django_db
def test_a_case_outside_the_scope_is_the_consoles_not_found_with_debug_on_too(
    settings, outsider, client_for, make_case
):
    settings.DEBUG = True
    case = make_case(centre="HG")
    response = client_for(outsider).get(f"/casos/{case.pk}/", headers={"accept-language": "es"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No encontrado" in html
    assert "DEBUG" not in html
