"""Creating a service request: form-encoded with an api_key that may write, registered as a
case by the console's own action as the key's service account, on the website channel. Every
bad input is a 4xx in the specification's shape, and nothing is stored."""

import json
import uuid

import pytest

from enlace.accounts.models import Role
from enlace.apikeys.actions import do_revoke_api_key
from enlace.apikeys.models import ApiAudit
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.open311.tests.conftest import BASE

URL = f"{BASE}requests.json"


def claim(raw, **overrides):
    data = {
        "api_key": raw,
        "service_code": "opinion-reclamo",
        "attribute[centre]": "HG",
        "description": "No había medicamento en la farmacia.",
        "first_name": "María",
        "last_name": "Hernández",
        "email": "maria@example.com",
        "phone": "7123-4567",
        "attribute[dui]": "00016297-5",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def refused(response, status, message):
    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == status
    assert message in error["description"], error["description"]
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_post_registers_a_case_as_the_keys_account(en, make_key):
    key, raw = make_key(Role.RESOLUTION)
    response = en.post(URL, claim(raw, lat="13.7", long="-89.2", address_string="Col. Escalón"))
    assert response.status_code == 201
    [answer] = response.json()
    case = Case.objects.get()
    assert answer["service_request_id"] == case.display_code
    assert answer["token"] == str(case.intake_token)
    assert answer["account_id"] is None
    assert (case.kind, case.opinion_type.code, case.dependency.code) == ("opinion", "reclamo", "HG")
    assert case.channel.code == "sitio_web"
    assert case.created_by == key.user
    assert (case.citizen_name, case.citizen_email) == ("María Hernández", "maria@example.com")
    assert (case.citizen_phone, case.citizen_dui) == ("+50371234567", "00016297-5")
    assert case.description.startswith("No había medicamento en la farmacia.")
    assert "Col. Escalón (13.7, -89.2)" in case.description
    event = case.events.get(kind=EventKind.REGISTERED)
    assert event.actor == key.user
    assert case.next_due_on is not None  # its deadlines, as any case
    # The token names the case.
    tokens = en.get(f"{BASE}tokens/{answer['token']}.json", {"api_key": raw}).json()
    assert tokens == [{"service_request_id": case.display_code, "token": answer["token"]}]
    # To another account's key, or to no key, the token names nothing.
    _other, other_raw = make_key(Role.RESOLUTION, name="Otro sistema")
    assert en.get(f"{BASE}tokens/{answer['token']}.json", {"api_key": other_raw}).status_code == 404
    assert en.get(f"{BASE}tokens/{answer['token']}.json").status_code == 401
    # The write is audited with its key, as the REST API's are.
    audit = ApiAudit.objects.get()
    assert (audit.api_key, audit.user, audit.method, audit.status_code, audit.object_id) == (
        key,
        key.user,
        "POST",
        201,
        case.display_code,
    )
    assert audit.path == URL


def test_an_inquiry_needs_no_centre(en, make_key):
    _key, raw = make_key(Role.AGENT)
    response = en.post(
        URL,
        {"api_key": raw, "service_code": "consulta-horarios", "description": "¿A qué hora abren?"},
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert (case.kind, case.topic.code, case.dependency, case.status) == (
        "consulta",
        "horarios",
        None,
        "received",
    )


def test_a_post_in_xml(en, make_key):
    _key, raw = make_key()
    response = en.post(f"{BASE}requests.xml", claim(raw))
    assert response.status_code == 201
    assert b"<service_requests><request><service_request_id>" in response.content


def test_a_key_of_its_centre_registers_for_it(en, make_key):
    _key, raw = make_key(Role.RESOLUTION, centres=("HG",))
    assert en.post(URL, claim(raw)).status_code == 201


def test_a_punto_seguro_key_registers_at_its_desk(en, make_key):
    _key, raw = make_key(Role.PUNTO_SEGURO, centres=("HG",))
    response = en.post(URL, claim(raw, **{"attribute[centre]": None}))
    assert response.status_code == 201
    case = Case.objects.get()
    assert (case.dependency.code, case.channel.code) == ("HG", "punto_seguro")


def test_no_key(en, db):
    refused(en.post(URL, claim("")), 401, "An api_key is required to create")
    data = claim("x")
    del data["api_key"]
    refused(en.post(URL, data), 401, "An api_key is required to create")


def test_a_revoked_key(en, make_key, admin_user):
    key, raw = make_key()
    do_revoke_api_key(key, acting_user=admin_user)
    refused(en.post(URL, claim(raw)), 401, "Unknown or revoked api_key.")


def test_a_read_only_key(en, make_key):
    key, raw = make_key(can_write=False)
    refused(en.post(URL, claim(raw)), 403, "This api_key may only read.")
    # The refusal is audited too, with its key.
    assert list(ApiAudit.objects.values_list("api_key", "status_code")) == [(key.pk, 403)]


def test_a_key_of_one_centre_posting_for_another(en, make_key):
    _key, raw = make_key(Role.RESOLUTION, centres=("UM-ZAC",))
    refused(en.post(URL, claim(raw)), 403, "may only register cases of its centres")
    inquiry = {"api_key": raw, "service_code": "consulta-horarios", "description": "Horario"}
    refused(en.post(URL, inquiry), 403, "may only register cases of its centres")


def test_a_role_that_does_not_register(en, make_key):
    _key, raw = make_key(Role.ANALYST)
    refused(en.post(URL, claim(raw)), 403, "does not register cases")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service_code": None}, "service_code is required."),
        ({"service_code": "opinion-nada"}, "Unknown service_code “opinion-nada”."),
        ({"service_code": "reclamo"}, "Unknown service_code “reclamo”."),
        ({"description": "   "}, "description is required."),
        ({"attribute[centre]": None}, "attribute[centre] is required for an opinion."),
        ({"attribute[centre]": "NO-EXISTE"}, "there is no active centre “NO-EXISTE”"),
        ({"attribute[color]": "rojo"}, "Unknown attribute “color”."),
        ({"attribute[dui]": "12345678-9"}, "attribute[dui]:"),
        ({"phone": "12"}, "phone:"),
        ({"email": "no-es-correo"}, "email:"),
        ({"lat": "13.7"}, "Send both lat and long, or neither."),
        ({"lat": "91", "long": "0"}, "lat is not a valid coordinate."),
        ({"lat": "nan", "long": "0"}, "lat is not a valid coordinate."),
        ({"lat": "norte", "long": "0"}, "lat is not a valid coordinate."),
        ({"media_url": "javascript:alert(1)"}, "media_url is not an http(s) address."),
        ({"color": "rojo", "size": "2"}, "Unknown parameters: color, size."),
        ({"description": "x" * 10_001}, "description is longer than 10000 characters."),
        ({"description": "con \x00 nulo"}, "NUL character"),
        ({"jurisdiction_id": "otra"}, ""),  # accepted: no jurisdiction is configured
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(en, make_key, overrides, message):
    _key, raw = make_key()
    response = en.post(URL, claim(raw, **overrides))
    if overrides == {"jurisdiction_id": "otra"}:
        assert response.status_code == 201
        return
    refused(response, 400, message)


def test_a_parameter_sent_twice(en, make_key):
    _key, raw = make_key()
    body = (
        "&".join(f"{k}={v}" for k, v in claim(raw).items() if not k.startswith("attribute"))
        + "&attribute%5Bcentre%5D=HG&service_code=opinion-queja"
    )
    response = en.post(URL, body, content_type="application/x-www-form-urlencoded")
    refused(response, 400, "Send service_code once.")


def test_json_is_refused_with_a_clear_message(en, make_key):
    _key, raw = make_key()
    response = en.post(URL, json.dumps(claim(raw)), content_type="application/json")
    refused(response, 400, "Send the request form-encoded")
    response = en.post(URL, "{no es json", content_type="application/json")
    refused(response, 400, "Send the request form-encoded")


def test_a_huge_body_is_refused(en, make_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    _key, raw = make_key()
    response = en.post(URL, claim(raw, address_id="x" * 60_000))
    refused(response, 413, "The request is too large.")


def test_too_many_fields(en, make_key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    _key, raw = make_key()
    data = claim(raw, **{f"x{n}": "1" for n in range(30)})
    refused(en.post(URL, data), 400, "too many fields")


def test_a_wrong_jurisdiction(en, make_key, settings):
    settings.OPEN311_JURISDICTION_ID = "isss.gob.sv"
    _key, raw = make_key()
    refused(en.post(URL, claim(raw, jurisdiction_id="otra")), 404, "Unknown jurisdiction_id.")
    assert en.post(URL, claim(raw, jurisdiction_id="isss.gob.sv")).status_code == 201


def test_an_unknown_token(en, make_case, make_key):
    _key, raw = make_key()
    console = make_case(intake_token=uuid.uuid4())  # a console form's token: not resolved
    for token in ("nada", "00000000-0000-0000-0000-000000000000", str(console.intake_token)):
        response = en.get(f"{BASE}tokens/{token}.json", {"api_key": raw})
        assert response.status_code == 404
        assert response.json()[0]["description"] == "No such token."


def test_messages_follow_the_language_of_the_request(client, make_key):
    _key, raw = make_key(can_write=False)
    assert client.post(URL, claim(raw), HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"
    assert client.post(URL, claim(raw), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
