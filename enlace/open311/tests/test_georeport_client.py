"""An independent Open311 client, `georeport` from PyPI, against a running Enlace: it lists the
services and the requests, reads a service definition and one request, in JSON and in XML; a
request posted through Open311 (form-encoded, as the specification says: georeport 0.3.1 has
no method for it, so it is posted with `requests`, which georeport itself uses) becomes a case
the resolution section opens in the console."""

import pytest
import requests
from georeport import GeoReport  # type: ignore[import-untyped]

from enlace.accounts.models import Role
from enlace.cases.models import Case
from enlace.cases.rules import normalise_tracking_code

# The live server reads committed rows; restoring the serialized database afterwards keeps the
# reference data for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_georeport_client_lists_and_a_post_reaches_the_console(
    live_server, settings, make_key, make_case, client_for, resolution
):
    settings.OPEN311_PUBLIC_REQUESTS = True  # the client sends no key when it reads
    root = f"{live_server.url}/open311/v2/"
    earlier = make_case(type="queja", centre="HG")
    client = GeoReport(root, jurisdiction="isss.gob.sv")

    services = client.get_service_list()
    codes = {service["service_code"] for service in services}
    assert {
        "opinion-reclamo",
        "opinion-queja",
        "opinion-felicitacion",
        "consulta-horarios",
    } <= codes
    definition = client.get_service_definition("opinion-reclamo")
    assert definition["attributes"][0]["code"] == "centre"

    _key, raw = make_key(Role.AGENT, name="Sitio web del instituto")
    posted = requests.post(
        f"{root}requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": "isss.gob.sv",
            "service_code": "opinion-reclamo",
            "attribute[centre]": "HG",
            "description": "No me entregaron los resultados del examen.",
            "first_name": "José",
            "last_name": "Martínez",
            "email": "jose@example.com",
            "lat": "13.6989",
            "long": "-89.1914",
        },
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    code = posted.json()[0]["service_request_id"]

    listed = client.get_service_requests()
    assert {r["service_request_id"] for r in listed} == {code, earlier.display_code}
    assert all("description" not in r for r in listed)  # anonymous: no description
    opinion = client.get_service_requests(service_code="opinion-reclamo", status="open")
    assert [r["service_request_id"] for r in opinion] == [code]
    one = client.get_service_request(code)
    assert (one["service_request_id"], one["status"], one["service_code"]) == (
        code,
        "open",
        "opinion-reclamo",
    )

    as_xml = GeoReport(root, output_format="xml")
    assert {s["service_code"] for s in as_xml.get_service_list()} == codes
    assert as_xml.get_service_request(code)["service_request_id"] == code

    case = Case.objects.get(tracking_code=normalise_tracking_code(code))
    assert (case.channel.code, case.dependency.code, case.citizen_name) == (
        "sitio_web",
        "HG",
        "José Martínez",
    )
    page = client_for(resolution).get(f"/casos/{case.pk}/")
    assert page.status_code == 200
    assert code in page.content.decode()
    assert "No me entregaron los resultados del examen." in page.content.decode()


def test_by_default_the_client_may_list_services_but_not_requests(live_server, make_case):
    make_case()
    client = GeoReport(f"{live_server.url}/open311/v2/")
    assert client.get_service_list()
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_requests()
    assert refused.value.response.status_code == 401
    assert refused.value.response.json()[0]["code"] == 401
