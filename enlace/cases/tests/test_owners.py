"""A case's owner: the person of its team or centre working it. Given or taken through one
action (`do_set_owner`), each change a history row, the person given it told by e-mail; "my
cases" in the list and the queue; each role lands on its own start page."""

from django.urls import reverse

from conftest import make_user
from enlace.accounts.models import Role
from enlace.cases import actions
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.directory.models import Dependency
from enlace.notifications.models import Notification, NotificationKind


def step(case, slug):
    return reverse("cases:action", args=[case.pk, slug])


def owner_of(case):
    return Case.objects.get(pk=case.pk).owner


def test_resolution_gives_a_case_to_a_liaison_of_its_centre_who_is_told(
    make_case, resolution, liaison, client_for
):
    liaison.email = "bruno@hospital.example"
    liaison.save()
    case = make_case(centre="HG")
    response = client_for(resolution).post(
        step(case, "responsable"), {"owner": liaison.username, "note": "Revíselo hoy"}
    )
    assert response.status_code == 302
    assert owner_of(case) == liaison
    event = CaseEvent.objects.get(case=case, kind=EventKind.OWNER_SET)
    assert event.actor == resolution
    assert event.changes == {"owner": {"from": "", "to": "bruno"}}
    assert event.note == "Revíselo hoy"
    told = Notification.objects.get(case=case, kind=NotificationKind.OWNERSHIP)
    assert told.recipient == "bruno@hospital.example"
    assert case.display_code in told.subject
    # The page names the owner; the liaison finds it in their own cases.
    page = client_for(resolution).get(reverse("cases:detail", args=[case.pk]))
    assert 'id="case-owner">bruno<' in page.content.decode()
    mine = client_for(liaison).get(reverse("cases:queue"))
    assert [c.pk for c in mine.context["cases"]] == [case.pk]
    listed = client_for(liaison).get(reverse("cases:list"), {"responsable": "mios"})
    assert [c.pk for c in listed.context["page"].cases] == [case.pk]


def test_taking_a_case_oneself_tells_nobody(make_case, liaison, client_for):
    liaison.email = "bruno@hospital.example"
    liaison.save()
    case = make_case(centre="HG")
    assert client_for(liaison).post(step(case, "tomar"), {}).status_code == 302
    assert owner_of(case) == liaison
    assert not Notification.objects.filter(kind=NotificationKind.OWNERSHIP).exists()
    # Taking it twice is refused, and changes nothing.
    response = client_for(liaison).post(step(case, "tomar"), {})
    assert response.status_code == 400
    assert "ya está con esa persona" in response.content.decode()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.OWNER_SET).count() == 1


def test_a_person_outside_the_team_or_centre_cannot_be_given_the_case(
    make_case, resolution, liaison, outsider, client_for
):
    case = make_case(centre="HG")
    # A liaison of another centre does not see the case: not offered, refused if posted.
    response = client_for(resolution).post(step(case, "responsable"), {"owner": outsider.username})
    assert response.status_code == 400
    assert owner_of(case) is None
    # A liaison gives within their centre's people only, not to the resolution section.
    response = client_for(liaison).post(step(case, "responsable"), {"owner": resolution.username})
    assert response.status_code == 400
    assert owner_of(case) is None
    colleague = make_user("berta", Role.LIAISON, "HG")
    response = client_for(liaison).post(step(case, "responsable"), {"owner": colleague.username})
    assert response.status_code == 302
    assert owner_of(case) == colleague


def test_the_choice_offers_only_people_who_see_the_case(make_case, resolution, liaison, outsider):
    from enlace.cases.queries import owner_candidates

    agent = make_user("alicia", Role.AGENT)
    analyst = make_user("andres", Role.ANALYST)
    case = make_case(centre="HG")
    offered = set(owner_candidates(case, resolution))
    assert {resolution, liaison, agent} <= offered
    assert outsider not in offered  # another centre
    assert analyst not in offered  # reads cases, does not work them
    # An aviso de denuncia not yet triaged is not offered to its centre's people.
    denuncia = make_case(centre="HG", type="denuncia")
    assert liaison not in set(owner_candidates(denuncia, resolution))


def test_roles_without_the_need_and_other_centres_are_refused(
    make_case, analyst, outsider, client_for
):
    case = make_case(centre="HG")
    for slug in ("tomar", "responsable"):
        assert client_for(analyst).post(step(case, slug), {}).status_code == 403
        assert client_for(outsider).post(step(case, slug), {}).status_code == 404
    assert owner_of(case) is None


def test_a_transfer_takes_the_case_from_the_old_centres_person(
    make_case, resolution, liaison, client_for
):
    case = make_case(centre="HG")
    actions.do_set_owner(case, liaison, acting_user=resolution)
    zacamil = Dependency.objects.get(code="UM-ZAC")
    actions.do_assign_case(case, zacamil, acting_user=resolution)
    assert owner_of(case) is None
    event = CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).latest("id")
    assert event.changes["owner"] == {"from": "bruno", "to": ""}
    # The resolution section's person keeps it wherever it goes.
    other = make_case(centre="HG")
    actions.do_set_owner(other, resolution, acting_user=resolution)
    actions.do_assign_case(other, zacamil, acting_user=resolution)
    assert owner_of(other) == resolution


def test_the_queue_tabs_mine_nobodys_and_the_teams(make_case, agent, resolution, client_for):
    registered = make_case(by=agent)  # registered by the agent, nobody has taken it
    taken = make_case()
    actions.do_set_owner(taken, resolution, acting_user=resolution)
    free = make_case()
    client = client_for(agent)

    def tab(view):
        response = client.get(reverse("cases:queue"), {"vista": view})
        assert response.status_code == 200
        return {case.pk for case in response.context["cases"]}, response

    mine, response = tab("mios")
    assert mine == {registered.pk}
    assert [n for _, _, n in response.context["views"]] == [1, 2, 3]
    assert tab("sin-responsable")[0] == {registered.pk, free.pk}
    assert tab("equipo")[0] == {registered.pk, taken.pk, free.pk}
    assert tab("cualquiera")[0] == mine  # an unknown tab is the user's own


def test_each_role_starts_on_its_own_page(db, client_for, agent, liaison, analyst):
    start = reverse("start")
    assert client_for(agent).get(start).url == reverse("cases:queue")
    assert client_for(liaison).get(start).url == reverse("cases:queue")
    assert client_for(analyst).get(start).url == reverse("cases:list")
    communications = make_user("cora", Role.COMMUNICATIONS)
    assert client_for(communications).get(start).url == reverse("participation:events")
    assert reverse("start") in client_for(agent).get(reverse("accounts:login")).url


def test_the_api_runs_the_same_step(make_case, resolution, liaison):
    from enlace.apikeys.testing import KeyClient, make_key

    case = make_case(centre="HG")
    _key, raw = make_key(name="integración", role=Role.RESOLUTION)
    response = KeyClient(raw).post(
        f"/api/v1/cases/{case.display_code}/owner",
        {"owner": liaison.username},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert owner_of(case) == liaison
