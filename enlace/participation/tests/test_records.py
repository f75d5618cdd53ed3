"""The communications staff keep the participation records through the pages: events one by one
and imported, their evidence, the accounts' figures, the information media. Bad input is named
by its line and column, and nothing of a bad file is stored."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from conftest import make_user
from enlace.accounts.models import Role, User
from enlace.participation.models import (
    AccountFigures,
    EventCentre,
    EventEvidence,
    InformationMedium,
    ParticipationEvent,
    SocialAccount,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def comms(db: None) -> User:
    return make_user("carmen", Role.COMMUNICATIONS)


@pytest.fixture
def client(comms: User, client_for: Any) -> Any:
    return client_for(comms)


def xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("eventos.xlsx", buffer.getvalue())


HEADER = ["mecanismo", "nombre", "inicio", "fin", "municipio", "departamento", "lugar", "centros"]
HEADER += ["asistencia"]


def test_an_event_is_registered_with_its_centres_and_the_zone_of_its_department(client):
    response = client.post(
        "/participacion/eventos/nuevo/",
        {
            "mechanism": _mechanism_id("ferias_salud"),
            "name": "Festival para el Buen Vivir",
            "starts_on": "2016-04-09",
            "department": "LI",
            "municipality": "huizucar",  # accents and case ignored
            "centres": [_centre_id("HG"), _centre_id("CC-HUI")],
            "attendance": "1200",
        },
    )
    assert response.status_code == 302
    event = ParticipationEvent.objects.get()
    assert (event.municipality.name, event.region, event.ends_on) == (
        "Huizúcar",
        "central",
        date(2016, 4, 9),
    )
    assert EventCentre.objects.filter(event=event, mechanism=event.mechanism).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_on": ""}, "starts_on", "Este campo es obligatorio"),
        ({"municipality": "Atlántida"}, "municipality", "No existe ese municipio"),
        ({"attendance": "mucha"}, "attendance", "Introduzca un número entero"),
        ({"ends_on": "2016-04-01"}, "ends_on", "termina antes de empezar"),
        ({"starts_on": "2999-01-01"}, "starts_on", ""),
    ],
)
def test_a_bad_event_is_refused_with_the_fields_error_and_nothing_stored(
    client, changes, field, message
):
    data = {
        "mechanism": _mechanism_id("ferias_salud"),
        "name": "Festival",
        "starts_on": "2016-04-09",
        "department": "LI",
        "municipality": "Huizúcar",
        **changes,
    }
    response = client.post("/participacion/eventos/nuevo/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not ParticipationEvent.objects.exists()


def test_an_import_with_bad_rows_names_line_and_column_and_stores_nothing(client):
    upload = xlsx(
        [
            HEADER,
            [
                "ferias_salud",
                "Festival",
                "09/04/2016",
                "",
                "Huizúcar",
                "La Libertad",
                "",
                "HG",
                900,
            ],
            ["Ferias de salud", "Festival 2", "", "", "Ilobasco", "Cabañas", "", "", ""],
            ["ferias_salud", "Festival 3", "10/04/2016", "", "Atlántida", "LI", "", "", ""],
            ["ferias_salud", "Festival 4", "11/04/2016", "", "Ilobasco", "CA", "", "", "mucha"],
            ["ferias_salud", "Festival", "09/04/2016", "", "Huizúcar", "LI", "", "", ""],
            ["nada", "Festival 5", "12/04/2016", "", "Ilobasco", "CA", "", "XX-1", ""],
        ]
    )
    response = client.post("/participacion/eventos/importar/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "línea 3, columna inicio: Falta la fecha." in page
    assert "línea 4, columna municipio: No existe ese municipio en ese departamento." in page
    assert "línea 5, columna asistencia: No es un número entero." in page
    assert "línea 6: El mismo evento que la línea 2" in page
    assert "línea 7, columna mecanismo: Mecanismo desconocido." in page
    assert "línea 7, columna centros: Centro desconocido: XX-1." in page
    assert not ParticipationEvent.objects.exists()


def test_a_good_import_stores_every_row_once_and_refuses_the_same_file_again(client):
    rows = [
        HEADER,
        ["ferias_salud", "Festival", "09/04/2016", "", "Huizúcar", "La Libertad", "", "HG", 900],
        ["campanas_salud", "Vacunación", "2016-05-02", "2016-05-03", "Ilobasco", "CA", "", "", ""],
    ]
    response = client.post("/participacion/eventos/importar/", {"file": xlsx(rows)})
    assert response.status_code == 302
    assert ParticipationEvent.objects.count() == 2
    again = client.post("/participacion/eventos/importar/", {"file": xlsx(rows)})
    assert again.status_code == 400
    assert "Ya importado: Festival (09/04/2016)" in again.content.decode()
    assert ParticipationEvent.objects.count() == 2


def test_a_file_that_is_not_a_spreadsheet_is_refused(client):
    upload = SimpleUploadedFile("eventos.xlsx", b"PK\x03\x04 not really a workbook")
    response = client.post("/participacion/eventos/importar/", {"file": upload})
    assert response.status_code == 400
    assert "no es un libro XLSX válido" in response.content.decode()


def test_evidence_must_be_a_photo_or_a_pdf_and_is_served_only_to_its_keepers(
    client, comms, client_for, analyst, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    event = _event(comms)
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 an executable")
    client.post(f"/participacion/eventos/{event.pk}/evidencias/", {"evidence-file": fake})
    assert not EventEvidence.objects.exists()
    photo = SimpleUploadedFile("foto.png", PNG)
    client.post(f"/participacion/eventos/{event.pk}/evidencias/", {"evidence-file": photo})
    evidence = EventEvidence.objects.get()
    assert evidence.content_type == "image/png"
    url = f"/participacion/eventos/{event.pk}/evidencias/{evidence.pk}/"
    served = client.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PNG
    assert client_for(analyst).get(url).status_code == 403


def test_figures_in_the_future_are_refused_and_growth_is_read_between_two_days(client):
    account = SocialAccount.objects.get(handle="@isss_gob_sv")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/participacion/redes/{account.pk}/", {"on": tomorrow.isoformat(), "followers": "10"}
    )
    assert response.status_code == 400
    assert "un día que ya pasó" in response.content.decode()
    for day, followers in (("2015-12-31", 39_400), ("2016-06-30", 43_700), ("2016-12-31", 45_337)):
        client.post(f"/participacion/redes/{account.pk}/", {"on": day, "followers": followers})
    page = client.get("/participacion/redes/", {"date_from": "2016-01-01", "date_to": "2016-12-31"})
    row = next(r for r in page.context["rows"] if r["account"] == account)
    assert (row["from"], row["to"], row["growth"]) == (39_400, 45_337, 5_937)


def test_figures_import_refuses_a_duplicate_row_and_stores_nothing(client):
    text = (
        "cuenta,fecha,seguidores,interacciones,mujeres,hombres\n"
        "@isss_gob_sv,31/01/2016,39800,120,,\n"
        "Instituto Salvadoreño del Seguro Social,31/01/2016,15500,140,61,39\n"
        "@isss_gob_sv,31/01/2016,39900,,,\n"
    )
    upload = SimpleUploadedFile("cifras.csv", text.encode())
    response = client.post("/participacion/redes/importar/", {"file": upload})
    assert response.status_code == 400
    assert "línea 4: La misma cuenta y fecha que la línea 2." in response.content.decode()
    assert not AccountFigures.objects.exists()
    good = SimpleUploadedFile("cifras.csv", text.rsplit("@isss", 1)[0].encode())
    assert client.post("/participacion/redes/importar/", {"file": good}).status_code == 302
    facebook = AccountFigures.objects.get(account__network="facebook")
    assert {a.band: str(a.percent) for a in facebook.audience.all()} == {
        "women": "61.00",
        "men": "39.00",
    }


def test_information_media_are_counted_in_the_offices_and_the_centres(client):
    for data in (
        {"kind": "bulletin_board", "name": "Torre", "dependency": _centre_id("TA"), "quantity": 14},
        {"kind": "bulletin_board", "name": "HG", "dependency": _centre_id("HG"), "quantity": 2},
        {"kind": "tv_screen", "name": "ISSS TV", "dependency": _centre_id("HG"), "quantity": 1},
    ):
        assert client.post("/participacion/medios/nuevo/", data).status_code == 302
    summary = {row["code"]: row for row in client.get("/participacion/medios/").context["summary"]}
    board = summary["bulletin_board"]
    assert (board["total"], board["in_offices"], board["in_centres"]) == (16, 14, 2)
    assert summary["tv_screen"]["centres"] == 1
    bad = client.post(
        "/participacion/medios/nuevo/",
        {"kind": "tv_screen", "name": "X", "quantity": 1, "since": "2016-05-01",
         "until": "2016-04-01"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert InformationMedium.objects.count() == 3


def test_the_mechanism_description_is_edited_by_communications_only(client, client_for, agent):
    url = "/participacion/mecanismos/ferias_salud/"
    assert client_for(agent).get(url).status_code == 403
    data = {"name": "Ferias de salud", "objective": "Nuevo objetivo", "requirements": "Ninguno",
            "location": "", "source": "SES", "is_active": "on"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert client.get("/participacion/mecanismos/").status_code == 200


def _mechanism_id(code: str) -> int:
    from enlace.participation.models import Mechanism

    return Mechanism.objects.get(code=code).pk


def _centre_id(code: str) -> int:
    from enlace.directory.models import Dependency

    return Dependency.objects.get(code=code).pk


def _event(user: User) -> ParticipationEvent:
    from enlace.directory.models import Municipality
    from enlace.participation.models import Mechanism

    return ParticipationEvent.objects.create(
        mechanism=Mechanism.objects.get(code="ferias_salud"),
        name="Festival",
        starts_on=date(2016, 3, 5),
        ends_on=date(2016, 3, 5),
        municipality=Municipality.objects.get(name="Ilobasco"),
        region="central",
        created_by=user,
    )


def test_communications_staff_start_on_the_participation_records(client):
    response = client.get("/casos/")
    assert response.status_code == 302
    assert response["Location"] == "/participacion/"
    page = client.get("/participacion/").content.decode()
    assert "Eventos de participación" in page


def test_communications_staff_are_not_offered_the_case_pages(client):
    page = client.get("/participacion/").content.decode()
    assert 'href="/casos/"' not in page
    assert 'href="/informes/mecanismos/"' in page
