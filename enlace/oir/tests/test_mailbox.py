"""The OIR's mail still to register: only what arrived by e-mail to the OIR's mailbox (not a
case typed in by staff with the channel "oir", nor mail to another mailbox), identical
messages (the same sender and text, e.g. one e-mail sent three times) as one row with their
count, grouped by the database; the group's page shows them and sets the duplicates aside,
and only the officer reaches it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enlace.cases.models import Case
from enlace.oir.models import InformationRequest
from enlace.oir.queries import unregistered_mail

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST = reverse("oir:list")
TEXT = "Solicito el listado de plazas vacantes del Hospital General, por tipo."


def intake(case: Case) -> dict[str, object]:
    return {
        "channel": "email",
        "requester_name": "Luis Pérez",
        "person_type": "natural",
        "gender": "male",
        "document_type": "dui",
        "document_number": "04567890-3",
        "notify_by": "email",
        "email": "luis@example.com",
        "address": "",
        "phone": "",
        "description": case.description,
        "delivery_mode": "electronic",
        "source_case": case.pk,
    }


def test_only_mail_to_the_oir_mailbox_is_in_the_inbox(
    oir_email, make_case, oir, admin_user, client_for
):
    typed = make_case(
        "consulta",
        channel="oir",
        description="Tecleado por el personal.",
        citizen={"name": "Ana", "email": "ana@example.com"},
        by=oir,
    )
    to_the_oir = oir_email(TEXT)
    to_user_attention = oir_email("Queja por la farmacia.", channel="correo")
    assert typed.channel.code == to_the_oir.channel.code == "oir"
    listing = client_for(oir).get(LIST, **EN)
    assert [m.first_id for m in listing.context["mail"]] == [to_the_oir.pk]
    page = listing.content.decode()
    assert f"?caso={to_the_oir.pk}" in page
    assert f"?caso={typed.pk}" not in page
    assert f"?caso={to_user_attention.pk}" not in page
    # An administrator, who sees every case, has the same inbox.
    assert [m.first_id for m in unregistered_mail(admin_user)] == [to_the_oir.pk]


def test_three_identical_messages_are_one_row_with_their_count(oir_email, oir, client_for):
    copies = [oir_email(TEXT) for _ in range(3)]
    other = oir_email(TEXT, sender="Marta Ruiz <marta@example.com>")  # another sender
    different = oir_email("Solicito las actas del consejo de 2025.")  # another text
    with CaptureQueriesContext(connection) as queries:
        groups = unregistered_mail(oir)
    assert len(queries) == 1
    assert "GROUP BY" in queries[0]["sql"].upper()
    counted = {group.first_id: group.count for group in groups}
    assert counted == {copies[0].pk: 3, other.pk: 1, different.pk: 1}
    first = next(g for g in groups if g.first_id == copies[0].pk)
    assert (first.citizen_email, first.first_at, first.last_at) == (
        "luis@example.com",
        copies[0].received_at,
        copies[2].received_at,
    )
    page = client_for(oir).get(LIST, **EN).content.decode()
    assert page.count('class="mail-group"') == 3
    assert "3 identical messages" in page
    assert reverse("oir:mail", args=[copies[0].pk]) in page
    assert f"?caso={copies[0].pk}" in page
    assert f"?caso={copies[1].pk}" not in page


def test_the_duplicates_are_set_aside_and_the_first_is_registered(oir_email, oir, client_for):
    copies = [oir_email(TEXT) for _ in range(3)]
    client = client_for(oir)
    url = reverse("oir:mail", args=[copies[2].pk])
    page = client.get(url, **EN)
    group = page.context["group"]
    assert group.kept == copies[0]
    assert group.duplicates == copies[1:]
    assert f"?caso={copies[0].pk}" in page.content.decode()

    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("oir:mail", args=[copies[0].pk])
    for case in copies:
        case.refresh_from_db()
    assert copies[0].status != "void"
    assert copies[1].status == copies[2].status == "void"
    note = copies[1].events.get(kind="voided").note
    assert copies[0].display_code in note
    assert [g.count for g in client.get(LIST).context["mail"]] == [1]
    # Nothing left to set aside.
    assert client.post(url).status_code == 302
    copies[0].refresh_from_db()
    assert copies[0].status != "void"

    assert client.post(reverse("oir:new"), intake(copies[0])).status_code == 302
    assert InformationRequest.objects.get().source_case == copies[0]
    assert client.get(LIST).context["mail"] == []


def test_copies_of_a_message_already_registered_are_all_set_aside(oir_email, oir, client_for):
    copies = [oir_email(TEXT) for _ in range(3)]
    client = client_for(oir)
    assert client.post(reverse("oir:new"), intake(copies[0])).status_code == 302
    request = InformationRequest.objects.get()
    [group] = client.get(LIST).context["mail"]
    assert (group.first_id, group.count) == (copies[1].pk, 2)
    url = reverse("oir:mail", args=[copies[1].pk])
    page = client.get(url, **EN)
    assert page.context["group"].registered == request
    assert page.context["group"].kept is None
    assert f"already registered as request {request.number}" in page.content.decode()
    response = client.post(url)
    assert response.url == LIST
    for case in copies[1:]:
        case.refresh_from_db()
        assert case.status == "void"
        assert request.number in case.events.get(kind="voided").note
    assert client.get(LIST).context["mail"] == []


def test_a_case_that_did_not_come_by_the_oir_mailbox_has_no_group_page(
    oir_email, make_case, oir, client_for
):
    typed = make_case("consulta", channel="oir", description=TEXT, by=oir)
    client = client_for(oir)
    assert client.get(reverse("oir:mail", args=[typed.pk])).status_code == 404
    assert client.post(reverse("oir:mail", args=[typed.pk])).status_code == 404
    typed.refresh_from_db()
    assert typed.status != "void"


@pytest.mark.parametrize(
    "persona", ["agent", "punto_seguro", "resolution", "analyst", "liaison", "outsider"]
)
def test_other_roles_are_refused_the_group_page(persona, request, oir_email, client_for):
    copies = [oir_email(TEXT) for _ in range(2)]
    client = client_for(request.getfixturevalue(persona))
    url = reverse("oir:mail", args=[copies[0].pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    copies[1].refresh_from_db()
    assert copies[1].status != "void"
