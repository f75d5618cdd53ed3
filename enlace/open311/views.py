"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, service
requests (list, one, create) and tokens, each in JSON and XML.

Who may do what:
- discovery, services and service definitions are public (the catalogues, no case data);
- reading requests needs an API key (`api_key`, or the `Authorization: Bearer` / `X-API-Key`
  header) and shows the cases of the key's scope: its account's role and its centres. Without
  a key, requests are refused unless OPEN311_PUBLIC_REQUESTS is on: complaints about health
  care are private, and even the list of a small clinic's complaints by day may point at a
  patient. When it is on, anonymous readers get only fields without personal data, never the
  description (see docs/open311.md);
- creating a request needs a key that may write, of a role that registers cases, for a centre
  within the key's centres; the case is registered by the console's own action
  (`do_register_case`) as the key's service account.
Errors are the specification's list of {code, description} with the HTTP status; nothing is
written by a refused request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from enlace.apikeys.audit import audited
from enlace.apikeys.auth import authenticate_key
from enlace.apikeys.models import ApiKey
from enlace.cases.actions import do_register_case
from enlace.cases.permissions import Capability, fixed_dependency_id, has_capability
from enlace.cases.rules import normalise_tracking_code
from enlace.core.api import audit_object
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.open311 import formats, queries
from enlace.open311.errors import Open311Error
from enlace.open311.params import parse_filters
from enlace.open311.services import (
    find_service,
    parse_service_code,
    service_definition,
    service_list,
)
from enlace.open311.submission import read_submission, single_values

# When this discovery document last changed (the specification's `changeset`).
DISCOVERY_CHANGESET = "2026-05-01T00:00:00-06:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

View = Callable[..., HttpResponse]


def open311_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Every endpoint: its methods, the jurisdiction check, and Open311Error as the
    specification's error list (never a 500 for bad input)."""

    def decorate(view: View) -> View:
        @csrf_exempt  # no cookie is ever read here: a key authenticates, not a session
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Open311Error(405, _("Method not allowed."))
                params = request.GET if request.method == "GET" else _form(request)
                _check_jurisdiction(params.get("jurisdiction_id", ""))
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                response = formats.error_response(fmt, error.status, error.description)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapper

    return decorate


def _form(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(
            400, _("Send the request form-encoded (application/x-www-form-urlencoded).")
        )
    try:
        return request.POST
    except RequestDataTooBig:
        raise Open311Error(413, _("The request is too large.")) from None
    except TooManyFieldsSent:
        raise Open311Error(400, _("The request has too many fields.")) from None


def _check_jurisdiction(value: str) -> None:
    configured = settings.OPEN311_JURISDICTION_ID
    if value and configured and value.strip() != configured:
        raise Open311Error(404, _("Unknown jurisdiction_id."))


def _key(request: HttpRequest, params: Any) -> ApiKey | None:
    """The request's API key, None when none was sent; a key sent but unknown or revoked is
    refused (401) rather than read as anonymous."""
    raw = str(params.get("api_key", "") or "")
    if not raw:
        header = request.headers.get("Authorization", "")
        raw = header[7:] if header.startswith("Bearer ") else request.headers.get("X-API-Key", "")
    if not raw.strip():
        return None
    key = authenticate_key(raw)
    if key is None:
        raise Open311Error(401, _("Unknown or revoked api_key."))
    # As in the REST API: the key acts as its service account, and its writes are audited.
    request.user = key.user
    request.api_key = key  # type: ignore[attr-defined]
    return key


def _reader(request: HttpRequest) -> ApiKey | None:
    key = _key(request, request.GET)
    if key is None and not settings.OPEN311_PUBLIC_REQUESTS:
        raise Open311Error(401, _("An api_key is required to read service requests."))
    return key


@open311_view(("GET",))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    document = {
        "changeset": DISCOVERY_CHANGESET,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2/"),
                "changeset": DISCOVERY_CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.render(fmt, document, root="discovery")


@open311_view(("GET",))
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return formats.render(fmt, service_list(), kind="services")


@open311_view(("GET",))
def service(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    parsed = parse_service_code(code)
    if parsed is None or find_service(parsed) is None:
        raise Open311Error(404, _("Unknown service_code “%(value)s”.") % {"value": code[:60]})
    return formats.render(fmt, service_definition(parsed), root="service_definition")


@audited  # a POST made with a key leaves an ApiAudit row with its outcome, as in the REST API
@open311_view(("GET", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    key = _reader(request)
    filters = parse_filters(request.GET.dict(), now=timezone.now())
    found = queries.request_list(
        queries.readable_cases(key), filters, with_description=key is not None
    )
    return formats.render(fmt, found, kind="service_requests")


@open311_view(("GET",))
def one_request(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    key = _reader(request)
    tracking_code = normalise_tracking_code(request_id)
    found = None
    if tracking_code is not None:
        found = queries.one_request(
            queries.readable_cases(key), tracking_code, with_description=key is not None
        )
    if found is None:
        raise Open311Error(404, _("No such service request."))
    return formats.render(fmt, [found], kind="service_requests")


@open311_view(("GET",))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    # A token names the case a POST created, to the account whose key posted it: asked with
    # another account's key, or none, it names nothing.
    key = _key(request, request.GET)
    if key is None:
        raise Open311Error(401, _("An api_key is required to look up a token."))
    code = queries.tracking_code_of_token(token, created_by=key.user)
    if code is None:
        raise Open311Error(404, _("No such token."))
    return formats.render(
        fmt, [{"service_request_id": code, "token": token}], kind="service_requests"
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    values = single_values(request.POST)
    key = _key(request, values)
    if key is None:
        raise Open311Error(401, _("An api_key is required to create a service request."))
    user = key.user
    if not key.can_write:
        raise Open311Error(403, _("This api_key may only read."))
    if not has_capability(user, Capability.REGISTER):
        raise Open311Error(403, _("The role of this api_key does not register cases."))
    fixed_id = fixed_dependency_id(user)
    fixed = Dependency.objects.get(pk=fixed_id) if fixed_id else None
    new_case = read_submission(values, fixed_dependency=fixed)
    allowed = key.dependency_ids()
    if allowed is not None and (
        new_case.dependency is None or new_case.dependency.pk not in allowed
    ):
        raise Open311Error(403, _("This api_key may only register cases of its centres."))
    try:
        case, _created = do_register_case(new_case, acting_user=user)
    except BusinessError as error:
        raise Open311Error(400, str(error)) from None
    audit_object(request, case.display_code)
    answer = {
        "service_request_id": case.display_code,
        "token": str(new_case.intake_token),
        "service_notice": _("Keep this tracking code to follow the case."),
        "account_id": None,
    }
    return formats.render(fmt, [answer], kind="service_requests", status=201)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the specification's error, in JSON unless the path
    asked for XML."""
    fmt = formats.XML if request.path.endswith(".xml") else formats.JSON
    return formats.error_response(fmt, 404, _("No such resource."))
