"""Discovery, the service list (opinion types and inquiry topics) and each service's
definition, in JSON and XML: public, since they hold no case data."""

import pytest

from enlace.catalogues.models import InquiryTopic, OpinionType
from enlace.open311.tests.conftest import BASE, parse_xml


def test_services_are_the_opinion_types_and_the_inquiry_topics(en):
    response = en.get(f"{BASE}services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    codes = [s["service_code"] for s in services]
    opinion_codes = [
        f"opinion-{c}" for c in OpinionType.objects.active().values_list("code", flat=True)
    ]
    topic_codes = [
        f"consulta-{c}" for c in InquiryTopic.objects.active().values_list("code", flat=True)
    ]
    assert codes == opinion_codes + topic_codes
    assert {
        "opinion-reclamo",
        "opinion-queja",
        "opinion-sugerencia",
        "opinion-denuncia",
        "opinion-peticion",
        "opinion-felicitacion",
        "consulta-horarios",
    } <= set(codes)
    claim = next(s for s in services if s["service_code"] == "opinion-reclamo")
    assert claim == {
        "service_code": "opinion-reclamo",
        "service_name": OpinionType.objects.get(code="reclamo").name,
        "description": claim["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": f"opinion, {OpinionType.objects.get(code='reclamo').name}",
        "group": "opinion",
    }
    assert "centre" in claim["description"]
    hours = next(s for s in services if s["service_code"] == "consulta-horarios")
    assert hours["group"] == "consulta"


def test_an_inactive_opinion_type_is_not_offered(en):
    OpinionType.objects.filter(code="denuncia").update(is_active=False)
    codes = [s["service_code"] for s in en.get(f"{BASE}services.json").json()]
    assert "opinion-denuncia" not in codes
    assert en.get(f"{BASE}services/opinion-denuncia.json").status_code == 404


def test_services_in_xml(en):
    response = en.get(f"{BASE}services.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = parse_xml(response.content)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert first.findtext("service_code") == "opinion-reclamo"
    assert first.findtext("metadata") == "true"
    assert first.findtext("type") == "realtime"


def test_an_opinion_service_needs_the_centre(en):
    definition = en.get(f"{BASE}services/opinion-queja.json").json()
    assert definition["service_code"] == "opinion-queja"
    centre = definition["attributes"][0]
    assert (centre["code"], centre["required"], centre["datatype"], centre["variable"]) == (
        "centre",
        True,
        "singlevaluelist",
        True,
    )
    keys = {value["key"] for value in centre["values"]}
    assert {"HG", "UM-ZAC"} <= keys
    assert [a["code"] for a in definition["attributes"]] == ["centre", "dui", "affiliation"]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3]


def test_an_inquiry_service_may_name_a_centre(en):
    definition = en.get(f"{BASE}services/consulta-horarios.json").json()
    assert definition["attributes"][0]["required"] is False


def test_a_service_definition_in_xml(en):
    root = parse_xml(en.get(f"{BASE}services/opinion-queja.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "opinion-queja"
    attribute = root.find("attributes/attribute")
    assert attribute is not None
    assert attribute.findtext("code") == "centre"
    assert attribute.findtext("required") == "true"
    values = attribute.findall("values/value")
    assert any(v.findtext("key") == "HG" for v in values)


@pytest.mark.parametrize(
    "code", ["queja", "opinion-", "opinion-nada", "otro-queja", "consulta-queja"]
)
def test_an_unknown_service_is_a_404_in_the_specifications_shape(en, code):
    response = en.get(f"{BASE}services/{code}.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404
    assert "Unknown service_code" in error["description"]


def test_errors_in_xml(en):
    response = en.get(f"{BASE}services/nada.xml")
    assert response.status_code == 404
    root = parse_xml(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert root.findtext("error/description")


def test_discovery(en):
    document = en.get(f"{BASE}discovery.json").json()
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert document["changeset"].endswith("-06:00")
    root = parse_xml(en.get(f"{BASE}discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_a_jurisdiction_id_is_accepted_and_checked_when_configured(en, settings):
    assert en.get(f"{BASE}services.json", {"jurisdiction_id": "isss.gob.sv"}).status_code == 200
    settings.OPEN311_JURISDICTION_ID = "isss.gob.sv"
    assert en.get(f"{BASE}services.json", {"jurisdiction_id": "isss.gob.sv"}).status_code == 200
    assert en.get(f"{BASE}services.json").status_code == 200  # one jurisdiction: optional
    response = en.get(f"{BASE}services.json", {"jurisdiction_id": "otra.gob.sv"})
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "Unknown jurisdiction_id."}]


def test_unknown_paths_and_formats_answer_in_the_specifications_shape(en):
    for path in ("services.csv", "nada.json", "requests/ABC.html"):
        response = en.get(f"{BASE}{path}")
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    assert parse_xml(en.get(f"{BASE}nada.xml").content).tag == "errors"


def test_methods_that_do_not_apply(en):
    response = en.post(f"{BASE}services.json", {})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()[0]["code"] == 405
    assert en.delete(f"{BASE}requests.json").status_code == 405
