"""What the Open311 tests share: API keys made through the other app's own action, and a few
cases of two centres registered through the real action."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from enlace.accounts.models import Role
from enlace.apikeys.actions import do_create_api_key
from enlace.directory.models import Dependency

BASE = "/open311/v2/"


@pytest.fixture
def make_key(admin_user):
    def make(role=Role.RESOLUTION, *, can_write=True, centres=(), name="Sitio web"):
        return do_create_api_key(
            name=name,
            role=role,
            can_write=can_write,
            dependencies=list(Dependency.objects.filter(code__in=centres)),
            created_by=admin_user,
        )

    return make


@pytest.fixture
def en(db, client):
    """An anonymous client that reads English messages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def cases(make_case, agent):
    """An open claim at Hospital General, a closed complaint at Zacamil, an inquiry answered
    on the phone (closed)."""
    from enlace.cases import actions

    claim = make_case(
        type="reclamo",
        centre="HG",
        by=agent,
        citizen={"name": "Ana Secreta", "dui": "00016297-5", "email": "ana@example.com"},
        description="Me negaron la receta (dato privado)",
    )
    complaint = make_case(type="queja", centre="UM-ZAC", by=agent)
    complaint = actions.do_close_case(complaint, "Se resolvió.", acting_user=agent)
    inquiry = make_case(
        "consulta", topic="horarios", by=agent, answered_at_first_contact=True, answer="De 7 a 19 h"
    )
    return {"claim": claim, "complaint": complaint, "inquiry": inquiry}


def parse_xml(content: bytes) -> ET.Element:
    """Our own answers, parsed to check their structure."""
    return ET.fromstring(content)  # noqa: S314 (the test's own server's output)
