"""A requester follows their request on the portal with its number and a second factor (the
e-mail or the identity document number they gave, compared in constant time): its status and
legal due date, the items' outcomes once resolved, and the resolution's PDF once notified. A
wrong number, a wrong factor or another request's factor get one and the same refusal; being
logged in as staff opens nothing; look-ups are rate limited like the portal's tracking."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from enlace.oir import actions
from enlace.oir.tests.conftest import at, frozen

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TRACK = reverse("oir_public:track")
PDF = reverse("oir_public:track_pdf")


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def look_up(client, number, factor, url=TRACK):
    return client.post(url, {"number": number, "factor": factor}, **EN)


def resolve(request, officer):
    actions.do_decide_item(
        request.items.get(),
        actions.Decision(outcome="delivered", answer="Se entrega el listado en PDF."),
        acting_user=officer,
    )
    return actions.do_resolve_request(request, acting_user=officer)


# --- The pages ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_requester_follows_the_request_with_the_email_or_the_document(register, client):
    with frozen(date(2026, 9, 10)):
        request = register(received_at=at(date(2026, 9, 10), 9))
    form = client.get(TRACK, **EN)
    assert form.status_code == 200
    assert 'name="factor"' in form.content.decode()
    for number, factor in [
        (request.number, "maria@example.com"),
        (request.number.lower(), " MARIA@Example.com "),
        ("2026-1", "045678903"),
        (request.number, "04567890-3"),
    ]:
        response = look_up(client, number, factor)
        assert response.status_code == 200, (number, factor)
        html = response.content.decode()
        assert f'<span class="code" id="request-number">{request.number}</span>' in html
        assert '<span id="request-status">Received</span>' in html
        assert '<dd id="legal-due">25/09/2026</dd>' in html
        assert 'id="outcomes"' not in html  # nothing resolved yet
        assert 'id="resolution-form"' not in html
        assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_wrong_numbers_and_factors_get_one_generic_refusal(register, client):
    request = register()
    other = register(email="otra@example.com", document_number="01234567-8")
    refusals = [
        look_up(client, request.number, "otra@example.com"),  # another request's e-mail
        look_up(client, request.number, "01234567-8"),  # another request's document
        look_up(client, request.number, "maria@example"),
        look_up(client, "OIR-2026-9999", "maria@example.com"),
        look_up(client, "ACD23-EFH45", "maria@example.com"),
        look_up(client, request.number, ""),
        look_up(client, request.number, "-"),
    ]
    for response in refusals:
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="not-found"' in html
        assert "We could not find your request" in html
        assert "maria@example" not in html  # the factor typed is not sent back
        assert other.number not in html or other.number == request.number
        assert 'id="request-status"' not in html


@pytest.mark.django_db
def test_staff_logged_in_still_need_the_second_factor(register, oir, client_for):
    request = register()
    client = client_for(oir)
    assert look_up(client, request.number, "someone@example.com").status_code == 400
    assert look_up(client, request.number, "someone@example.com", url=PDF).status_code == 400


@pytest.mark.django_db
def test_too_many_look_ups_are_refused(register, client, settings):
    settings.PORTAL_RATE_LIMITS = {"track": (2, 600)}
    request = register()
    assert look_up(client, request.number, "x@example.com").status_code == 400
    assert look_up(client, request.number, "maria@example.com").status_code == 200
    refused = look_up(client, request.number, "maria@example.com")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # The PDF counts in the same budget.
    assert look_up(client, request.number, "maria@example.com", url=PDF).status_code == 429
    # Another address is not held back.
    other = client.post(
        TRACK, {"number": request.number, "factor": "maria@example.com"}, REMOTE_ADDR="10.0.0.7"
    )
    assert other.status_code == 200


@pytest.mark.django_db
def test_a_stopped_clock_is_shown_as_such(register, oir, client):
    request = register()
    actions.do_ask_clarification(request, "¿De qué año?", acting_user=oir)
    html = look_up(client, request.number, "maria@example.com").content.decode()
    assert "Waiting for your clarification" in html
    assert "stopped until you answer" in html


@pytest.mark.django_db
def test_outcomes_once_resolved_and_the_pdf_once_notified(register, oir, client):
    request = register()
    resolve(request, oir)
    html = look_up(client, request.number, "maria@example.com").content.decode()
    assert '<span id="request-status">Resolved</span>' in html
    assert 'id="outcome-1"' in html
    assert "Delivered in full" in html
    assert "Se entrega el listado en PDF." in html
    assert 'id="resolution-form"' not in html  # resolved, not yet notified
    assert look_up(client, request.number, "maria@example.com", url=PDF).status_code == 400

    actions.do_record_notification(request, "in_person", timezone.localdate(), acting_user=oir)
    html = look_up(client, request.number, "04567890-3").content.decode()
    assert '<span id="request-status">Resolved and notified</span>' in html
    assert 'id="resolution-form"' in html
    assert 'action="/informacion-publica/seguimiento/resolucion.pdf"' in html
    pdf = look_up(client, request.number, "04567890-3", url=PDF)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f"resolucion-{request.number}.pdf" in pdf["Content-Disposition"]
    assert "no-store" in pdf["Cache-Control"]
    # The PDF with a wrong factor, or by GET, is refused.
    assert look_up(client, request.number, "x@example.com", url=PDF).status_code == 400
    assert client.get(PDF).status_code == 405


@pytest.mark.django_db
def test_the_receipt_and_the_public_pages_link_to_tracking(client):
    from enlace.oir.tests.test_public import filing

    data = filing()
    receipt = client.get(client.post(reverse("oir_public:file"), data).url)
    assert f'href="{TRACK}"' in receipt.content.decode()
    for name in ("oir_public:file", "oir_public:register", "oir_public:reserved"):
        assert f'href="{TRACK}"' in client.get(reverse(name)).content.decode(), name
