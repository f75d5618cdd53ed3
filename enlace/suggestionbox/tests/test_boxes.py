"""Suggestion boxes: an opening before witnesses, its forms transcribed in batches into cases of
the channel "buzon" (once each, however often the batch is posted), never more than were
found unless the count is corrected with a reason; only those who open boxes get here."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.channels.models import InboundMessage
from enlace.suggestionbox.models import BoxForm, BoxOpening, CountCorrection

pytestmark = pytest.mark.django_db
NEW = reverse("suggestionbox:new")


def opening_data(**overrides):
    data = {
        "dependency": "Hospital General [HG]",
        "opened_on": timezone.localdate().isoformat(),
        "witnesses": "Ana Pérez, directora médica\nLuis Gómez, Punto Seguro",
        "forms_found": "3",
        "notes": "Buzón de la sala de espera",
    }
    data.update(overrides)
    return data


def batch(rows, *, total=None):
    data = {
        "form-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "10",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"form-{i}-{name}"] = value
    return data


def row(number, text="", **fields):
    return {
        "number": str(number),
        "dependency": "Hospital General [HG]",
        "description": text,
        "opinion_type": "",
        "citizen_name": "",
        "citizen_phone": "",
        "citizen_dui": "",
        **fields,
    }


@pytest.fixture
def opening(resolution, client_for):
    response = client_for(resolution).post(NEW, opening_data())
    assert response.status_code == 302
    return BoxOpening.objects.get()


def test_an_opening_records_its_witnesses_and_count(resolution, client_for):
    response = client_for(resolution).post(NEW, opening_data())
    opening = BoxOpening.objects.get()
    assert response["Location"] == reverse("suggestionbox:detail", args=[opening.pk])
    assert opening.dependency.code == "HG"
    assert opening.forms_found == 3
    assert opening.witnesses == [
        {"name": "Ana Pérez", "role": "directora médica"},
        {"name": "Luis Gómez", "role": "Punto Seguro"},
    ]
    assert opening.opened_by == resolution


@pytest.mark.parametrize(
    "change",
    [
        {"witnesses": "Ana Pérez, directora médica"},
        {"witnesses": "Ana Pérez, directora médica\nLuis Gómez"},
        {"forms_found": ""},
        {"forms_found": "-1"},
        {"opened_on": "tomorrow"},
    ],
)
def test_an_opening_needs_two_witnesses_and_the_count(resolution, client_for, change):
    if change.get("opened_on") == "tomorrow":  # computed now, not when tests are collected
        change = {"opened_on": (timezone.localdate() + timedelta(days=1)).isoformat()}
    response = client_for(resolution).post(NEW, opening_data(**change))
    assert response.status_code == 400
    assert not BoxOpening.objects.exists()


def test_agents_liaisons_and_punto_seguro_cannot_open_a_box(
    agent, liaison, punto_seguro, analyst, client_for
):
    for user in (agent, liaison, punto_seguro, analyst):
        client = client_for(user)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, opening_data()).status_code == 403
        assert client.get(reverse("suggestionbox:list")).status_code == 403
    assert not BoxOpening.objects.exists()


def test_nor_transcribe_or_correct_its_forms(opening, punto_seguro, outsider, client_for):
    for user in (punto_seguro, outsider):
        client = client_for(user)
        assert client.get(reverse("suggestionbox:detail", args=[opening.pk])).status_code == 403
        url = reverse("suggestionbox:transcribe", args=[opening.pk])
        assert client.post(url, batch([row(1, "Texto")])).status_code == 403
        url = reverse("suggestionbox:correct", args=[opening.pk])
        assert client.post(url, {"forms_found": "9", "reason": "x"}).status_code == 403
    assert not BoxForm.objects.exists()


def test_a_batch_becomes_cases_of_the_box_linked_to_the_opening(opening, resolution, client_for):
    client = client_for(resolution)
    page = client.get(reverse("suggestionbox:detail", args=[opening.pk]))
    assert page.context["rows"].initial == [
        {"number": n, "dependency": "Hospital General [HG]"} for n in (1, 2, 3)
    ]
    rows = [
        row(1, "Excelente atención en pediatría", opinion_type="felicitacion"),
        row(2, "Los baños están sucios", citizen_name="Rosa", citizen_phone="7123-4567"),
        row(3, "No hay sillas en la espera", dependency="UM-ZAC", opinion_type="queja"),
    ]
    url = reverse("suggestionbox:transcribe", args=[opening.pk])
    response = client.post(url, batch(rows))
    assert response.status_code == 302
    forms = list(BoxForm.objects.select_related("case__channel", "case__dependency"))
    assert [f.number for f in forms] == [1, 2, 3]
    assert {f.case.channel.code for f in forms} == {"buzon"}
    assert all(f.opening == opening for f in forms)
    first, second, third = (f.case for f in forms)
    assert first.opinion_type.code == "felicitacion"
    assert second.to_classify
    assert second.citizen_phone == "+50371234567"
    assert third.dependency.code == "UM-ZAC"
    assert second.created_by == resolution
    assert sorted(
        InboundMessage.objects.filter(plugin="buzon").values_list("external_id", flat=True)
    ) == [
        f"{opening.pk}:1",
        f"{opening.pk}:2",
        f"{opening.pk}:3",
    ]
    page = client.get(reverse("suggestionbox:detail", args=[opening.pk]))
    assert page.context["transcribed"] == 3
    assert page.context["rows"].initial == []

    # The same batch posted again (a double submit, a browser's back button) adds nothing.
    assert client.post(url, batch(rows)).status_code == 302
    assert BoxForm.objects.count() == 3
    assert InboundMessage.objects.filter(plugin="buzon").count() == 3


def test_rows_without_text_are_skipped_and_a_half_typed_row_is_refused(
    opening, resolution, client_for
):
    url = reverse("suggestionbox:transcribe", args=[opening.pk])
    client = client_for(resolution)
    assert client.post(url, batch([row(1, "Texto"), row(2), row(3)])).status_code == 302
    assert BoxForm.objects.count() == 1
    response = client.post(url, batch([row(2, citizen_name="Sin texto")]))
    assert response.status_code == 400
    assert BoxForm.objects.count() == 1


def test_more_forms_than_found_are_refused_until_the_count_is_corrected(
    opening, resolution, client_for
):
    client = client_for(resolution)
    url = reverse("suggestionbox:transcribe", args=[opening.pk])
    rows = [row(n, f"Formulario {n}") for n in (1, 2, 3, 4)]
    response = client.post(url, batch(rows))
    assert response.status_code == 400
    assert not BoxForm.objects.exists()
    assert not InboundMessage.objects.filter(plugin="buzon").exists()

    correct = reverse("suggestionbox:correct", args=[opening.pk])
    assert client.post(correct, {"forms_found": "4", "reason": ""}).status_code == 400
    response = client.post(correct, {"forms_found": "4", "reason": "Uno estaba pegado al fondo"})
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.forms_found == 4
    correction = CountCorrection.objects.get()
    assert (correction.from_count, correction.to_count, correction.by) == (3, 4, resolution)

    assert client.post(url, batch(rows)).status_code == 302
    assert BoxForm.objects.count() == 4
    # Nor can the count go below what is already transcribed.
    assert client.post(correct, {"forms_found": "2", "reason": "Error"}).status_code == 400
