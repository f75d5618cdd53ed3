"""What needs doing: the work queue (/casos/bandeja/), most pressing first, in the user's scope,
in a constant number of queries; and the list's "plazo" filter (due soon / overdue) with its
"Vence" column."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from enlace.cases import actions
from enlace.cases.lifecycle import CaseKind
from enlace.cases.queries import WORK_QUEUE_LIMIT

SV = ZoneInfo("America/El_Salvador")
QUEUE = reverse("cases:queue") + "?vista=equipo"  # everything open in the scope
LIST = reverse("cases:list")


def moment(month, day, hour=9):
    return datetime(2026, month, day, hour, 0, tzinfo=SV)


def at(month, day, hour=9):
    return time_machine.travel(moment(month, day, hour), tick=False)


def queued(client):
    response = client.get(QUEUE)
    assert response.status_code == 200
    return [case.pk for case in response.context["cases"]]


@pytest.fixture
def cases(make_case, resolution):
    """Tuesday 14 April 2026. Acknowledgement is due 3 business days after receipt."""
    with at(4, 14):
        made = {
            "safety": make_case(patient_safety=True, received_at=moment(4, 14, 8)),
            "urgent": make_case(priority="urgent", received_at=moment(4, 14, 8)),
            "high": make_case(priority="high", received_at=moment(4, 14, 8)),
            "overdue": make_case(received_at=moment(4, 1, 10)),
            "soon_older": make_case(received_at=moment(4, 13, 8)),
            "soon_newer": make_case(received_at=moment(4, 13, 10)),
            "zacamil": make_case(centre="UM-ZAC", received_at=moment(4, 14, 7)),
            "answered": make_case(received_at=moment(4, 2, 10)),
            "waiting": make_case(received_at=moment(4, 6, 10)),
            "closed": make_case(received_at=moment(4, 6, 10)),
            "void": make_case(received_at=moment(4, 6, 10)),
            "inquiry_closed": make_case(
                CaseKind.INQUIRY, answered_at_first_contact=True, answer="Sí", centre="HG"
            ),
        }
        actions.do_answer_case(made["answered"], "Respuesta", acting_user=resolution)
        actions.do_wait_for_citizen(made["waiting"], "Copia", acting_user=resolution)
        actions.do_close_case(made["closed"], "Listo", acting_user=resolution)
        actions.do_void_case(made["void"], "Prueba", acting_user=resolution)
    for case in made.values():
        case.refresh_from_db()
    return made


def test_the_due_dates_the_other_tests_rely_on(cases):
    due = {name: case.next_due_on for name, case in cases.items()}
    assert due["overdue"] == date(2026, 4, 8)  # Semana Santa (2 and 3 April) in between
    assert due["soon_older"] == due["soon_newer"] == date(2026, 4, 16)
    assert due["zacamil"] == due["safety"] == date(2026, 4, 17)
    assert due["answered"] is None
    assert due["closed"] is None


def test_the_queue_puts_the_most_pressing_first(resolution, client_for, cases):
    with at(4, 14, 11):
        order = queued(client_for(resolution))
    names = {case.pk: name for name, case in cases.items()}
    assert [names[pk] for pk in order] == [
        "safety",  # patient safety first, whatever its dates
        "urgent",  # then priority
        "high",
        "overdue",  # then the nearest due date
        "soon_older",  # the same due date: the one received first
        "soon_newer",
        "zacamil",
        "answered",  # no open deadline: last
    ]


def test_the_queue_is_the_users_scope(liaison, outsider, analyst, client_for, cases):
    """A liaison sees their centre's open cases; closed, void and waiting ones are not there."""
    with at(4, 14, 11):
        ours = set(queued(client_for(liaison)))
        theirs = queued(client_for(outsider))
        everything = set(queued(client_for(analyst)))
    hg_open = {"safety", "urgent", "high", "overdue", "soon_older", "soon_newer", "answered"}
    assert ours == {cases[name].pk for name in hg_open}
    assert theirs == [cases["zacamil"].pk]
    assert everything == ours | {cases["zacamil"].pk}


def test_the_queue_is_linked_from_the_header(agent, client_for, db):
    html = client_for(agent).get(LIST).content.decode()
    assert f'href="{reverse("cases:queue")}"' in html


def test_an_anonymous_visitor_must_log_in(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_queue_makes_the_same_number_of_queries_for_any_size(
    resolution, client_for, make_case, django_assert_num_queries
):
    client = client_for(resolution)
    client.get(QUEUE)  # warm the session
    for _ in range(3):
        make_case(citizen={"name": "Ana"})
    # The session, the user, the queue itself (its centres and types joined), the counts of
    # its tabs and the bell's unread alerts.
    with django_assert_num_queries(5):
        assert len(client.get(QUEUE).context["cases"]) == 3
    for _ in range(20):
        make_case(CaseKind.INQUIRY, topic="citas", centre="HG", priority="high")
    with django_assert_num_queries(5):
        assert len(client.get(QUEUE).context["cases"]) == 23


def test_the_queue_shows_at_most_its_limit(resolution, client_for, make_case):
    for _ in range(WORK_QUEUE_LIMIT + 1):
        make_case()
    response = client_for(resolution).get(QUEUE)
    assert len(response.context["cases"]) == WORK_QUEUE_LIMIT
    assert response.context["is_full"]


def test_the_queue_shows_due_badges(resolution, client_for, cases):
    with at(4, 14, 11):
        html = client_for(resolution).get(QUEUE).content.decode()
    assert html.count("badge-overdue") == 1  # "overdue", due 8 April
    assert html.count("badge-soon") == 2  # due 16 April, within two days
    assert "badge-safety" in html
    assert "badge-priority-urgent" in html


# --- The list's "plazo" filter -----------------------------------------------------------------
def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {case.pk for case in response.context["page"].cases}


def test_the_list_filters_cases_due_soon_and_overdue(resolution, client_for, cases):
    client = client_for(resolution)
    with at(4, 14, 11):
        soon = listed(client, plazo="pronto")
        overdue = listed(client, plazo="vencido")
        everything = listed(client, plazo="")
        bogus = client.get(LIST, {"plazo": "ayer"})
    # Due between today and two days from now (16 April): both received on the 13th.
    assert soon == {cases["soon_older"].pk, cases["soon_newer"].pk}
    # Due before today: the one received on 1 April, and the one waiting for the citizen, whose
    # acknowledgement (due 9 April) was late before its clock stopped.
    assert overdue == {cases["overdue"].pk, cases["waiting"].pk}
    assert everything == {case.pk for case in cases.values()}
    assert "plazo" in bogus.context["form"].errors
    assert len(bogus.context["page"].cases) == len(cases)


def test_due_soon_includes_today_and_excludes_the_third_day(resolution, client_for, cases):
    client = client_for(resolution)
    with at(4, 16, 11):  # the 16th itself: due today is due soon, not overdue
        assert cases["soon_older"].pk in listed(client, plazo="pronto")
        assert cases["soon_older"].pk not in listed(client, plazo="vencido")
    with at(4, 13, 11):  # three days before the 16th: not yet due soon
        assert cases["soon_older"].pk not in listed(client, plazo="pronto")
    with at(4, 17, 11):  # the day after: overdue
        assert cases["soon_older"].pk in listed(client, plazo="vencido")


def test_the_filter_combines_with_the_others(resolution, client_for, cases):
    client = client_for(resolution)
    with at(4, 14, 11):  # Zacamil's case is due on the 17th: three days away
        assert listed(client, plazo="pronto", dependency="UM-ZAC") == set()
    with at(4, 15, 11):
        assert listed(client, plazo="pronto", dependency="UM-ZAC") == {cases["zacamil"].pk}
        assert listed(client, plazo="pronto", kind="consulta") == set()


def test_the_list_shows_the_next_due_date_with_its_badge(resolution, client_for, cases):
    with at(4, 14, 11):
        html = client_for(resolution).get(LIST, {"status": "open"}).content.decode()
    assert "08/04/2026" in html
    assert "16/04/2026" in html
    assert html.count("badge-soon") == 2
    # The one received on 1 April, and the waiting one whose date has passed.
    assert html.count("badge-overdue") == 2
