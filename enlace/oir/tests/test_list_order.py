"""The officer's list in their work order: open requests by legal due date, the most urgent
first (a stopped clock, without a date, last), by keyset pages in both directions; the order of
arrival on request; a count capped at CASE_LIST_COUNT_LIMIT ("more than ..."); the same
number of queries whatever the page holds; other roles refused."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from enlace.oir import actions
from enlace.oir.models import InformationRequest
from enlace.oir.tests.conftest import at, frozen

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST = reverse("oir:list")


@pytest.fixture
def requests(register, oir):
    """Six requests received on different days, so their due dates differ, and one waiting for
    a clarification (no due date)."""
    made = []
    with frozen(date(2026, 9, 30)):
        for day in (3, 10, 1, 22, 17, 8):  # received in this order, due in another
            made.append(register(received_at=at(date(2026, 9, day), 9)))
        paused = register(received_at=at(date(2026, 9, 29), 9))
        actions.do_ask_clarification(paused, "¿Qué periodo?", acting_user=oir)
    return made, paused


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return [info.number for info, _items in response.context["rows"]]


def by_due(made):
    return [r.number for r in sorted(made, key=lambda r: (r.due_on, r.pk))]


def test_the_default_order_is_the_legal_due_date_most_urgent_first(requests, oir, client_for):
    made, paused = requests
    client = client_for(oir)
    with frozen(date(2026, 9, 30)):
        shown = numbers(client.get(LIST, **EN))
        assert shown == [*by_due(made), paused.number]
        by_arrival = numbers(client.get(LIST, {"orden": "recibida"}, **EN))
    newest_first = sorted([*made, paused], key=lambda r: r.received_at, reverse=True)
    assert by_arrival == [r.number for r in newest_first]


@pytest.mark.parametrize("order", ["plazo", "recibida"])
def test_keyset_pages_go_forward_and_back_in_either_order(
    requests, oir, client_for, settings, order
):
    client = client_for(oir)
    with frozen(date(2026, 9, 30)):
        everything = numbers(client.get(LIST, {"orden": order}))
        settings.CASE_LIST_PAGE_SIZE = 3
        first = client.get(LIST, {"orden": order})
        pages = [numbers(first)]
        response = first
        while response.context["page"].next_cursor:
            response = client.get(
                LIST, {"orden": order, "after": response.context["page"].next_cursor}
            )
            pages.append(numbers(response))
        # 7 rows in pages of 3: the last page holds the clock-stopped one in the work order.
        assert [n for page in pages for n in page] == everything
        assert [len(p) for p in pages] == [3, 3, 1]
        back = client.get(
            LIST, {"orden": order, "before": response.context["page"].previous_cursor}
        )
        assert numbers(back) == pages[1]
        back = client.get(LIST, {"orden": order, "before": back.context["page"].previous_cursor})
        assert numbers(back) == pages[0]
        assert back.context["page"].previous_cursor is None


def test_a_page_cursor_alone_keeps_the_default_filter_of_open_requests(
    requests, oir, client_for, settings
):
    made, _paused = requests
    client = client_for(oir)
    with frozen(date(2026, 9, 30)):
        done = made[0]
        actions.do_decide_item(
            done.items.get(), actions.Decision(outcome="withdrawn"), acting_user=oir
        )
        actions.do_resolve_request(done, acting_user=oir)
        settings.CASE_LIST_PAGE_SIZE = 2
        first = client.get(LIST)
        shown = numbers(first)
        while first.context["page"].next_cursor:
            first = client.get(LIST, {"after": first.context["page"].next_cursor})
            shown += numbers(first)
    assert done.number not in shown
    assert len(shown) == 6


def test_a_cursor_that_is_not_one_shows_the_first_page(requests, oir, client_for):
    client = client_for(oir)
    with frozen(date(2026, 9, 30)):
        first = numbers(client.get(LIST))
        for cursor in ("nonsense", "MjAyNi0xMy0wMXwx", "fA", ""):
            assert numbers(client.get(LIST, {"after": cursor})) == first
            assert numbers(client.get(LIST, {"before": cursor, "orden": "recibida"}))


def test_the_count_is_capped(requests, oir, client_for, settings):
    client = client_for(oir)
    with frozen(date(2026, 9, 30)):
        page = client.get(LIST, **EN)
        assert '<p class="count" id="request-count">7 requests</p>' in page.content.decode()
        settings.CASE_LIST_COUNT_LIMIT = 5
        page = client.get(LIST, **EN)
    assert page.context["page"].count == 5
    assert page.context["page"].count_is_capped
    assert "More than 5 requests" in page.content.decode()


def test_a_page_reads_the_same_number_of_queries_whatever_it_holds(
    register, oir, client_for, django_assert_num_queries
):
    """Session and user, the capped count, the page's rows (the work order reads its dated
    and its undated part), their items, the units of the filter, the mailbox, the bell's
    unread alerts: 10 and 9."""
    client = client_for(oir)
    with frozen(date(2026, 9, 30)):
        register()
        client.get(LIST)  # warm up (the session, content types)
        with django_assert_num_queries(10):
            one = client.get(LIST)
        with django_assert_num_queries(9):
            client.get(LIST, {"orden": "recibida"})
        for day in range(1, 13):
            register(received_at=at(date(2026, 9, day), 9), description=f"Pregunta {day}")
        with django_assert_num_queries(10):
            many = client.get(LIST, {"orden": "plazo", "estado": "open"})
        with django_assert_num_queries(10):
            client.get(LIST, {"after": many.context["page"].next_cursor or "x"})
        with django_assert_num_queries(9):
            by_arrival = client.get(LIST, {"orden": "recibida", "estado": ""})
        with django_assert_num_queries(9):
            client.get(LIST, {"orden": "recibida", "after": "x"})
    assert len(one.context["rows"]) == 1
    assert len(many.context["rows"]) == 13
    assert len(by_arrival.context["rows"]) == 13


@pytest.mark.parametrize("persona", ["liaison", "outsider", "analyst", "agent", "resolution"])
def test_other_roles_may_not_list_in_either_order(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    for order in ("plazo", "recibida"):
        assert client.get(LIST, {"orden": order}).status_code == 403


def test_the_work_order_puts_the_overdue_first(register, oir, client_for):
    with frozen(date(2026, 9, 1)):
        late = register(received_at=at(date(2026, 9, 1), 9))
    with frozen(date(2026, 9, 29)):
        fresh = register()
        client = client_for(oir)
        response = client.get(LIST, **EN)
    rows = response.context["rows"]
    assert [info.pk for info, _ in rows] == [late.pk, fresh.pk]
    assert rows[0][0].deadline_state in ("overdue", "very_overdue")
    assert InformationRequest.objects.get(pk=late.pk).due_on < date(2026, 9, 29) + timedelta(days=1)
