"""The people's rights over their data, end to end through the real URLs: a request filed on the
portal (stored as it arrived, numbered, due in 20 business days, a receipt), the officer's
search of everything kept about the person (cases, calls, information requests), its export as
JSON and PDF, rectification, cancellation (anonymised, the reports' figures unchanged),
extension, answer and refusal; and nobody but the officer reaches any of it."""

import io
import json
import uuid
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from conftest import make_user
from enlace.callcentre.models import Call
from enlace.cases.models import Case, CaseEvent
from enlace.channels.models import InboundMessage
from enlace.directory.calendar import business_calendar
from enlace.notifications.models import Notification
from enlace.privacy.models import (
    AccessVia,
    PersonalDataAccess,
    SubjectEventKind,
    SubjectRequest,
    SubjectRequestStatus,
)

DUI = "00016297-5"
PERSON = {
    "name": "María José Núñez",
    "dui": DUI,
    "phone": "+50371234567",
    "email": "mj@example.com",
}


def filing(**overrides):
    values = {
        "token": str(uuid.uuid4()),
        "kind": "access",
        "description": "Quiero una copia de todos mis datos.",
        "requester_name": "María José Núñez",
        "dui": "00016297-5",
        "email": "MJ@example.com",
        "phone": "7123-4567",
        "declaration": "on",
    }
    values.update(overrides)
    return values


@pytest.fixture
def filed(client, db):
    def file(**overrides):
        data = filing(**overrides)
        response = client.post(reverse("portal:data_request"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return SubjectRequest.objects.get(intake_token=data["token"]), response

    return file


@pytest.fixture
def person_records(make_case, register_oir):
    """The person's two cases, a call, an information request; and someone else's case."""
    first = make_case(citizen=PERSON, description="Me dolía la espalda")
    second = make_case(citizen={"name": "María J. Núñez", "phone": "+50371234567"})
    other = make_case(citizen={"name": "Otro", "dui": "04567890-3"}, description="Ajeno")
    call = Call.objects.create(
        pbx_call_id="pbx-1", caller="+50371234567", caller_dui=DUI, started_at=timezone.now()
    )
    info = register_oir(document_number=DUI, email="mj@example.com")
    return {"cases": [first, second], "other": other, "call": call, "oir": info}


@pytest.fixture
def register_oir(oir):
    from enlace.oir import actions

    def make(**overrides):
        values = {
            "channel": "in_person",
            "requester_name": "María José Núñez",
            "document_type": "dui",
            "document_number": "04567890-3",
            "notify_by": "email",
            "email": "otra@example.com",
            "description": "Contratos de 2025.",
            "gender": "female",
        }
        values.update(overrides)
        request, _created = actions.do_register_request(
            actions.NewRequest(**values), acting_user=oir
        )
        return request

    return make


# --- Filing on the portal ---------------------------------------------------------------------
def test_a_filing_is_stored_then_numbered_with_its_legal_due_date(filed, client):
    request, response = filed()
    message = InboundMessage.objects.get(plugin="dsr_portal")
    assert message.external_id == str(request.intake_token)
    assert json.loads(message.body)["dui"] == DUI
    year = timezone.localdate().year
    assert request.number == f"ARCO-{year}-0001"
    assert request.email == "mj@example.com"
    calendar = business_calendar(request.received_on)
    assert request.due_on == calendar.add_business_days(request.received_on, 20)
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    page = receipt.content.decode()
    assert request.number in page
    assert f"{request.due_on:%d/%m/%Y}" in page
    assert "Plazo legal para responder" in page
    # The receipt goes to the requester by e-mail, in Spanish.
    notice = Notification.objects.get(subject_request=request)
    assert notice.recipient == "mj@example.com"
    assert "ARCO-" in notice.subject


def test_the_same_form_twice_is_one_request(client, db):
    data = filing()
    first = client.post(reverse("portal:data_request"), data)
    second = client.post(reverse("portal:data_request"), data)
    assert first["Location"] == second["Location"]
    assert SubjectRequest.objects.count() == 1
    assert InboundMessage.objects.filter(plugin="dsr_portal").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dui": "", "email": "", "phone": ""}, "así encontramos sus registros"),
        ({"dui": "00016297-4"}, "dígito verificador"),
        ({"kind": "everything"}, "Escoja una opción válida"),
        ({"declaration": ""}, "Solo la persona"),
        ({"requester_name": ""}, "Escriba su nombre completo"),
        ({"token": "not-a-uuid"}, ""),
        ({"phone": "12"}, "no es un número de teléfono salvadoreño válido"),
    ],
)
def test_bad_filings_are_refused_in_spanish_and_store_nothing(client, db, overrides, message):
    response = client.post(reverse("portal:data_request"), filing(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InboundMessage.objects.exists()
    assert not SubjectRequest.objects.exists()


def test_a_robot_gets_a_receipt_and_nothing_is_stored(client, db):
    response = client.post(reverse("portal:data_request"), filing(website="http://spam"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert not InboundMessage.objects.exists()


def test_an_unknown_receipt_names_nobody(client, db, filed):
    filed()
    page = client.get(reverse("portal:data_receipt", args=[uuid.uuid4()])).content.decode()
    assert "ARCO-" not in page
    assert "mj@example.com" not in page


# --- The officer's work -------------------------------------------------------------------------
def test_the_search_finds_everything_of_the_person_and_is_logged(
    filed, person_records, dpo, client_for
):
    request, _response = filed()
    client = client_for(dpo)
    page = client.post(reverse("privacy:request_search", args=[request.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for case in person_records["cases"]:
        assert case.display_code in body
    assert person_records["other"].display_code not in body
    assert "Ajeno" not in body
    assert "pbx-1" in body
    assert person_records["oir"].number in body
    rows = PersonalDataAccess.objects.filter(user=dpo, via=AccessVia.SUBJECT_SEARCH)
    assert sorted(rows.exclude(case=None).values_list("case_id", flat=True)) == sorted(
        case.pk for case in person_records["cases"]
    )
    assert rows.filter(information_request=person_records["oir"]).exists()
    request.refresh_from_db()
    assert request.status == SubjectRequestStatus.IN_PROCESS
    assert request.events.filter(kind=SubjectEventKind.SEARCHED).exists()


def test_the_export_gives_the_data_as_json_and_pdf_and_is_logged(
    filed, person_records, dpo, client_for
):
    request, _response = filed()
    client = client_for(dpo)
    answer = client.post(reverse("privacy:request_json", args=[request.pk]))
    assert answer["Content-Type"] == "application/json"
    assert f"datos-{request.number}.json" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    assert data["solicitud"] == request.number
    texts = json.dumps(data, ensure_ascii=False)
    assert "Me dolía la espalda" in texts
    assert "Ajeno" not in texts
    document = client.post(reverse("privacy:request_pdf", args=[request.pk]))
    assert document["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document.content)).pages)
    assert request.number in text
    assert "Sus datos personales" in text
    assert person_records["cases"][0].display_code in text
    assert "Página 1 de" in text
    assert PersonalDataAccess.objects.filter(via=AccessVia.SUBJECT_EXPORT).count() >= 2
    assert request.events.filter(kind=SubjectEventKind.EXPORTED).count() == 2


def test_rectifying_corrects_only_the_ticked_records_of_the_person(
    filed, person_records, dpo, client_for
):
    request, _response = filed(kind="rectification")
    first, second = person_records["cases"]
    client = client_for(dpo)
    response = client.post(
        reverse("privacy:request_rectify", args=[request.pk]),
        {"holder": "cases", "ids": [first.pk], "name": "María José Núñez de Paz", "phone": ""},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.citizen_name == "María José Núñez de Paz"
    assert second.citizen_name == "María J. Núñez"
    assert first.events.filter(note__contains="rectific").exists()
    # Someone else's case cannot be reached by posting its id.
    other = person_records["other"]
    response = client.post(
        reverse("privacy:request_rectify", args=[request.pk]),
        {"holder": "cases", "ids": [other.pk], "name": "Cambiado"},
        follow=True,
    )
    assert "Escoja entre los registros encontrados" in response.content.decode()
    other.refresh_from_db()
    assert other.citizen_name == "Otro"


def test_cancelling_anonymises_and_the_figures_stay(filed, person_records, dpo, client_for):
    request, _response = filed(kind="cancellation")
    first, second = person_records["cases"]
    counted_before = Case.objects.filter(
        opinion_type__code="reclamo", dependency__code="HG"
    ).count()
    client = client_for(dpo)
    client.post(
        reverse("privacy:request_cancel", args=[request.pk]),
        {"holder": "cases", "ids": [first.pk, second.pk]},
    )
    client.post(
        reverse("privacy:request_cancel", args=[request.pk]),
        {"holder": "calls", "ids": [person_records["call"].pk]},
    )
    for case in (first, second):
        case.refresh_from_db()
        assert case.anonymised_at is not None
        assert (case.citizen_name, case.citizen_dui, case.citizen_phone, case.description) == (
            "",
            "",
            "",
            "",
        )
        assert not CaseEvent.objects.filter(case=case).exclude(note="").exists()
    call = Call.objects.get(pk=person_records["call"].pk)
    assert (call.caller, call.caller_dui) == ("", "")
    assert (
        Case.objects.filter(opinion_type__code="reclamo", dependency__code="HG").count()
        == counted_before
    )
    other = person_records["other"]
    other.refresh_from_db()
    assert other.citizen_name == "Otro"
    # Searched again, the cases and the call no longer hold the person.
    body = client.post(reverse("privacy:request_search", args=[request.pk])).content.decode()
    assert first.display_code not in body
    assert "pbx-1" not in body
    assert request.events.filter(kind=SubjectEventKind.CANCELLED).count() == 2


def test_extend_once_then_answer_closes_and_tells_the_person(filed, dpo, client_for):
    request, _response = filed()
    client = client_for(dpo)
    before = request.due_on
    assert (
        client.post(
            reverse("privacy:request_extend", args=[request.pk]), {"reason": ""}
        ).status_code
        == 400
    )
    client.post(reverse("privacy:request_extend", args=[request.pk]), {"reason": "Volumen"})
    request.refresh_from_db()
    assert request.status == SubjectRequestStatus.EXTENDED
    assert request.due_on == business_calendar(before).add_business_days(before, 20)
    again = client.post(reverse("privacy:request_extend", args=[request.pk]), {"reason": "Otra"})
    assert again.status_code == 400
    assert "ya fue prorrogada" in again.content.decode()
    mail.outbox.clear()
    client.post(
        reverse("privacy:request_answer", args=[request.pk]), {"answer": "Adjuntamos sus datos."}
    )
    request.refresh_from_db()
    assert request.status == SubjectRequestStatus.ANSWERED
    assert request.next_check_at is None
    answer = Notification.objects.filter(subject_request=request, kind="subject_answer").get()
    assert "Adjuntamos sus datos." in answer.body
    closed = client.post(reverse("privacy:request_refuse", args=[request.pk]), {"reason": "x"})
    assert closed.status_code == 400
    assert "ya está respondida" in closed.content.decode()


def test_the_officer_registers_a_request_received_at_the_desk(dpo, client_for):
    client = client_for(dpo)
    assert client.get(reverse("privacy:request_new")).status_code == 200
    received = timezone.localtime() - timedelta(days=1)
    response = client.post(
        reverse("privacy:request_new"),
        {
            "kind": "opposition",
            "channel": "in_person",
            "requester_name": "Juan Pérez",
            "dui": "",
            "email": "",
            "phone": "7123-4567",
            "description": "No quiero encuestas.",
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.phone == "+50371234567"
    assert request.created_by == dpo
    assert request.received_on == received.date()
    listed = client.get(reverse("privacy:requests")).content.decode()
    assert request.number in listed
    home = client.get(reverse("privacy:home")).content.decode()
    assert request.number in home


@pytest.mark.parametrize(
    "received_at", ["2999-01-01T10:00", "1899-01-01T10:00", "99999-01-01T10:00", "ayer"]
)
def test_impossible_dates_are_refused(dpo, client_for, received_at):
    response = client_for(dpo).post(
        reverse("privacy:request_new"),
        {
            "kind": "access",
            "channel": "letter",
            "requester_name": "Juan",
            "dui": DUI,
            "description": "x",
            "received_at": received_at,
        },
    )
    assert response.status_code == 400
    assert not SubjectRequest.objects.exists()


# --- Nobody else ------------------------------------------------------------------------------
PAGES = [
    "home",
    "requests",
    "request_new",
    "access_log",
    "unusual",
    "breaches",
    "breach_new",
    "retention",
]
STEPS = [
    "request_search",
    "request_json",
    "request_pdf",
    "request_rectify",
    "request_cancel",
    "request_extend",
    "request_answer",
    "request_refuse",
]


@pytest.mark.parametrize(
    "role",
    ["agent", "punto_seguro", "resolution", "liaison", "oir_officer", "analyst", "administrator"],
)
def test_no_other_role_reaches_data_protection(filed, client_for, role):
    request, _response = filed()
    user = make_user(f"u-{role}", role, "HG" if role in ("punto_seguro", "liaison") else None)
    client = client_for(user)
    for name in PAGES:
        assert client.get(reverse(f"privacy:{name}")).status_code == 403, name
    for name in STEPS:
        assert client.post(reverse(f"privacy:{name}", args=[request.pk])).status_code == 403, name
    assert client.get(reverse("privacy:request", args=[request.pk])).status_code == 403
    assert not PersonalDataAccess.objects.exists()
    # The header offers them no link to it.
    assert reverse("privacy:home") not in client.get(reverse("cases:list")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(filed, client):
    request, _response = filed()
    for url in (reverse("privacy:home"), reverse("privacy:request", args=[request.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/cuenta/" in response["Location"]


def test_an_unknown_request_is_404_for_the_officer(dpo, client_for):
    client = client_for(dpo)
    assert client.get(reverse("privacy:request", args=[999])).status_code == 404
    assert client.post(reverse("privacy:request_search", args=[999])).status_code == 404
    assert reverse("privacy:home") in client.get(reverse("privacy:home")).content.decode()


def test_the_due_date_counts_business_days_from_receipt(db):
    from enlace.privacy import rules

    monday = date(2026, 3, 2)
    calendar = business_calendar(monday)
    assert rules.request_due_on(calendar, monday, extended=False) == calendar.add_business_days(
        monday, 20
    )
    assert rules.request_due_on(calendar, monday, extended=True) == calendar.add_business_days(
        monday, 40
    )
