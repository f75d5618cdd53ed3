"""The case list as a helpdesk user expects it: sortable columns, the filters in force shown
and removable, saved views (one's own and shared), steps on a selection of rows through the
same actions (one history row each), an export of the selection, and the first words of each
case for whoever sees personal data (logged)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from conftest import make_user
from enlace.accounts.models import Role
from enlace.cases import actions
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, EventKind, SavedView
from enlace.privacy.models import AccessVia, PersonalDataAccess

URL = reverse("cases:list")
BULK = reverse("cases:bulk")
SV = ZoneInfo("America/El_Salvador")


def listed(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].cases], response


def test_sorted_by_received_either_way_and_by_the_nearest_due_date(
    make_case, resolution, client_for
):
    old = make_case(received_at=datetime(2026, 3, 2, 9, tzinfo=SV))
    middle = make_case(received_at=datetime(2026, 3, 9, 9, tzinfo=SV))
    new = make_case(received_at=datetime(2026, 3, 16, 9, tzinfo=SV))
    actions.do_close_case(middle, "Listo", acting_user=resolution)  # no due date any more
    Case.objects.filter(pk=old.pk).update(next_due_on=date(2026, 5, 4))
    Case.objects.filter(pk=new.pk).update(next_due_on=date(2026, 4, 1))
    client = client_for(resolution)
    assert listed(client)[0] == [new.pk, middle.pk, old.pk]
    assert listed(client, orden="antiguos")[0] == [old.pk, middle.pk, new.pk]
    shown, response = listed(client, orden="vence")
    assert shown == [new.pk, old.pk]  # only the cases with an open deadline, nearest first
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    assert listed(client, orden="cualquiera")[0] == [new.pk, middle.pk, old.pk]


def test_sorted_pages_follow_each_other_without_gaps(make_case, resolution, client_for, settings):
    settings.CASE_LIST_PAGE_SIZE = 2
    made = [make_case() for _ in range(5)]
    for offset, case in enumerate(made):
        Case.objects.filter(pk=case.pk).update(next_due_on=date(2026, 6, 1 + offset % 3))
    client = client_for(resolution)
    seen: list[int] = []
    query = {"orden": "vence"}
    while True:
        response = client.get(URL, query)
        page = response.context["page"]
        seen += [case.pk for case in page.cases]
        if not page.next_cursor:
            break
        query = {"orden": "vence", "after": page.next_cursor}
    expected = sorted(made, key=lambda case: (Case.objects.get(pk=case.pk).next_due_on, case.pk))
    assert seen == [case.pk for case in expected]
    # And back: the page before the last is the one seen before it.
    back = client.get(URL, {"orden": "vence", "before": page.previous_cursor}).context["page"]
    assert [case.pk for case in back.cases] == seen[2:4]


def test_the_filters_in_force_are_shown_each_with_a_link_that_removes_it(
    make_case, resolution, client_for
):
    make_case()
    _shown, response = listed(client_for(resolution), kind="opinion", status="open", q="farmacia")
    chips = response.context["active_filters"]
    assert {(str(chip.label), chip.value) for chip in chips} == {
        ("Clase", "Opinión"),
        ("Estado", "Abiertos (cualquier estado)"),
        ("Buscar", "farmacia"),
    }
    removing_kind = next(chip for chip in chips if chip.value == "Opinión").remove_query
    assert "kind=" not in removing_kind
    assert "status=open" in removing_kind


def test_a_saved_view_is_ones_own_or_shared_and_only_its_owner_deletes_it(
    make_case, resolution, liaison, client_for
):
    client = client_for(resolution)
    response = client.post(
        reverse("cases:view_save"),
        {"name": "Urgentes del HG", "back": "status=open&after=abc&plazo=vencido"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert (view.owner, view.query, view.shared) == (resolution, "status=open&plazo=vencido", False)
    assert response["Location"] == f"{URL}?status=open&plazo=vencido"
    # Saving under the same name replaces it; sharing shows it to the others.
    client.post(
        reverse("cases:view_save"),
        {"name": "Urgentes del HG", "back": "plazo=pronto", "shared": "on"},
    )
    view.refresh_from_db()
    assert (view.query, view.shared, SavedView.objects.count()) == ("plazo=pronto", True, 1)
    _shown, page = listed(client_for(liaison))
    assert [v.name for v in page.context["saved_views"]] == ["Urgentes del HG"]
    assert "?plazo=pronto" in page.content.decode()
    # Another person's view: not theirs to delete.
    delete = reverse("cases:view_delete", args=[view.pk])
    assert client_for(liaison).post(delete).status_code == 404
    assert client.post(delete).status_code == 302
    assert not SavedView.objects.exists()
    # A view needs a name.
    client.post(reverse("cases:view_save"), {"name": "  ", "back": ""})
    assert not SavedView.objects.exists()


def test_twenty_cases_given_to_a_person_at_once_make_twenty_history_rows(
    make_case, resolution, liaison, client_for
):
    cases = [make_case(centre="HG") for _ in range(20)]
    zacamil = make_case(centre="UM-ZAC")  # its centre's people only: the liaison is not
    response = client_for(resolution).post(
        BULK,
        {
            "ids": [case.pk for case in cases] + [zacamil.pk],
            "step": "responsable",
            "owner": liaison.username,
            "back": "status=open",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?status=open"
    assert Case.objects.filter(owner=liaison).count() == 20
    assert CaseEvent.objects.filter(kind=EventKind.OWNER_SET).count() == 20
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[0] == "20 casos hechos."
    assert messages[1].startswith(zacamil.display_code)


def test_priority_and_closing_inquiries_on_a_selection(make_case, resolution, agent, client_for):
    opinions = [make_case() for _ in range(3)]
    client_for(resolution).post(
        BULK, {"ids": [case.pk for case in opinions], "step": "prioridad", "priority": "high"}
    )
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in opinions]).values_list("priority", flat=True)
    ) == {"high"}
    assert CaseEvent.objects.filter(kind=EventKind.RECLASSIFIED).count() == 3
    inquiries = [make_case(CaseKind.INQUIRY) for _ in range(2)]
    opinion = make_case()
    response = client_for(agent).post(
        BULK,
        {
            "ids": [case.pk for case in [*inquiries, opinion]],
            "step": "cerrar-consultas",
            "answer": "Atendemos de 7 a 15 horas.",
        },
    )
    assert response.status_code == 302
    statuses = dict(
        Case.objects.filter(pk__in=[c.pk for c in [*inquiries, opinion]]).values_list(
            "pk", "status"
        )
    )
    assert [statuses[case.pk] for case in inquiries] == [CaseStatus.CLOSED, CaseStatus.CLOSED]
    assert statuses[opinion.pk] != CaseStatus.CLOSED
    # An agent does not change priorities: refused as a whole, nothing changed.
    client_for(agent).post(BULK, {"ids": [opinion.pk], "step": "prioridad", "priority": "urgent"})
    assert Case.objects.get(pk=opinion.pk).priority == "normal"


def test_a_selection_outside_ones_scope_or_role_changes_nothing(
    make_case, analyst, outsider, liaison, client_for
):
    case = make_case(centre="HG")
    # An analyst takes no step on cases: no step is offered, a posted one is refused.
    client_for(analyst).post(
        BULK, {"ids": [case.pk], "step": "responsable", "owner": liaison.username}
    )
    # A liaison of another centre does not even see it.
    client_for(outsider).post(
        BULK, {"ids": [case.pk], "step": "responsable", "owner": outsider.username}
    )
    assert Case.objects.get(pk=case.pk).owner is None
    assert not CaseEvent.objects.filter(kind=EventKind.OWNER_SET).exists()
    # A step is a POST; an anonymous visitor is sent to log in.
    assert client_for(analyst).get(BULK).status_code == 405
    from django.test import Client

    response = Client().post(BULK, {"ids": [case.pk], "step": "prioridad"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_selection_is_exported_within_the_scope(make_case, resolution, outsider, client_for):
    chosen = [make_case(centre="HG") for _ in range(2)]
    make_case(centre="HG")  # not ticked
    response = client_for(resolution).get(
        reverse("cases:export"), {"ids": [case.pk for case in chosen], "formato": "csv"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = [line for line in body.splitlines()[1:] if line.strip()]
    assert len(rows) == 2
    assert all(case.display_code in body for case in chosen)
    # A liaison of another centre exports nothing of them; a typo is a clear 400.
    other = client_for(outsider).get(
        reverse("cases:export"), {"ids": [chosen[0].pk], "formato": "csv"}
    )
    assert chosen[0].display_code not in b"".join(other.streaming_content).decode()
    assert client_for(resolution).get(reverse("cases:export"), {"ids": "x"}).status_code == 400


def test_the_first_words_of_each_case_for_who_sees_personal_data_and_logged(
    make_case, resolution, analyst, client_for
):
    case = make_case(description="No hay insulina en la farmacia del hospital desde el lunes")
    _shown, response = listed(client_for(resolution))
    assert "No hay insulina" in response.content.decode()
    logged = PersonalDataAccess.objects.get(via=AccessVia.CASE_LIST)
    assert (logged.user, logged.case_id) == (resolution, case.pk)
    _shown, response = listed(client_for(analyst))
    assert "No hay insulina" not in response.content.decode()
    assert PersonalDataAccess.objects.filter(via=AccessVia.CASE_LIST).count() == 1


def test_the_keyboard_shortcuts_are_listed(resolution, client_for, make_case):
    make_case()
    html = client_for(resolution).get(URL).content.decode()
    assert 'id="shortcuts"' in html
    assert "<kbd>j</kbd>" in html
    assert "cases/list_keys.js" in html


def test_a_shared_view_applies_in_each_persons_scope(make_case, resolution, client_for):
    hg = make_case(centre="HG")
    make_case(centre="UM-ZAC")
    SavedView.objects.create(owner=resolution, name="Abiertos", query="status=open", shared=True)
    colleague = make_user("berta", Role.LIAISON, "HG")
    shown, _response = listed(client_for(colleague), status="open")
    assert shown == [hg.pk]
