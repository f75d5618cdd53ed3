"""The JSON API under /api/v1/ (Django Ninja). Each router lives in its app's api.py.

Authentication: an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`, see
enlace/apikeys) or the browser's staff session (with the CSRF token on writes). Every error is
`{"detail": ..., "errors": [...]}` (enlace/core/api.py); every write is audited."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from enlace.apikeys.audit import audited
from enlace.apikeys.auth import API_AUTH
from enlace.campaigns.api import router as campaigns_router
from enlace.cases.api import inquiries as inquiries_router
from enlace.cases.api import router as cases_router
from enlace.catalogues.api import router as catalogues_router
from enlace.core.api import FormInvalid, TooManyReads, error_response
from enlace.core.errors import BusinessError
from enlace.directory.api import router as directory_router
from enlace.oir.api import router as oir_router
from enlace.reports.api import router as reports_router
from enlace.surveys.api import router as surveys_router


class EnlaceAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = audited(json_not_allowed(pattern.callback))
        # Any other path under /api/v1/ is a 404 in the API's own shape, not an HTML page.
        urls.append(re_path(r"^.*$", no_such_endpoint))
        return urls


def json_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method a path does not take with an empty 405: give it the API's shape
    (keeping its Allow header)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            answer = _error(
                request,
                405,
                _("This path does not take the method %(method)s.") % {"method": request.method},
            )
            answer["Allow"] = response.get("Allow", "")
            return answer
        return response

    return wrapper


def no_such_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _error(request, 404, _("There is no such endpoint in this API."))


DESCRIPTION = """
Enlace's API for the institute's other systems (the phone system, the website, the appointments
system, BI tools) and civic tools.

**Authentication.** An API key, created by an administrator in the admin
(`/admin/apikeys/apikey/`) and shown once: send it as `Authorization: Bearer <key>` or
`X-API-Key: <key>`. A key reads, or reads and writes; it may be limited to some centres; it acts
as a person of the role it was given would, and the cases' history names it. In the browser,
the staff session works too (writes need the CSRF token).

**Cases** are named by their tracking code (`XXXXX-XXXXX`). Lists page by cursor: follow
`next`. A create with an `Idempotency-Key` header can be retried safely.

**Errors** are always `{"detail": "...", "errors": [{"loc": [...], "msg": "...", "type":
"..."}]}`: 400 the body is not JSON, 401 no or a wrong key, 403 not allowed (a read-only key, the
role, a centre outside the key), 404 no such thing (or not visible to the caller), 409 the case's
state does not allow the step, 413 the body is too large, 422 invalid data.
"""

api = EnlaceAPI(
    title="Enlace API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
)
api.add_router("/reports", reports_router)
api.add_router("/reports/oir", oir_router)
api.add_router("/cases", cases_router)
api.add_router("/inquiries", inquiries_router)
api.add_router("/dependencies", directory_router)
api.add_router("/catalogues", catalogues_router)
api.add_router("/studies", surveys_router)
api.add_router("/campaigns", campaigns_router)


_error = error_response


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("Not allowed."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("Not found."))


# Pydantic's messages are English; the common ones are said in the request's language. A rule
# of ours (`value_error`) already carries its translated message.
VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not part of the request."),
    "string_type": gettext_lazy("It must be text."),
    "string_too_long": gettext_lazy("The text is too long."),
    "string_too_short": gettext_lazy("The text is too short."),
    "int_type": gettext_lazy("It must be a whole number."),
    "int_parsing": gettext_lazy("It must be a whole number."),
    "bool_type": gettext_lazy("It must be true or false."),
    "bool_parsing": gettext_lazy("It must be true or false."),
    "date_type": gettext_lazy("It must be a date (YYYY-MM-DD)."),
    "date_parsing": gettext_lazy("It must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("It must be a date (YYYY-MM-DD)."),
    "datetime_type": gettext_lazy("It must be a date and time (ISO 8601)."),
    "datetime_parsing": gettext_lazy("It must be a date and time (ISO 8601)."),
    "datetime_from_date_parsing": gettext_lazy("It must be a date and time (ISO 8601)."),
    "enum": gettext_lazy("It is not one of the allowed values."),
    "literal_error": gettext_lazy("It is not one of the allowed values."),
    "list_type": gettext_lazy("It must be a list."),
    "dict_type": gettext_lazy("It must be an object."),
    "model_type": gettext_lazy("It must be an object."),
    "greater_than_equal": gettext_lazy("The number is too small."),
    "less_than_equal": gettext_lazy("The number is too large."),
}


def _validation_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in VALIDATION_MESSAGES:
        return str(VALIDATION_MESSAGES[kind])
    return str(error.get("msg", "")).removeprefix("Value error, ")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [part for part in error.get("loc", ()) if isinstance(part, str | int)],
            "msg": _validation_message(error),
            "type": str(error.get("type", "invalid")),
        }
        for error in exc.errors
    ]
    return _error(request, 422, _("The request is not valid."), errors)


@api.exception_handler(FormInvalid)
def form_invalid(request: HttpRequest, exc: FormInvalid) -> HttpResponse:
    items = exc.items()
    return _error(request, 422, items[0]["msg"] if items else _("The data is not valid."), items)


@api.exception_handler(BusinessError)
def business_error(request: HttpRequest, exc: BusinessError) -> HttpResponse:
    """A rule refused the request: about one field, 422; about the case's state, 409."""
    if exc.field:
        item = {"loc": ["body", exc.field], "msg": str(exc), "type": exc.code}
        return _error(request, 422, str(exc), [item])
    return _error(request, 409, str(exc))


@api.exception_handler(TooManyReads)
def too_many_reads(request: HttpRequest, exc: TooManyReads) -> HttpResponse:
    response = _error(request, 429, str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, _("The request body is too large."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if isinstance(exc, AuthenticationError) and message == "Unauthorized":
        message = _(
            "Authentication required: send an API key (Authorization: Bearer <key> or "
            "X-API-Key) or log in."
        )
    elif exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    elif exc.status_code == 403 and message == "CSRF check Failed":
        message = _("CSRF check failed: send the CSRF token with a session's writes.")
    return _error(request, exc.status_code, message)
