"""Reading a POSTed service request (form-encoded, as the specification and its clients send
it) into the console's intake form, so a case registered through Open311 passes exactly the
checks a case typed by an agent does. Anything unknown, repeated or malformed is refused with a
400 naming it; nothing is written until every check has passed."""

from __future__ import annotations

import math
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from enlace.cases.actions import NewCase
from enlace.cases.forms import IntakeForm
from enlace.directory.models import Dependency
from enlace.open311.errors import Open311Error
from enlace.open311.services import (
    AFFILIATION,
    ATTRIBUTES,
    CENTRE,
    DUI,
    OPINION,
    find_service,
    parse_service_code,
)

FIELDS = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
    }
)
MAX_LENGTH = {
    "description": 10_000,
    "address_string": 500,
    "address_id": 100,
    "media_url": 500,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 20,
    "device_id": 200,
    "account_id": 200,
    "service_code": 100,
    "jurisdiction_id": 200,
    "api_key": 200,
}
MAX_ATTRIBUTE_LENGTH = 200
# Where the form's messages point, in the specification's names.
_FORM_FIELDS = {
    "citizen_name": "first_name/last_name",
    "citizen_email": "email",
    "citizen_phone": "phone",
    "citizen_dui": f"attribute[{DUI}]",
    "citizen_affiliation": f"attribute[{AFFILIATION}]",
    "dependency": f"attribute[{CENTRE}]",
    "description": "description",
    "topic": "service_code",
    "opinion_type": "service_code",
    "channel": "channel",
}


def single_values(params: QueryDict) -> dict[str, str]:
    """Each parameter's one value; a parameter sent twice, a name the specification does not
    define, or text the database cannot store is refused."""
    values: dict[str, str] = {}
    unknown: list[str] = []
    for name in params:
        found = params.getlist(name)
        if len(found) != 1:
            raise Open311Error(400, _("Send %(name)s once.") % {"name": name[:60]})
        value = found[0]
        if "\x00" in value or "\x00" in name:
            raise Open311Error(400, _("The request contains a NUL character."))
        is_attribute = name.startswith("attribute[") and name.endswith("]")
        if name not in FIELDS and not is_attribute:
            unknown.append(name[:60])
            continue
        limit = MAX_LENGTH.get(name, MAX_ATTRIBUTE_LENGTH)
        if len(value) > limit:
            raise Open311Error(
                400,
                _("%(name)s is longer than %(limit)s characters.") % {"name": name, "limit": limit},
            )
        values[name] = value
    if unknown:
        raise Open311Error(
            400, _("Unknown parameters: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    return values


def _attributes(values: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in values.items():
        if name.startswith("attribute["):
            code = name[len("attribute[") : -1]
            if code not in ATTRIBUTES:
                raise Open311Error(400, _("Unknown attribute “%(code)s”.") % {"code": code[:60]})
            found[code] = value.strip()
    return found


def _coordinate(values: dict[str, str], name: str, limit: float) -> float | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, _("%(name)s is not a valid coordinate.") % {"name": name})
    return number


def _where(values: dict[str, str]) -> str:
    """The location and media the request gave, as lines for the case's description (Enlace's
    cases have no location fields)."""
    lat = _coordinate(values, "lat", 90)
    long = _coordinate(values, "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Send both lat and long, or neither."))
    media_url = values.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url is not an http(s) address.")) from None
    lines = []
    # Written into the case, so in the institute's language, not the caller's.
    with translation.override(settings.LANGUAGE_CODE):
        place = ", ".join(
            part
            for part in (
                values.get("address_string", "").strip(),
                values.get("address_id", "").strip(),
            )
            if part
        )
        if lat is not None:
            place = f"{place} ({lat}, {long})".strip()
        if place:
            lines.append(_("Location: %(place)s") % {"place": place})
        if media_url:
            lines.append(_("Media: %(url)s") % {"url": media_url})
    return "\n".join(lines)


def read_submission(values: dict[str, str], *, fixed_dependency: Dependency | None) -> NewCase:
    """The NewCase a POST describes, checked by the console's intake form."""
    code_text = values.get("service_code", "").strip()
    if not code_text:
        raise Open311Error(400, _("service_code is required."))
    service = parse_service_code(code_text)
    entry = find_service(service) if service is not None else None
    if service is None or entry is None:
        raise Open311Error(400, _("Unknown service_code “%(value)s”.") % {"value": code_text[:60]})
    description = values.get("description", "").strip()
    if not description:
        raise Open311Error(400, _("description is required."))
    attributes = _attributes(values)
    opinion = service.group == OPINION
    if opinion and not attributes.get(CENTRE) and fixed_dependency is None:
        raise Open311Error(400, _("attribute[centre] is required for an opinion."))
    centre_code = attributes.get(CENTRE, "")
    if centre_code and not Dependency.objects.active().filter(code=centre_code).exists():
        raise Open311Error(
            400,
            _("attribute[centre]: there is no active centre “%(code)s”.") % {"code": centre_code},
        )
    where = _where(values)
    name = " ".join(
        part
        for part in (values.get("first_name", "").strip(), values.get("last_name", "").strip())
        if part
    )
    form = IntakeForm.from_values(
        {
            "kind": service.group,
            "channel": settings.OPEN311_CHANNEL,
            "opinion_type": entry.code if opinion else "",
            "topic": "" if opinion else entry.code,
            "dependency": centre_code,
            "description": f"{description}\n\n{where}" if where else description,
            "citizen": {
                "name": name,
                "dui": attributes.get(DUI, ""),
                "affiliation": attributes.get(AFFILIATION, ""),
                "phone": values.get("phone", "").strip(),
                "email": values.get("email", "").strip(),
            },
        },
        fixed_dependency=fixed_dependency,
    )
    if not form.is_valid():
        raise Open311Error(400, "; ".join(_form_errors(form)))
    return form.new_case(intake_token=uuid.uuid4())


def _form_errors(form: IntakeForm) -> list[str]:
    messages = []
    for name, errors in form.errors.get_json_data().items():
        label = _FORM_FIELDS.get(name, name)
        for error in errors:
            messages.append(
                f"{label}: {error['message']}" if name != "__all__" else error["message"]
            )
    return messages
