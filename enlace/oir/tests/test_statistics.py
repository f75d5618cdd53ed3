"""The statistics of a period match a set of requests counted by hand, the same on the page, in
the XLSX and in the JSON API; the API is refused to roles without access."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enlace.directory.models import Dependency
from enlace.oir import actions
from enlace.oir.models import ReservedEntry
from enlace.oir.statistics import Period, oir_statistics
from enlace.oir.tests.conftest import at, frozen

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def decide(request, oir, *outcomes, entry=None):
    items = list(request.items.order_by("position"))
    for position, outcome in enumerate(outcomes, start=1):
        if position > len(items):
            items.append(actions.do_add_item(request, f"Parte {position}", acting_user=oir))
        decision = {
            "delivered": actions.Decision(outcome="delivered", answer="Se entrega."),
            "nonexistent": actions.Decision(outcome="nonexistent", answer="No existe."),
            "reserved": actions.Decision(outcome="reserved", reserved_entry=entry),
            "confidential": actions.Decision(outcome="confidential", confidential_ground="art24_a"),
        }[outcome]
        actions.do_decide_item(items[position - 1], decision, acting_user=oir)


@pytest.fixture
def march(register, oir):
    """Six requests; the comments say what each counts for in March 2026."""
    with frozen(date(2026, 1, 5)):
        entry = ReservedEntry.objects.create(
            reference="IR-1",
            information="Planes de seguridad",
            dependency=Dependency.objects.get(code="HG"),
            legal_article="Art. 19 lit. d LAIP",
            cause="Seguridad.",
            classified_on=date(2026, 1, 5),
            period_years=3,
        )
    # E: received on 27 February (not counted as received), resolved on 6 March after 5
    # business days; a complaint filed on 6 March, dismissed on 20 March.
    with frozen(date(2026, 2, 27)):
        e = register(received_at=at(date(2026, 2, 27)), channel="email")
    with frozen(date(2026, 3, 6)):
        decide(e, oir, "delivered")
        actions.do_resolve_request(e, acting_user=oir)
        appeal = actions.do_record_appeal(
            e,
            kind="complaint",
            case_number="NUE-10-2026",
            filed_on=date(2026, 3, 6),
            acting_user=oir,
        )
    with frozen(date(2026, 3, 20)):
        actions.do_decide_appeal(
            appeal, outcome="dismissed", decided_on=date(2026, 3, 20), acting_user=oir
        )
    # A: 2 March, portal, a woman; two items (delivered, non-existent); resolved on 9 March
    # (5 business days), notified by e-mail that day.
    with frozen(date(2026, 3, 2)):
        a = register(received_at=at(date(2026, 3, 2)), channel="portal", gender="female")
    with frozen(date(2026, 3, 9)):
        decide(a, oir, "delivered", "nonexistent")
        actions.do_resolve_request(a, acting_user=oir)
        actions.do_record_notification(a, "email", date(2026, 3, 9), acting_user=oir)
    # B: 3 March, in person, a juridical person; more than five years old, extended on
    # 5 March; one item reserved; resolved on 31 March (20 business days), notified in person
    # and appealed that day (pending).
    with frozen(date(2026, 3, 3)):
        b = register(
            received_at=at(date(2026, 3, 3)),
            person_type="juridical",
            gender="unstated",
            document_type="nit",
            document_number="0614-010190-101-1",
        )
        actions.do_set_old_information(b, True, acting_user=oir)
    with frozen(date(2026, 3, 5)):
        actions.do_extend_request(b, "Archivo histórico", acting_user=oir)
    with frozen(date(2026, 3, 31)):
        decide(b, oir, "reserved", entry=entry)
        actions.do_resolve_request(b, acting_user=oir)
        actions.do_record_notification(b, "in_person", date(2026, 3, 31), acting_user=oir)
        actions.do_record_appeal(
            b,
            kind="appeal",
            case_number="NUE-22-A-2026",
            filed_on=date(2026, 3, 31),
            acting_user=oir,
        )
    # C: 4 March, e-mail, a man; confidential; resolved on 10 March (4 days), not notified.
    with frozen(date(2026, 3, 4)):
        c = register(received_at=at(date(2026, 3, 4)), channel="email", gender="male")
    with frozen(date(2026, 3, 10)):
        decide(c, oir, "confidential")
        actions.do_resolve_request(c, acting_user=oir)
    # D: 5 March, portal, a woman; still open.
    with frozen(date(2026, 3, 5)):
        register(received_at=at(date(2026, 3, 5)), channel="portal", gender="female")
    # F: 2 April: outside the period in every respect.
    with frozen(date(2026, 4, 2)):
        f = register(received_at=at(date(2026, 4, 2)))
        decide(f, oir, "delivered")
        actions.do_resolve_request(f, acting_user=oir)


HAND_COUNTED = {
    "period": {"from": "2026-03-01", "to": "2026-03-31"},
    "requests": {
        "received": 4,  # A, B, C, D
        "by_status": {
            "received": 1,
            "clarification": 0,
            "in_process": 0,
            "extended": 0,
            "resolved": 1,
            "notified": 2,
        },
        "by_channel": {"portal": 2, "email": 1, "in_person": 1},
        "by_person_type": {"natural": 3, "juridical": 1},
        "by_gender": {"female": 2, "male": 1, "unstated": 1},
        "extended": 1,
        "old_information": 1,
    },
    "items": {
        "total": 5,  # of A, B, C and D, received in March
        "decided": 5,  # of A, B, C and E, resolved in March: the outcomes of the same requests
        "by_outcome": {
            "delivered": 2,
            "partial": 0,
            "reserved": 1,
            "confidential": 1,
            "nonexistent": 1,
            "not_competent": 0,
            "withdrawn": 0,
        },
    },
    "answer_time": {
        # A 5, C 4, E 5 under the 10-day rule; B 20 under the five-year rule.
        "all": {"resolved": 4, "average_business_days": 8.5, "median_business_days": 5.0},
        "ten_days": {"resolved": 3, "average_business_days": 4.7, "median_business_days": 5.0},
        "old_information": {
            "resolved": 1,
            "average_business_days": 20.0,
            "median_business_days": 20.0,
        },
        "resolved": 4,
        "resolved_in_time": 4,
    },
    "notification": {
        "notified": 2,
        "by_medium": {"email": 1, "in_person": 1, "address": 0, "other": 0},
    },
    "appeals": {
        "filed": 2,
        "by_kind": {"appeal": 1, "complaint": 1},
        "results": {
            "appeal": {
                "pending": 1,
                "confirmed": 0,
                "revoked": 0,
                "modified": 0,
                "inadmissible": 0,
                "withdrawn": 0,
            },
            "complaint": {
                "pending": 0,
                "inadmissible": 0,
                "withdrawn": 0,
                "upheld": 0,
                "dismissed": 1,
            },
        },
    },
}


def test_the_figures_match_the_hand_count(march):
    assert oir_statistics(Period(date(2026, 3, 1), date(2026, 3, 31))) == HAND_COUNTED


def test_the_page_the_xlsx_and_the_api_show_the_same_figures(march, oir, client_for):
    client = client_for(oir)
    page = client.get(reverse("oir:statistics"), MARCH)
    assert page.status_code == 200
    assert page.context["report"] == HAND_COUNTED
    html = page.content.decode()
    assert '<dd id="received">4</dd>' in html
    assert '<dd id="items">5</dd>' in html

    xlsx = client.get(reverse("oir:statistics"), {**MARCH, "formato": "xlsx"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert 4 in summary.values()
    assert 5 in summary.values()
    times = list(book.worksheets[2].iter_rows(values_only=True))
    assert times[1][1:] == (3, 4.7, 5.0)
    assert times[3][1:] == (4, 8.5, 5.0)

    api = client.get("/api/v1/reports/oir", MARCH)
    assert api.status_code == 200
    assert api.json() == HAND_COUNTED


def test_a_bad_period_is_refused_with_a_message(oir, client_for):
    client = client_for(oir)
    page = client.get(
        reverse("oir:statistics"),
        {"from": "2026-04-01", "to": "2026-03-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400
    assert "The period ends before it starts." in page.content.decode()
    api = client.get("/api/v1/reports/oir", {"from": "2026-04-01", "to": "2026-03-01"})
    assert api.status_code in (400, 422)
    assert client.get("/api/v1/reports/oir", {"from": "ayer", "to": "hoy"}).status_code in (
        400,
        422,
    )


def test_the_api_is_refused_to_roles_without_access(liaison, agent, client_for, client):
    for user in (liaison, agent):
        assert client_for(user).get("/api/v1/reports/oir", MARCH).status_code == 403
    assert client.get("/api/v1/reports/oir", MARCH).status_code == 401
