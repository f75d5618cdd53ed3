"""A request from the officer's intake to the notified resolution, through the real URLs: split
into items, each sent to its unit, answered by the unit's liaison, decided with its legal
ground, resolved with a PDF that states the appeal route, notified by real SMTP with the PDF
attached, recorded by date; and appeals before the IAIP."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from enlace.directory.models import Dependency
from enlace.notifications.delivery import deliver
from enlace.notifications.models import Notification
from enlace.oir import actions
from enlace.oir.models import InformationRequest, ReservedEntry

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def intake_data(**overrides):
    data = {
        "channel": "in_person",
        "requester_name": "Asociación Transparencia Activa",
        "person_type": "juridical",
        "gender": "unstated",
        "document_type": "nit",
        "document_number": "0614-010190-101-1",
        "notify_by": "email",
        "email": "info@transparencia.example",
        "address": "",
        "phone": "",
        "description": "1. Presupuesto 2025 del Hospital General. 2. Planilla de médicos.",
        "delivery_mode": "electronic",
    }
    data.update(overrides)
    return data


def reserved_entry(oir) -> ReservedEntry:
    return actions.do_create_reserved_entry(
        actions.NewEntry(
            reference="IR-2025-004",
            information="Expedientes de investigaciones disciplinarias en curso",
            dependency=Dependency.objects.get(code="HG"),
            legal_article="Art. 19 lit. e LAIP",
            cause="Su divulgación afectaría investigaciones administrativas en curso.",
            classified_on=timezone.localdate() - timedelta(days=200),
            period_years=5,
        ),
        acting_user=oir,
    )


def test_the_officer_takes_a_request_to_its_notified_resolution(
    oir, liaison, client_for, smtp_inbox
):
    liaison.email = "bruno@hg.example"
    liaison.save()
    officer = client_for(oir)
    response = officer.post(reverse("oir:new"), intake_data())
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    year = timezone.localdate().year
    assert request.number == f"OIR-{year}-0001"
    assert request.items.count() == 1
    receipt = Notification.objects.get(kind="oir_receipt")
    assert receipt.information_request == request
    assert receipt.case is None
    assert request.number in receipt.subject

    # Split: item 1 becomes the budget, item 2 the payroll.
    detail = reverse("oir:detail", args=[request.pk])
    action = lambda slug: reverse("oir:action", args=[request.pk, slug])  # noqa: E731
    first = request.items.get()
    assert (
        officer.post(
            action("editar"), {"item": first.pk, "description": "Presupuesto 2025 del HG."}
        ).status_code
        == 302
    )
    assert (
        officer.post(
            action("requerimiento"), {"description": "Planilla de médicos del HG."}
        ).status_code
        == 302
    )
    second = request.items.get(position=2)
    due = timezone.localdate() + timedelta(days=3)
    for item in (first, second):
        response = officer.post(
            action("enviar"),
            {"item": item.pk, "dependency": "Hospital General [HG]", "internal_due_on": due},
        )
        assert response.status_code == 302, response.content.decode()[:500]
    request.refresh_from_db()
    assert request.status == "in_process"
    sent = Notification.objects.filter(kind="oir_item")
    assert list(sent.values_list("recipient", flat=True)) == ["bruno@hg.example"] * 2

    # The unit's liaison sees the items sent to their unit and answers one with a file.
    unit = client_for(liaison)
    page = unit.get(reverse("oir:unit"), **EN)
    assert [i.pk for i in page.context["items"]] == [second.pk, first.pk] or len(
        page.context["items"]
    ) == 2
    upload = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    upload.name = "presupuesto.pdf"
    response = unit.post(
        reverse("oir:item", args=[first.pk]),
        {"finding": "found", "answer": "Se adjunta el presupuesto aprobado.", "file": upload},
    )
    assert response.status_code == 302
    response = unit.post(
        reverse("oir:item", args=[second.pk]),
        {"finding": "found", "answer": "La planilla contiene datos personales."},
    )
    assert response.status_code == 302
    # The liaison may not decide: the officer does.
    assert (
        unit.post(action("decidir"), {"item": first.pk, "outcome": "delivered"}).status_code == 403
    )
    file_page = officer.get(reverse("oir:item_file", args=[first.pk]))
    assert file_page.status_code == 200
    assert file_page.content.startswith(b"%PDF")

    entry = reserved_entry(oir)
    assert (
        officer.post(
            action("decidir"),
            {"item": first.pk, "outcome": "delivered", "answer": "Se entrega el presupuesto 2025."},
        ).status_code
        == 302
    )
    response = officer.post(
        action("decidir"),
        {
            "item": second.pk,
            "outcome": "partial",
            "answer": "Se entrega la planilla en versión pública.",
            "confidential_ground": "art24_c",
        },
    )
    assert response.status_code == 302
    response = officer.post(
        action("resolver"),
        {"notes": "", "publish": "on", "public_summary": "Presupuesto 2025 y planilla del HG."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "resolved"
    assert request.resolved_on == timezone.localdate()

    pdf = officer.get(reverse("oir:pdf", args=[request.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in (
        request.number,
        "recurso de apelación",
        "Instituto de Acceso a la Información Pública",
        "quince días hábiles",
        "Requerimiento 1",
        "versión pública",
        "artículo 24 literal c)",
        "Asociación Transparencia Activa",
    ):
        assert expected in " ".join(text.split()), expected
    assert entry.reference not in text  # the reserved index was not cited by these outcomes
    # The included fragments (ground, verdict) end without a newline: no line starts with the
    # full stop that closes their sentence.
    assert "\n." not in text

    # Notify by e-mail: the message carries the PDF; the day it leaves is the notification.
    assert officer.post(action("notificar-correo")).status_code == 302
    message = Notification.objects.get(kind="oir_resolution")
    assert deliver(message.pk) == "sent"
    mail = smtp_inbox.messages[-1]
    assert mail["To"] == "info@transparencia.example"
    parts = [p for p in mail.walk() if p.get_content_type() == "application/pdf"]
    assert parts
    assert request.number in parts[0].get_filename()
    assert "recurso de apelación" in " ".join(pdf_text(parts[0].get_payload(decode=True)).split())
    request.refresh_from_db()
    assert (request.status, request.notified_on, request.notification_medium) == (
        "notified",
        timezone.localdate(),
        "email",
    )
    page = officer.get(detail, **EN)
    assert "Appeal to the IAIP until" in page.content.decode()
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds[0] == "received"
    assert kinds[-1] == "notified"
    assert "resolved" in kinds
    assert kinds.count("item_sent") == 2


def test_a_denial_cites_the_reserved_index_in_the_pdf(register, oir, client_for):
    request = register()
    entry = reserved_entry(oir)
    client = client_for(oir)
    item = request.items.get()
    action = lambda slug: reverse("oir:action", args=[request.pk, slug])  # noqa: E731
    assert (
        client.post(
            action("decidir"), {"item": item.pk, "outcome": "reserved", "reserved_entry": entry.pk}
        ).status_code
        == 302
    )
    assert client.post(action("resolver"), {}).status_code == 302
    text = " ".join(pdf_text(client.get(reverse("oir:pdf", args=[request.pk])).content).split())
    assert "IR-2025-004" in text
    assert "Art. 19 lit. e LAIP" in text
    assert "información reservada" in text


def test_notification_by_another_medium_is_recorded_by_date(register, oir, client_for):
    request = register(notify_by="office", email="")
    item = request.items.get()
    actions.do_decide_item(
        item,
        actions.Decision(outcome="not_competent", referral="Ministerio de Salud"),
        acting_user=oir,
    )
    actions.do_resolve_request(request, acting_user=oir)
    client = client_for(oir)
    url = reverse("oir:action", args=[request.pk, "notificacion"])
    yesterday = timezone.localdate() - timedelta(days=1)
    refused = client.post(url, {"medium": "in_person", "notified_on": yesterday}, **EN)
    assert refused.status_code == 400
    assert "cannot be dated before the resolution" in refused.content.decode()
    request.refresh_from_db()
    assert (request.status, request.notified_on) == ("resolved", None)
    ok = client.post(url, {"medium": "in_person", "notified_on": timezone.localdate()})
    assert ok.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.notification_medium) == ("notified", "in_person")


def test_appeals_and_complaints_are_recorded_with_case_number_dates_and_outcome(
    register, oir, client_for
):
    request = register()
    client = client_for(oir)
    today = timezone.localdate()
    action = lambda slug: reverse("oir:action", args=[request.pk, slug])  # noqa: E731
    # An appeal needs a resolution to be against.
    refused = client.post(
        action("apelacion"),
        {"kind": "appeal", "case_number": "NUE-1-A-2026", "filed_on": today},
        **EN,
    )
    assert refused.status_code == 400
    item = request.items.get()
    actions.do_decide_item(
        item, actions.Decision(outcome="nonexistent", answer="No existe."), acting_user=oir
    )
    actions.do_resolve_request(request, acting_user=oir)
    ok = client.post(
        action("apelacion"),
        {"kind": "appeal", "case_number": "NUE-1-A-2026", "filed_on": today, "notes": "Ref."},
    )
    assert ok.status_code == 302
    appeal = request.appeals.get()
    before = client.post(
        action("decision-iaip"),
        {"appeal": appeal.pk, "outcome": "revoked", "decided_on": today - timedelta(days=1)},
    )
    assert before.status_code == 400
    decided = client.post(
        action("decision-iaip"), {"appeal": appeal.pk, "outcome": "revoked", "decided_on": today}
    )
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.case_number, appeal.filed_on, appeal.decided_on, appeal.outcome) == (
        "NUE-1-A-2026",
        today,
        today,
        "revoked",
    )
    assert list(
        request.events.filter(kind__startswith="appeal").values_list("kind", flat=True)
    ) == [
        "appeal",
        "appeal_decided",
    ]


def test_a_message_of_the_oir_mailbox_becomes_a_request(oir_email, oir, client_for):
    case = oir_email("Solicito el informe de auditoría 2025.", subject="")
    client = client_for(oir)
    listing = client.get(reverse("oir:list"), **EN)
    assert [m.first_id for m in listing.context["mail"]] == [case.pk]
    form = client.get(reverse("oir:new"), {"caso": case.pk}).context["form"]
    assert form.initial["email"] == "luis@example.com"
    assert form.initial["description"] == "Solicito el informe de auditoría 2025."
    data = intake_data(
        channel="email",
        requester_name="Luis Pérez",
        person_type="natural",
        document_type="dui",
        document_number="04567890-3",
        email="luis@example.com",
        description="Solicito el informe de auditoría 2025.",
        source_case=case.pk,
    )
    assert client.post(reverse("oir:new"), data).status_code == 302
    request = InformationRequest.objects.get()
    assert request.source_case == case
    case.refresh_from_db()
    assert case.status == "void"
    assert client.get(reverse("oir:list"), **EN).context["mail"] == []
    # Twice: refused, nothing more stored.
    again = client.post(reverse("oir:new"), data, **EN)
    assert again.status_code == 400
    assert InformationRequest.objects.count() == 1


def test_numbers_are_per_year_and_gap_free(register):
    numbers = [register().number for _ in range(3)]
    year = timezone.localdate().year
    assert numbers == [f"OIR-{year}-0001", f"OIR-{year}-0002", f"OIR-{year}-0003"]
    last_year = timezone.now().replace(year=year - 1)
    assert register(received_at=last_year).number == f"OIR-{year - 1}-0001"
    assert register().number == f"OIR-{year}-0004"


def test_a_declassified_entry_can_no_longer_be_cited(register, oir):
    entry = reserved_entry(oir)
    actions.do_declassify_entry(entry, timezone.localdate(), acting_user=oir)
    request = register()
    with pytest.raises(actions.BusinessError, match="not in force"):
        actions.do_decide_item(
            request.items.get(),
            actions.Decision(outcome="reserved", reserved_entry=entry),
            acting_user=oir,
        )


def test_the_reserved_index_is_managed_by_the_officer(oir, client_for):
    client = client_for(oir)
    data = {
        "reference": "IR-2026-001",
        "information": "Planes de contingencia de seguridad",
        "dependency": "Hospital General [HG]",
        "legal_article": "Art. 19 lit. d LAIP",
        "cause": "Seguridad de las instalaciones.",
        "classified_on": date(2026, 1, 15),
        "period_years": 8,
    }
    refused = client.post(reverse("oir:reserved"), data)
    assert refused.status_code == 400
    assert not ReservedEntry.objects.exists()
    data["period_years"] = 7
    assert client.post(reverse("oir:reserved"), data).status_code == 302
    entry = ReservedEntry.objects.get()
    assert entry.expires_on == date(2033, 1, 15)
    page = client.get(reverse("oir:reserved"))
    assert "IR-2026-001" in page.content.decode()


def test_what_people_wrote_cannot_make_headings_in_the_resolution(register, oir):
    """The description, the answer and the notes go into the resolution as text: their blank
    lines and leading # never start a heading of the document."""
    from enlace.oir.pdf import resolution_text
    from enlace.oir.rules import legal_rules

    request = register(description="Quiero contratos.\n\n# RESOLUCIÓN FAVORABLE\n\n## POR TANTO")
    item = request.items.get()
    actions.do_decide_item(
        item,
        actions.Decision(outcome="delivered", answer="Adjunto.\n\n### Requerimiento 9"),
        acting_user=oir,
    )
    actions.do_resolve_request(request, acting_user=oir)
    request.refresh_from_db()
    text = resolution_text(request, list(request.items.all()), legal_rules())
    headings = [
        block.strip().split("\n")[0]
        for block in text.split("\n\n")
        if block.strip().startswith("#")
    ]
    assert headings == [
        f"# RESOLUCIÓN DE SOLICITUD DE INFORMACIÓN {request.number}",
        "## CONSIDERANDO",
        "### Requerimiento 1",
        "## POR TANTO",
        "## RECURSO",
    ]
    assert "# RESOLUCIÓN FAVORABLE" in text  # kept, as text of the request
