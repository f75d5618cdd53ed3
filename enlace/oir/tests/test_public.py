"""The public pages: a citizen files a request on the portal and gets a receipt (number, date,
time, medium); a double submit is one request; a robot that fills the honeypot stores nothing;
too many submissions are refused; the register shows resolved requests without personal
data; the index of reserved information is public."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from enlace.notifications.models import Notification
from enlace.oir import actions
from enlace.oir.models import InformationRequest

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def filing(**overrides):
    data = {
        "token": str(uuid.uuid4()),
        "description": "Número de consultas de especialidad atendidas en 2025 por hospital.",
        "delivery_mode": "electronic",
        "requester_name": "Carmen Flores",
        "person_type": "natural",
        "gender": "female",
        "document_type": "dui",
        "document_number": "045678903",
        "notify_by": "email",
        "email": "Carmen@Example.com",
        "address": "",
        "phone": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_a_citizen_files_a_request_and_gets_a_receipt(client):
    form = client.get(reverse("oir_public:file"), **EN)
    assert form.status_code == 200
    assert "You do not have to say why" in form.content.decode()
    data = filing()
    response = client.post(reverse("oir_public:file"), data)
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert response.url == reverse("oir_public:receipt", args=[data["token"]])
    assert (request.channel, request.email, request.document_number) == (
        "portal",
        "carmen@example.com",
        "04567890-3",
    )
    assert request.created_by is None
    receipt = client.get(response.url, **EN)
    html = receipt.content.decode()
    local = timezone.localtime(request.received_at)
    assert f'<strong class="code big" id="request-number">{request.number}</strong>' in html
    assert f'<dd id="receipt-date">{local:%d/%m/%Y}</dd>' in html
    assert f'<dd id="receipt-time">{local:%H:%M}</dd>' in html
    assert '<dd id="receipt-channel">Web portal</dd>' in html
    assert f"{request.due_on:%d/%m/%Y}" in html
    mail = Notification.objects.get(kind="oir_receipt")
    assert mail.recipient == "carmen@example.com"
    assert request.number in mail.body

    # The same form posted again (a double click) is the same request.
    again = client.post(reverse("oir_public:file"), data)
    assert again.status_code == 302
    assert InformationRequest.objects.count() == 1


def test_an_incomplete_request_is_refused_with_its_messages(client):
    response = client.post(
        reverse("oir_public:file"), filing(description="", email="", notify_by="email"), **EN
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Describe clearly the information requested." in html
    assert "Write the e-mail where you are to be notified." in html
    assert 'id="error-summary"' in html
    assert not InformationRequest.objects.exists()


def test_a_robot_gets_a_receipt_and_nothing_is_stored(client):
    response = client.post(reverse("oir_public:file"), filing(website="http://spam.example"))
    assert response.status_code == 200
    assert re.search(r"OIR-\d{4}-\d{4}", response.content.decode())
    assert not InformationRequest.objects.exists()


def test_too_many_submissions_are_refused(client, settings):
    settings.PORTAL_RATE_LIMITS = {"submit": (2, 3600)}
    for _ in range(2):
        assert client.post(reverse("oir_public:file"), filing()).status_code == 302
    response = client.post(reverse("oir_public:file"), filing())
    assert response.status_code == 429
    assert "Retry-After" in response
    assert InformationRequest.objects.count() == 2


def test_an_unknown_receipt_is_not_found(client):
    assert client.get(reverse("oir_public:receipt", args=[uuid.uuid4()])).status_code == 404


def test_the_register_shows_resolved_requests_without_personal_data(register, oir, client):
    published = register(requester_name="Pedro Secreto", email="pedro@example.com")
    actions.do_decide_item(
        published.items.get(),
        actions.Decision(outcome="delivered", answer="Se entrega el listado."),
        acting_user=oir,
    )
    actions.do_resolve_request(
        published,
        public_summary="Listado de medicamentos comprados en 2025 y su precio.",
        publish=True,
        acting_user=oir,
    )
    unpublished = register()
    actions.do_decide_item(
        unpublished.items.get(), actions.Decision(outcome="withdrawn"), acting_user=oir
    )
    actions.do_resolve_request(unpublished, acting_user=oir)
    still_open = register()

    listing = client.get(reverse("oir_public:register"), **EN)
    html = listing.content.decode()
    assert published.number in html
    assert "Listado de medicamentos" in html
    assert unpublished.number not in html
    assert still_open.number not in html
    assert "Pedro Secreto" not in html
    assert "pedro@example.com" not in html
    found = client.get(reverse("oir_public:register"), {"q": "medicamentos"}, **EN)
    assert published.number in found.content.decode()
    none = client.get(reverse("oir_public:register"), {"q": "vacunas"}, **EN)
    assert published.number not in none.content.decode()

    entry = client.get(reverse("oir_public:entry", args=[published.number]), **EN)
    text = entry.content.decode()
    assert entry.status_code == 200
    assert "Delivered in full" in text
    assert "Pedro Secreto" not in text
    assert "04567890-3" not in text
    for hidden in (unpublished, still_open):
        assert client.get(reverse("oir_public:entry", args=[hidden.number])).status_code == 404


def test_publishing_needs_a_summary_and_a_resolution(register, oir):
    request = register()
    with pytest.raises(actions.BusinessError):
        actions.do_publish_request(request, published=True, public_summary="x", acting_user=oir)
    actions.do_decide_item(
        request.items.get(), actions.Decision(outcome="withdrawn"), acting_user=oir
    )
    actions.do_resolve_request(request, acting_user=oir)
    with pytest.raises(actions.BusinessError) as refused:
        actions.do_publish_request(request, published=True, public_summary=" ", acting_user=oir)
    assert refused.value.field == "public_summary"
    actions.do_publish_request(
        request, published=True, public_summary="Desistida.", acting_user=oir
    )
    request.refresh_from_db()
    assert request.published


def test_the_portal_home_links_to_the_oir_pages(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("oir_public:file") in html
    assert reverse("oir_public:register") in html


def test_the_index_of_reserved_information_is_public(client, oir):
    from datetime import date

    from enlace.directory.models import Dependency

    actions.do_create_reserved_entry(
        actions.NewEntry(
            reference="IR-2026-009",
            information="Planos de las instalaciones eléctricas",
            dependency=Dependency.objects.get(code="HG"),
            legal_article="Art. 19 lit. d LAIP",
            cause="Seguridad.",
            classified_on=date(2026, 1, 15),
            period_years=3,
        ),
        acting_user=oir,
    )
    html = client.get(reverse("oir_public:reserved")).content.decode()
    assert "IR-2026-009" in html
    assert "Art. 19 lit. d LAIP" in html
