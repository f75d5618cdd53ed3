"""The legal deadline wired into requests, on a frozen clock: the stored due date, what the
officer's list and detail show (due date and computed state), across weekends and national
holidays (Semana Santa, 15 September, 2 November, Christmas), with extension and
clarification. Dates worked out by hand on El Salvador's 2026 calendar."""

import re
from datetime import date

import pytest
from django.urls import reverse

from enlace.core.errors import BusinessError
from enlace.oir import actions
from enlace.oir.models import InformationRequest, RequestEvent
from enlace.oir.tests.conftest import at, frozen

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def list_row(client, request: InformationRequest) -> str:
    page = client.get(reverse("oir:list"), {"estado": ""}, **EN)
    assert page.status_code == 200
    match = re.search(rf'<tr id="request-{request.pk}".*?</tr>', page.content.decode(), re.S)
    assert match, "the request is not on the list"
    return match.group(0)


def detail_due(client, request: InformationRequest) -> str:
    page = client.get(reverse("oir:detail", args=[request.pk]), **EN)
    assert page.status_code == 200
    match = re.search(r'<dd id="legal-due">(.*?)</dd>', page.content.decode(), re.S)
    assert match
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_due_soon_overdue_and_very_overdue_across_15_september(register, oir, client_for):
    # Received on Thursday 10 September: 15 September does not count; due Friday 25.
    with frozen(date(2026, 9, 10)):
        request = register(received_at=at(date(2026, 9, 10), 9))
    assert request.due_on == date(2026, 9, 25)
    assert request.number == "OIR-2026-0001"
    client = client_for(oir)
    for today, state, badge in [
        (date(2026, 9, 16), "on_time", None),
        (date(2026, 9, 22), "due_soon", "Due soon"),
        (date(2026, 9, 25), "due_soon", "Due soon"),  # the whole last day is in time
        (date(2026, 9, 28), "overdue", "Overdue"),
        (date(2026, 10, 2), "overdue", "Overdue"),  # five business days late
        (date(2026, 10, 5), "very_overdue", "Very overdue"),
    ]:
        with frozen(today, hour=23):
            row = list_row(client, request)
            assert f'data-state="{state}"' in row, today
            assert "25/09/2026" in row
            shown = detail_due(client, request)
            assert shown.startswith("25/09/2026"), shown
            if badge:
                assert badge in row, today
                assert badge in shown, today
            else:
                assert shown == "25/09/2026"


def test_filters_by_computed_state_in_sql(register, oir, client_for):
    with frozen(date(2026, 9, 10)):
        late = register(received_at=at(date(2026, 9, 10)))
    with frozen(date(2026, 9, 24)):
        fresh = register(received_at=at(date(2026, 9, 24)))
    client = client_for(oir)
    with frozen(date(2026, 10, 5)):
        overdue = client.get(reverse("oir:list"), {"plazo": "very_overdue"}, **EN)
        on_time = client.get(reverse("oir:list"), {"plazo": "due_soon"}, **EN)
    assert [r.pk for r, _items in overdue.context["rows"]] == [late.pk]
    assert [r.pk for r, _items in on_time.context["rows"]] == [fresh.pk]
    assert fresh.due_on == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (date(2026, 3, 30), date(2026, 4, 15), "Semana Santa"),
        (date(2026, 10, 30), date(2026, 11, 16), "2 November"),
        (date(2026, 12, 21), date(2027, 1, 6), "Christmas and New Year"),
        (date(2026, 3, 6), date(2026, 3, 20), "a weekend"),
    ],
)
def test_the_stored_due_date_skips_holidays(register, received, due, why):
    with frozen(received):
        request = register(received_at=at(received))
    assert request.due_on == due, why


def test_information_older_than_five_years_has_twenty_days(register, oir):
    with frozen(date(2026, 3, 30)):
        request = register(received_at=at(date(2026, 3, 30)))
        request = actions.do_set_old_information(request, True, acting_user=oir)
    assert request.due_on == date(2026, 4, 29)


def test_an_extension_adds_five_days_before_the_deadline_and_never_after(register, oir, client_for):
    with frozen(date(2026, 12, 21)):
        request = register(received_at=at(date(2026, 12, 21)))
        other = register(received_at=at(date(2026, 12, 21)))
    assert request.due_on == date(2027, 1, 6)
    # On the last day, with a reason: five more business days.
    with frozen(date(2027, 1, 6)):
        client = client_for(oir)  # logged in on the frozen clock: the session is fresh
        response = client.post(
            reverse("oir:action", args=[request.pk, "prorroga"]),
            {"reason": "La unidad debe revisar expedientes archivados."},
        )
        assert response.status_code == 302
        request.refresh_from_db()
        assert (request.status, request.due_on) == ("extended", date(2027, 1, 13))
        assert "13/01/2027" in detail_due(client, request)
    # The day after the deadline: refused, with the reason, and nothing changes.
    with frozen(date(2027, 1, 7)):
        client = client_for(oir)
        events = RequestEvent.objects.filter(request=other).count()
        response = client.post(
            reverse("oir:action", args=[other.pk, "prorroga"]),
            {"reason": "Tarde"},
            **EN,
        )
        assert response.status_code == 400
        assert "can no longer be extended" in response.content.decode()
        other.refresh_from_db()
        assert (other.extended, other.due_on, other.status) == (
            False,
            date(2027, 1, 6),
            "received",
        )
        assert RequestEvent.objects.filter(request=other).count() == events


def test_a_clarification_stops_the_clock_and_adds_the_days_waited(register, oir, client_for):
    with frozen(date(2026, 3, 30)):
        request = register(received_at=at(date(2026, 3, 30)))
    client = client_for(oir)
    with frozen(date(2026, 3, 31)):
        response = client.post(
            reverse("oir:action", args=[request.pk, "prevencion"]),
            {"question": "¿De qué años necesita los contratos?"},
        )
        assert response.status_code == 302
        request.refresh_from_db()
        assert (request.status, request.due_on) == ("clarification", None)
    # Weeks later the clock is still stopped: no due date, shown as waiting.
    with frozen(date(2026, 4, 7)):
        assert 'data-state="paused"' in list_row(client, request)
        assert "clock stopped" in detail_due(client, request)
    with frozen(date(2026, 4, 8)):
        response = client.post(
            reverse("oir:action", args=[request.pk, "subsanacion"]),
            {"answer": "De 2024 y 2025.", "answered_on": "2026-04-08"},
        )
        assert response.status_code == 302
    request.refresh_from_db()
    # 4 business days waited (31 March was the day asked; 1, 6, 7 and 8 April count).
    assert (request.status, request.due_on, request.paused_days) == (
        "received",
        date(2026, 4, 21),
        4,
    )


def test_with_the_restart_rule_the_count_starts_again_from_the_answer(register, oir, settings):
    settings.OIR_CLARIFICATION_EFFECT = "restart"
    with frozen(date(2026, 9, 10)):
        request = register(received_at=at(date(2026, 9, 10)))
    with frozen(date(2026, 9, 11)):
        actions.do_ask_clarification(request, "¿Qué periodo?", acting_user=oir)
    with frozen(date(2026, 10, 30)):
        request = actions.do_record_clarification(
            request, "2025", date(2026, 10, 30), acting_user=oir
        )
    assert request.due_on == date(2026, 11, 16)  # as if received on 30 October


def test_the_count_may_start_on_the_day_of_receipt(register, settings):
    settings.OIR_COUNT_FROM_NEXT_BUSINESS_DAY = False
    with frozen(date(2026, 3, 6)):
        request = register(received_at=at(date(2026, 3, 6)))
    assert request.due_on == date(2026, 3, 19)


def test_business_days_to_answer_are_stored_on_resolution(register, oir):
    with frozen(date(2026, 3, 30)):
        request = register(received_at=at(date(2026, 3, 30)))
    with frozen(date(2026, 4, 8)):
        item = request.items.get()
        actions.do_decide_item(
            item, actions.Decision(outcome="delivered", answer="Se anexan."), acting_user=oir
        )
        request = actions.do_resolve_request(request, acting_user=oir)
    # 31 March, 1, 6, 7 and 8 April: Semana Santa does not count.
    assert (request.resolved_on, request.business_days_to_answer) == (date(2026, 4, 8), 5)


def test_a_request_received_on_a_holiday_counts_from_the_next_business_day(register):
    with frozen(date(2026, 9, 15)):
        request = register(received_at=at(date(2026, 9, 15)))
    assert request.due_on == date(2026, 9, 29)


def test_a_pending_clarification_blocks_an_extension(register, oir):
    with frozen(date(2026, 9, 10)):
        request = register(received_at=at(date(2026, 9, 10)))
        actions.do_ask_clarification(request, "¿Qué periodo?", acting_user=oir)
        with pytest.raises(BusinessError):
            actions.do_extend_request(request, "Motivo", acting_user=oir)
