"""The services Enlace offers through GeoReport v2: each active opinion type and each active
inquiry topic of the catalogues. A service code names its group and its catalogue code
(`opinion-queja`, `consulta-horarios`), so an opinion type and an inquiry topic of the same
code can never be confused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from enlace.cases.lifecycle import CaseKind
from enlace.catalogues.models import InquiryTopic, OpinionType
from enlace.directory.models import Dependency

# The group of a service is the kind of case it registers.
OPINION = CaseKind.OPINION.value  # "opinion"
INQUIRY = CaseKind.INQUIRY.value  # "consulta"
GROUPS = (OPINION, INQUIRY)

# The attributes a service request may carry (attribute[<code>]).
CENTRE = "centre"
DUI = "dui"
AFFILIATION = "affiliation"
ATTRIBUTES = (CENTRE, DUI, AFFILIATION)


@dataclass(frozen=True)
class ServiceCode:
    group: str  # OPINION or INQUIRY
    code: str  # the catalogue's code

    def __str__(self) -> str:
        return f"{self.group}-{self.code}"


_CATALOGUE_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")  # a catalogue code is a slug


def parse_service_code(text: str) -> ServiceCode | None:
    """The group and catalogue code of a service code, or None if it cannot be one (pure)."""
    group, sep, code = text.strip().partition("-")
    if not sep or group not in GROUPS or not _CATALOGUE_CODE.match(code):
        return None
    return ServiceCode(group, code)


def service_code_of(kind: str, opinion_type_code: str | None, topic_code: str | None) -> str:
    """The service code of a case (empty for one still to classify)."""
    if kind == OPINION and opinion_type_code:
        return str(ServiceCode(OPINION, opinion_type_code))
    if kind == INQUIRY and topic_code:
        return str(ServiceCode(INQUIRY, topic_code))
    return ""


def _service(group: str, code: str, name: str) -> dict[str, Any]:
    if group == OPINION:
        description = _(
            "An opinion (%(name)s) about a service of the institute, for follow-up and an "
            "answer. Say which centre it is about (attribute centre)."
        ) % {"name": name}
        keywords = [_("opinion"), name]
    else:
        description = _("An inquiry about: %(name)s.") % {"name": name}
        keywords = [_("inquiry"), name]
    return {
        "service_code": str(ServiceCode(group, code)),
        "service_name": name,
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": group,
    }


def service_list() -> list[dict[str, Any]]:
    """Every active opinion type, then every active inquiry topic, in catalogue order."""
    services = [
        _service(OPINION, code, name)
        for code, name in OpinionType.objects.active().values_list("code", "name")
    ]
    services += [
        _service(INQUIRY, code, name)
        for code, name in InquiryTopic.objects.active().values_list("code", "name")
    ]
    return services


def find_service(service: ServiceCode) -> OpinionType | InquiryTopic | None:
    """The active catalogue entry a service code names, or None."""
    model: type[OpinionType] | type[InquiryTopic] = (
        OpinionType if service.group == OPINION else InquiryTopic
    )
    return model.objects.active().filter(code=service.code).first()


def service_definition(service: ServiceCode) -> dict[str, Any]:
    """The attributes a request for `service` may carry: the centre (required for an opinion,
    one of the active centres by code), the citizen's DUI and affiliation number."""
    centres = [
        {"key": code, "name": name}
        for code, name in Dependency.objects.active().order_by("name").values_list("code", "name")
    ]
    opinion = service.group == OPINION
    return {
        "service_code": str(service),
        "attributes": [
            {
                "variable": True,
                "code": CENTRE,
                "datatype": "singlevaluelist",
                "required": opinion,
                "datatype_description": _("The code of the centre (dependency)."),
                "order": 1,
                "description": _("The centre the opinion is about")
                if opinion
                else _("The centre the inquiry is about, if any"),
                "values": centres,
            },
            {
                "variable": True,
                "code": DUI,
                "datatype": "string",
                "required": False,
                "datatype_description": _("00000000-0: eight digits and the check digit."),
                "order": 2,
                "description": _("The citizen's DUI"),
                "values": [],
            },
            {
                "variable": True,
                "code": AFFILIATION,
                "datatype": "string",
                "required": False,
                "datatype_description": _("Digits only."),
                "order": 3,
                "description": _("The citizen's affiliation number at the institute"),
                "values": [],
            },
        ],
    }
