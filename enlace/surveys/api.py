"""Studies through the API: read a study's results (the same dict as the page, the PDF and the
XLSX), and submit a response from another system (a kiosk, an IVR).

Reading results takes what the page takes: a role that sees results, a liaison only their
centre's figures, and an API key limited to some centres only theirs. Submitting takes a role
that does fieldwork (the call centre's IVR: an agent's key, phone studies; a kiosk at a centre:
a Punto Seguro key of that centre; resolution staff anywhere), a key that may write, a centre
within the key's and the role's, and an `Idempotency-Key` header: the same key again answers
with the first response (200 instead of 201) and stores nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, StringConstraints, model_validator

from enlace.accounts.current import current_user
from enlace.apikeys import idempotency
from enlace.apikeys.auth import narrow_to_key
from enlace.core.api import (
    ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    QueryDate,
    StrictIn,
    Text,
    audit_object,
    error_response,
    json_response,
)
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency, LevelOfCare
from enlace.surveys.actions.responses import InvalidAnswers, Origin, do_submit_response
from enlace.surveys.models import Response, ResponseMode
from enlace.surveys.queries import (
    access_study_for_user,
    can_do_fieldwork,
    can_see_results,
    centre_scope,
)
from enlace.surveys.results import Filters, study_results

router = Router(tags=["studies"])

MAX_KEY = 80  # characters of an Idempotency-Key here (stored with the holder's id)
MAX_ANSWER = 5000


class ResultsQuery(Schema):
    """?centre=<dependency code>&level=<level of care>&from=YYYY-MM-DD&to=YYYY-MM-DD, all
    optional; the days within the study's period."""

    centre: Text | None = Field(None, max_length=20, description="A centre's code.")
    level: Text | None = Field(
        None, max_length=20, description="A level of care: " + ", ".join(LevelOfCare.values)
    )
    date_from: QueryDate | None = Field(None, alias="from")
    date_to: QueryDate | None = Field(None, alias="to")

    @model_validator(mode="after")
    def ordered(self) -> ResultsQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(_("The period ends before it starts."))
        if self.level and self.level not in LevelOfCare.values:
            raise ValueError(_("Unknown level of care."))
        return self


@router.get(
    "/{study_id}/results",
    response={200: dict[str, Any], 404: ErrorOut, **ERRORS},
    url_name="study_results",
    operation_id="study_results",
    summary="A study's results",
)
def results(request: HttpRequest, study_id: int, query: Query[ResultsQuery]) -> dict[str, Any]:
    """Responses against the target by centre; per question its n, distribution and figures
    (CSAT, NPS, FFT, means with 95% intervals), by centre and level of care; a checklist's
    scores. A figure from fewer than 5 answers is null with `suppressed: true`; under 30,
    `unreliable: true`. Keys are stable codes; names are in the request's language."""
    user = current_user(request)
    if not can_see_results(user):
        raise PermissionDenied(_("Your role does not see the results of studies."))
    study = access_study_for_user(user, study_id)
    scope = narrow_to_key(request, centre_scope(user))
    for day in (query.date_from, query.date_to):
        if day is not None and not study.period_start <= day <= study.period_end:
            raise HttpError(422, _("Pick days within the study's period."))
    if query.centre:
        centre = study.centres.filter(dependency__code=query.centre).values_list(
            "dependency_id", flat=True
        )
        found = centre.first()
        if found is None or (scope is not None and found not in scope):
            raise HttpError(422, _("That centre is not part of this study."))
        scope = [found]
    return study_results(
        study,
        Filters(
            dependency_ids=scope,
            level_of_care=query.level or "",
            date_from=query.date_from,
            date_to=query.date_to,
        ),
    )


QuestionCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]
AnswerText = Annotated[Text, Field(max_length=MAX_ANSWER)]


class ResponseIn(StrictIn):
    model_config = StrictIn.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "centre": "HG",
                    "answers": {"trato": ["5"], "recomienda": ["9"], "resuelto": ["yes"]},
                }
            ]
        }
    }

    centre: Text = Field(max_length=20, description="The centre's code (GET /dependencies).")
    answers: dict[QuestionCode, Annotated[list[AnswerText], Field(max_length=50)]] = Field(
        max_length=300,
        description="By question code, the values given: a scale's or a number's digits, a "
        "choice's code (several for a multiple choice), a date as YYYY-MM-DD, a text.",
    )


class ResponseOut(Schema):
    id: int
    study: int
    centre: str
    submitted_at: datetime | None
    day: date


def _out(response: Response, centre: Dependency) -> dict[str, Any]:
    return {
        "id": response.pk,
        "study": response.study_id,
        "centre": centre.code,
        "submitted_at": response.submitted_at,
        "day": response.day,
    }


@router.post(
    "/{study_id}/responses",
    response={200: ResponseOut, 201: ResponseOut, **WRITE_ERRORS},
    url_name="study_responses",
    operation_id="submit_study_response",
    summary="Submit a response",
    description="A whole response from another system (a kiosk, an IVR), checked as the "
    "questionnaire checks it. The `Idempotency-Key` header is required: a retry with the same "
    "key answers 200 with the first response (header `Idempotent-Replayed: true`). Wrong "
    "answers: 422 with one error per question (`loc`: body, answers, code); a study not "
    "taking responses: 409.",
)
def submit_response(request: HttpRequest, study_id: int, payload: ResponseIn) -> HttpResponse:
    user = current_user(request)
    if not can_do_fieldwork(user):
        raise PermissionDenied(_("Your role does not collect responses."))
    key = idempotency.key_from(request)
    if key is None:
        raise HttpError(422, _("Send an Idempotency-Key header (any unique string)."))
    if len(key) > MAX_KEY:
        raise HttpError(
            422,
            _("The Idempotency-Key header must be at most %(count)s characters.")
            % {"count": MAX_KEY},
        )
    study = access_study_for_user(user, study_id)
    centre = Dependency.objects.filter(code=payload.centre).first()
    if centre is None:
        item = {"loc": ["body", "centre"], "msg": _("Unknown centre."), "type": "unknown"}
        return error_response(request, 422, _("Unknown centre."), [item])
    allowed = narrow_to_key(request, centre_scope(user))
    if allowed is not None and centre.pk not in allowed:
        raise PermissionDenied(_("This key or role does not collect responses for that centre."))
    # The key is the holder's own: two systems may use the same string.
    stored_key = f"{user.pk}:{key}"
    earlier = Response.objects.filter(study=study, idempotency_key=stored_key).first()
    if earlier is not None:
        audit_object(request, str(earlier.pk))
        answer = json_response(request, 200, _out(earlier, earlier.dependency))
        answer["Idempotent-Replayed"] = "true"
        return answer
    try:
        response = do_submit_response(
            study,
            centre,
            payload.answers,
            origin=Origin(mode=ResponseMode.API, idempotency_key=stored_key),
        )
    except InvalidAnswers as invalid:
        items = [
            {"loc": ["body", "answers", code], "msg": message, "type": "invalid_answer"}
            for code, message in invalid.by_field().items()
        ]
        return error_response(request, 422, str(invalid), items)
    except BusinessError as refused:
        if refused.field == "dependency":
            item = {"loc": ["body", "centre"], "msg": str(refused), "type": refused.code}
            return error_response(request, 422, str(refused), [item])
        return error_response(request, 409, str(refused))
    audit_object(request, str(response.pk))
    return json_response(request, 201, _out(response, centre))
