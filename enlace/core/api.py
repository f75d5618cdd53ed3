"""What every router of the JSON API shares: the one error shape, strict input text and dates,
a form's refusal as the API's error, the audit's name for the object written, and the one JSON
renderer. The API object itself (authentication, the exception handlers, the mounts) is wiring,
in config/api.py; the routers live in each app's api.py and import only this.

Errors all have the shape `{"detail": "<one sentence>", "errors": [{"loc": [...], "msg": ...,
"type": ...}]}` (`errors` empty when the message says it all); config/api.py renders every
exception into it, and each operation declares the statuses it may answer with `ERRORS`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.renderers import JSONRenderer
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from enlace.core import dates


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


# The statuses any operation may answer with besides its success (each operation names its own).
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,  # the body is not JSON
    401: ErrorOut,
    403: ErrorOut,  # a read-only key, a role without the capability, a centre outside the key
    404: ErrorOut,
    409: ErrorOut,  # the case's state does not allow it (the lifecycle's message)
    413: ErrorOut,  # the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE
    422: ErrorOut,  # a field is missing, of the wrong type, unknown, or refused by the rules
}


class StrictIn(Schema):
    """Input bodies refuse fields they do not know (a typo is an error, not silence)."""

    model_config = ConfigDict(extra="forbid")


def _storable(value: str) -> str:
    """Text the database can store: no NUL character (PostgreSQL refuses it) and no lone
    surrogate (JSON's \\ud800 is not UTF-8)."""
    if "\x00" in value:
        raise ValueError("Text may not contain the NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    """A query's date is YYYY-MM-DD, not a number of seconds since 1970 (which pydantic would
    otherwise accept)."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("Use a date as YYYY-MM-DD.")
    if not isinstance(value, str | date):
        raise ValueError("Use a date as YYYY-MM-DD.")
    return value


def _in_range(value: date) -> date:
    if not dates.in_range(value):
        raise ValueError(str(dates.OUT_OF_RANGE))
    return value


def _true_or_false(value: Any) -> Any:
    """A query's boolean is `true` or `false`, nothing else (not 1, yes, on)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("Use true or false.")


QueryDate = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_in_range)]
QueryBool = Annotated[bool, BeforeValidator(_true_or_false)]


class PeriodQuery(Schema):
    """A report's period: ?from=YYYY-MM-DD&to=YYYY-MM-DD, in order."""

    date_from: QueryDate = Field(alias="from")
    date_to: QueryDate = Field(alias="to")

    @model_validator(mode="after")
    def ordered(self) -> PeriodQuery:
        if self.date_from > self.date_to:
            raise ValueError(_("The period ends before it starts."))
        return self


class FormInvalid(Exception):
    """A console form refused the data: its messages become the error's items (422)."""

    def __init__(self, form: forms.Form, prefix: tuple[str, ...] = ("body",)) -> None:
        super().__init__("form invalid")
        self.form = form
        self.prefix = prefix

    def items(self) -> list[dict[str, Any]]:
        found = []
        for name, errors in self.form.errors.get_json_data().items():
            loc = [*self.prefix, name] if name != "__all__" else list(self.prefix)
            for error in errors:
                found.append({"loc": loc, "msg": str(error["message"]), "type": error["code"]})
        return found


class TooManyReads(Exception):
    """A caller read more than its budget allows (429, with Retry-After)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def audit_object(request: HttpRequest, object_id: str) -> None:
    """Name the object a write made or changed, for its audit row."""
    request.audit_object_id = object_id  # type: ignore[attr-defined]


def json_response(request: HttpRequest, status: int, body: Any) -> HttpResponse:
    """A JSON answer rendered as the API renders every answer (where a view builds its own
    response: a replayed Idempotency-Key, an error)."""
    renderer = JSONRenderer()
    content = renderer.render(request, body, response_status=status)
    content_type = f"{renderer.media_type}; charset={renderer.charset}"
    return HttpResponse(content, status=status, content_type=content_type)


def error_response(
    request: HttpRequest, status: int, detail: str, errors: list[dict[str, Any]] | None = None
) -> HttpResponse:
    """The one error shape."""
    return json_response(request, status, {"detail": detail, "errors": errors or []})
