"""Cases and inquiries through the API: the same reads, forms, actions, scope and capabilities as
the console (enlace/cases/views.py), in JSON.

A case is named in URLs by its tracking code (`XXXXX-XXXXX`, case, spaces and dashes ignored):
what the citizen, the phone system and the website know, and not enumerable. A case outside
the user's scope, or outside the centres of the API key, is a 404; a step the role may not take
is a 403; a step the case's state does not allow is a 409 with the lifecycle's message; a field
the console's form refuses is a 422 with the form's message. Nothing is written in any of them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import ConfigDict, Field

from enlace.accounts.current import current_user
from enlace.accounts.models import User
from enlace.apikeys import idempotency
from enlace.apikeys.auth import key_dependency_ids, request_key
from enlace.cases import actions
from enlace.cases.forms import IntakeForm
from enlace.cases.lifecycle import CaseKind, CaseStatus, check_transition
from enlace.cases.models import Case, CaseEvent, Priority
from enlace.cases.permissions import Capability, fixed_dependency_id, has_capability
from enlace.cases.personal import citizen as personal_citizen
from enlace.cases.personal import masked_text, request_sees_personal_data, spend
from enlace.cases.queries import (
    DUE_SOON,
    OVERDUE,
    CaseFilters,
    case_page,
    decode_cursor,
    filter_cases,
    timeline,
    visible_cases,
)
from enlace.cases.rules import normalise_tracking_code
from enlace.cases.steps import CASE_STEPS
from enlace.catalogues.models import Channel, OpinionType
from enlace.core.api import (
    ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    FormInvalid,
    QueryDate,
    StrictIn,
    Text,
    TooManyReads,
    audit_object,
    json_response,
)
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency, LevelOfCare
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia

router = Router(tags=["cases"])
inquiries = Router(tags=["inquiries"])

Kind = Literal["opinion", "consulta"]
Status = Literal[
    "received",
    "acknowledged",
    "in_assessment",
    "assigned",
    "answer_proposed",
    "answered",
    "waiting_citizen",
    "reopened",
    "closed",
    "merged",
    "void",
]
Level = Literal["hospital", "unidad_medica", "clinica_comunal", "administrativo"]
PriorityValue = Literal["normal", "high", "urgent"]
# The documented enums are the code's own values (checked here, so they cannot drift apart).
assert set(get_args(Kind)) == set(CaseKind.values)
assert set(get_args(Status)) == set(CaseStatus.values)
assert set(get_args(Level)) == set(LevelOfCare.values)
assert set(get_args(PriorityValue)) == set(Priority.values)

MAX_TEXT = 20_000  # characters of a description, an answer or a note
Code = Text  # a catalogue or directory code
EXAMPLE_CODE = "7KD4M-PX2ER"  # the tests' fuzzing (test_api_schemathesis.py) gives a case this code
CaseCode = Annotated[
    Text,
    PathParam(
        description="The case's tracking code, XXXXX-XXXXX (case, spaces and dashes ignored).",
        example=EXAMPLE_CODE,
        max_length=20,
    ),
]


# --- Output ----------------------------------------------------------------------------------
class CitizenOut(Schema):
    name: str
    dui: str
    affiliation: str
    phone: str = Field(description="E.164")
    email: str


class CaseOut(Schema):
    code: str = Field(description="The tracking code, XXXXX-XXXXX; the case's id in URLs.")
    kind: Kind
    status: Status
    to_classify: bool = Field(description="Arrived without type or centre: triage classifies it.")
    channel: str = Field(description="Channel code (GET /catalogues/channels).")
    opinion_type: str | None
    dependency: str | None = Field(description="Code of the centre (GET /dependencies).")
    level_of_care: str
    limitante: str | None
    topic: str | None
    priority: PriorityValue
    patient_safety: bool
    description: str
    proposed_answer: str
    answer: str
    citizen_accepted: bool | None
    resolved_at_first_contact: bool
    citizen: CitizenOut
    received_at: datetime
    closed_at: datetime | None
    next_due_on: date | None


def _code(entry: Any) -> str | None:
    return entry.code if entry is not None else None


def case_out(case: Case, *, personal: bool = True) -> dict[str, Any]:
    """The case as the API shows it (its related rows must be loaded: see _RELATED); without
    `personal`, the citizen masked and the free text left out (enlace/cases/personal.py)."""
    return {
        "code": case.display_code,
        "kind": case.kind,
        "status": case.status,
        "to_classify": case.to_classify,
        "channel": case.channel.code,
        "opinion_type": _code(case.opinion_type),
        "dependency": _code(case.dependency),
        "level_of_care": case.level_of_care,
        "limitante": _code(case.limitante),
        "topic": _code(case.topic),
        "priority": case.priority,
        "patient_safety": case.patient_safety,
        "description": masked_text(personal, case.description),
        "proposed_answer": masked_text(personal, case.proposed_answer),
        "answer": masked_text(personal, case.answer),
        "citizen_accepted": case.citizen_accepted,
        "resolved_at_first_contact": case.resolved_at_first_contact,
        "citizen": personal_citizen(case, personal=personal),
        "received_at": case.received_at,
        "closed_at": case.closed_at,
        "next_due_on": case.next_due_on,
    }


class CasePageOut(Schema):
    items: list[CaseOut]
    count: int = Field(description="Cases that match, counted up to CASE_LIST_COUNT_LIMIT.")
    count_is_capped: bool = Field(description="There are more than `count`.")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
    next: str | None = Field(description="The URL of the next page; null on the last one.")


class EventOut(Schema):
    at: datetime
    kind: str
    actor: str | None = Field(description="Who did it: a person, or an API key (its name).")
    actor_username: str | None
    from_status: str
    to_status: str
    note: str
    changes: dict[str, Any]


_RELATED = ("channel", "opinion_type", "dependency", "limitante", "topic")


# --- Scope -----------------------------------------------------------------------------------
def api_cases(request: HttpRequest) -> QuerySet[Case]:
    """The cases the request may see: the user's scope (visible_cases), narrowed to the API
    key's centres when it has some."""
    cases = visible_cases(current_user(request))
    allowed = key_dependency_ids(request)
    if allowed is not None:
        cases = cases.filter(dependency_id__in=allowed)
    return cases


def case_for(request: HttpRequest, code: str, *, for_update: bool = False) -> Case:
    tracking_code = normalise_tracking_code(code)
    if tracking_code is None:
        raise Http404(_("No such case."))
    cases = api_cases(request).select_related(*_RELATED)
    if for_update:
        cases = cases.select_for_update(of=("self",), no_key=True)
    case = cases.filter(tracking_code=tracking_code).first()
    if case is None:
        raise Http404(_("No such case."))
    return case


def _refuse_centre_outside_key(request: HttpRequest, dependency: Dependency | None) -> None:
    allowed = key_dependency_ids(request)
    if allowed is not None and (dependency is None or dependency.pk not in allowed):
        raise PermissionDenied(_("This API key may only act on cases of its centres."))


# --- The list ----------------------------------------------------------------------------------
class InquiryListQuery(Schema):
    q: Text = Field(
        "",
        max_length=200,
        description="Search: a tracking code, DUI, phone or affiliation number exactly; "
        "otherwise words in the name and description.",
    )
    channel: Code | None = Field(None, max_length=40, description="Channel code.")
    dependency: Code | None = Field(None, max_length=20, description="Centre code.")
    level_of_care: Level | None = None
    status: Status | Literal["open"] | None = Field(None, description="`open`: any open status.")
    received_from: QueryDate | None = None
    received_to: QueryDate | None = None
    due: Literal["soon", "overdue"] | None = Field(
        None, description="`soon`: due within 2 days; `overdue`: past its due date."
    )
    cursor: Text | None = Field(None, max_length=200, description="From the previous page.")
    limit: int = Field(50, ge=1, le=200, description="Cases per page.")


class CaseListQuery(InquiryListQuery):
    kind: Kind | None = None
    opinion_type: Code | None = Field(None, max_length=40, description="Opinion type code.")


def _pk_of(
    model: type[Channel] | type[OpinionType] | type[Dependency], code: str, name: str
) -> int:
    found = model._default_manager.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationError(
            [
                {
                    "loc": ["query", name],
                    "msg": _("There is no %(name)s with the code “%(code)s”.")
                    % {"name": name.replace("_", " "), "code": code},
                    "type": "unknown",
                }
            ]
        )
    return int(found)


def _filters(query: InquiryListQuery, *, kind: str | None = None) -> CaseFilters:
    opinion_type = getattr(query, "opinion_type", None)
    return CaseFilters(
        kind=kind or getattr(query, "kind", None) or "",
        opinion_type_id=_pk_of(OpinionType, opinion_type, "opinion_type") if opinion_type else None,
        channel_id=_pk_of(Channel, query.channel, "channel") if query.channel else None,
        dependency_id=_pk_of(Dependency, query.dependency, "dependency")
        if query.dependency
        else None,
        level_of_care=query.level_of_care or "",
        status=query.status or "",
        received_from=query.received_from,
        received_to=query.received_to,
        text=query.q,
        due={"soon": DUE_SOON, "overdue": OVERDUE}.get(query.due or "", ""),
    )


def _page(
    request: HttpRequest, query: InquiryListQuery, *, kind: str | None = None
) -> dict[str, Any]:
    if query.cursor and decode_cursor(query.cursor) is None:
        raise ValidationError(
            [
                {
                    "loc": ["query", "cursor"],
                    "msg": _("This cursor is not one the API gave."),
                    "type": "invalid",
                }
            ]
        )
    limit = min(query.limit, settings.API_MAX_PAGE_SIZE)
    cases = filter_cases(api_cases(request), _filters(query, kind=kind))
    page = case_page(cases.select_related("limitante"), after=query.cursor or "", page_size=limit)
    next_url = None
    if page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    personal = _read_in_clear(request, AccessVia.API_LIST, [case.pk for case in page.cases])
    return {
        "items": [case_out(case, personal=personal) for case in page.cases],
        "count": page.count,
        "count_is_capped": page.count_is_capped,
        "next_cursor": page.next_cursor,
        "next": next_url,
    }


@router.get(
    "",
    response={200: CasePageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_cases",
    summary="List cases",
)
def list_cases(request: HttpRequest, query: Query[CaseListQuery]) -> dict[str, Any]:
    """Opinions and inquiries the caller may see, newest first, with the console's filters.
    Pages by cursor: follow `next` until it is null."""
    return _page(request, query)


# --- Registering -------------------------------------------------------------------------------
class CitizenIn(StrictIn):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Text = Field("", max_length=200)
    dui: Text = Field("", max_length=12, description="########-#")
    affiliation: Text = Field("", max_length=16)
    phone: Text = Field("", max_length=20)
    email: Text = Field("", max_length=254)


class CaseIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "opinion",
                    "channel": "sitio_web",
                    "opinion_type": "queja",
                    "dependency": "HG",
                    "limitante": "tiempo_espera",
                    "description": "Esperé cinco horas en emergencia.",
                    "citizen": {"name": "Marta Pérez", "phone": "7123-4567"},
                }
            ]
        },
    )

    kind: Kind
    channel: Code = Field(max_length=40, description="Channel code.")
    opinion_type: Code | None = Field(None, max_length=40, description="For an opinion.")
    dependency: Code | None = Field(
        None, max_length=200, description="The centre's code; required for an opinion."
    )
    limitante: Code | None = Field(None, max_length=150)
    topic: Code | None = Field(None, max_length=150, description="For an inquiry.")
    description: Text = Field("", max_length=MAX_TEXT)
    answered_at_first_contact: bool = Field(
        False, description="An inquiry answered during the contact: it closes at once."
    )
    answer: Text = Field("", max_length=MAX_TEXT)
    citizen: CitizenIn | None = None


class InquiryIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "channel": "llamada_127",
                    "topic": "horarios",
                    "answered_at_first_contact": True,
                    "answer": "De lunes a viernes de 7 a 19 horas.",
                }
            ]
        },
    )

    channel: Code = Field(max_length=40)
    topic: Code = Field(max_length=150)
    dependency: Code | None = Field(None, max_length=200)
    description: Text = Field("", max_length=MAX_TEXT)
    answered_at_first_contact: bool = False
    answer: Text = Field("", max_length=MAX_TEXT)
    citizen: CitizenIn | None = None


class IntakeInvalid(FormInvalid):
    """The intake form's refusal, located where the JSON has the field (`citizen.name`)."""

    def items(self) -> list[dict[str, Any]]:
        found = super().items()
        for item in found:
            name = item["loc"][-1]
            if name in IntakeForm.CITIZEN_FIELDS:
                item["loc"] = ["body", "citizen", IntakeForm.CITIZEN_FIELDS[name]]
        return found


def _register(request: HttpRequest, payload: dict[str, Any], operation: str) -> HttpResponse:
    """Validate with the console's intake form, run do_register_case, answer 201 with the case
    (or, for a retried Idempotency-Key, the first answer)."""
    user = current_user(request)
    if not has_capability(user, Capability.REGISTER):
        raise PermissionDenied(_("Your role does not register cases."))
    key = idempotency.key_from(request)
    request_hash = idempotency.body_hash(payload)
    fixed_id = fixed_dependency_id(user)
    fixed = Dependency.objects.get(pk=fixed_id) if fixed_id else None
    form = IntakeForm.from_values(payload, fixed_dependency=fixed)
    if not form.is_valid():
        # A retry of a create that succeeded gets its first answer even if the data would no
        # longer pass (a centre closed since): look for it only now, so a first try pays nothing.
        stored = idempotency.replay(user, key, request_hash) if key is not None else None
        if stored is not None:
            return _replayed(request, *stored)
        raise IntakeInvalid(form)
    data = form.cleaned_data
    _refuse_centre_outside_key(request, data["dependency"])
    new_case = form.new_case(intake_token=idempotency.token_for(user, key) if key else None)
    # Inside the request's transaction (enlace/apikeys/audit.py `audited`): the case, its
    # idempotency record and the audit row commit together.
    with transaction.atomic(savepoint=False):
        case, created = actions.do_register_case(new_case, acting_user=user)
        if created:
            response = json_response(request, 201, case_out(case))
            if key is not None:
                # Exactly what was sent, so a retry gets the same bytes.
                stored_body = json.loads(response.content)
                idempotency.remember(user, key, operation, request_hash, 201, stored_body)
    audit_object(request, case.display_code)
    if not created:
        # A retry, or the same Idempotency-Key twice at once: the first request made the case.
        assert key is not None
        stored = idempotency.replay(user, key, request_hash)
        if stored is None:  # pragma: no cover - the twin commits its record with its case
            raise BusinessError(_("The case could not be registered; try again."))
        return _replayed(request, *stored)
    return response


def _replayed(request: HttpRequest, status: int, body: Any) -> HttpResponse:
    if isinstance(body, dict) and "code" in body:
        audit_object(request, str(body["code"]))
    response = json_response(request, status, body)
    response["Idempotent-Replayed"] = "true"
    return response


_IDEMPOTENCY_DOC = (
    " Send an `Idempotency-Key` header (any unique string) to make retries safe: a retry with "
    "the same key and body answers with the first result (header `Idempotent-Replayed: true`); "
    "the same key with another body is a 422."
)


@router.post(
    "",
    response={201: CaseOut, **WRITE_ERRORS},
    operation_id="create_case",
    summary="Register a case",
    description="Register an opinion or an inquiry, as the console's intake does."
    + _IDEMPOTENCY_DOC,
)
def create_case(request: HttpRequest, payload: CaseIn) -> HttpResponse:
    return _register(request, payload.model_dump(), "create_case")


@router.get(
    "/{code}",
    response={200: CaseOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="get_case",
    summary="One case",
)
def get_case(request: HttpRequest, code: CaseCode) -> dict[str, Any]:
    """One case by its tracking code; 404 if the caller may not see it."""
    case = case_for(request, code)
    return case_out(case, personal=_read_in_clear(request, AccessVia.API_READ, [case.pk]))


@router.get(
    "/{code}/events",
    response={200: list[EventOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="list_case_events",
    summary="A case's history",
)
def list_case_events(request: HttpRequest, code: CaseCode) -> list[dict[str, Any]]:
    """Every step of the case in order, with who took it (a person or an API key)."""
    case = case_for(request, code)
    personal = _read_in_clear(request, AccessVia.API_READ, [case.pk])
    return [_event_out(event, personal=personal) for event in timeline(case)]


def _event_out(event: CaseEvent, *, personal: bool) -> dict[str, Any]:
    actor: User | None = event.actor
    return {
        "at": event.at,
        "kind": event.kind,
        "actor": (actor.get_full_name() or actor.username) if actor else None,
        "actor_username": actor.username if actor else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": masked_text(personal, event.note),
        "changes": event.changes or {},
    }


def _read_in_clear(request: HttpRequest, via: str, case_ids: list[int]) -> bool:
    """Whether these cases go out with their personal data: the caller may read them (its role
    and its key), within its hour's budget (429 past it); each is then in the access log."""
    if not request_sees_personal_data(request):
        return False
    allowed, retry_after = spend(request, len(case_ids))
    if not allowed:
        raise TooManyReads(
            _(
                "Too many cases read with their personal data this hour: wait, or ask with a "
                "key that reads them masked."
            ),
            retry_after=retry_after,
        )
    key = request_key(request)
    record_access(
        request.user, via, case_ids=case_ids, api_key_id=key.pk if key is not None else None
    )
    return True


# --- Steps on a case: the console's own registry (enlace/cases/steps.py) ---------------------
def _run(request: HttpRequest, code: str, slug: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the console's case_action view does, for one registered action: 404 outside the
    scope, 403 without the capability, 409 when the case's state does not allow it, 422 when
    the form refuses the data, else the action, and the case as it is now."""
    user = current_user(request)
    registered = CASE_STEPS[slug]
    case = case_for(request, code)
    if not CASE_STEPS.allowed(user, case, registered):
        raise PermissionDenied(_("You may not do this with this case."))
    if not registered.offered(case):
        if registered.target is not None:
            check_transition(case.status, registered.target)
        raise BusinessError(
            _("This cannot be done to a case that is %(status)s.")
            % {"status": CaseStatus(case.status).label}
        )
    form = registered.form_class(data, case=case, user=user)
    if not form.is_valid():
        raise FormInvalid(form)
    if "dependency" in form.cleaned_data and form.cleaned_data["dependency"] is not None:
        _refuse_centre_outside_key(request, form.cleaned_data["dependency"])
    registered.perform(case, form.cleaned_data, user)
    audit_object(request, case.display_code)
    personal = _read_in_clear(request, AccessVia.API_READ, [case.pk])
    return case_out(Case.objects.select_related(*_RELATED).get(pk=case.pk), personal=personal)


def _text(value: str | None) -> str:
    return value or ""


class ClassifyIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [{"kind": "opinion", "opinion_type": "queja", "dependency": "HG"}]
        },
    )

    kind: Kind = Field(description="What the case is: an opinion or an inquiry.")
    opinion_type: Code | None = Field(None, max_length=40, description="For an opinion.")
    dependency: Code | None = Field(None, max_length=200, description="For an opinion.")
    limitante: Code | None = Field(None, max_length=40)
    topic: Code | None = Field(None, max_length=40, description="For an inquiry.")
    note: Text = Field("", max_length=MAX_TEXT)


class ReclassifyIn(StrictIn):
    model_config = ConfigDict(extra="forbid", strict=True)

    opinion_type: Code | None = Field(None, max_length=40, description="An opinion's type.")
    limitante: Code | None = Field(None, max_length=40, description="null clears it.")
    topic: Code | None = Field(None, max_length=40, description="An inquiry's topic.")
    priority: PriorityValue | None = None
    patient_safety: bool | None = None
    note: Text = Field("", max_length=MAX_TEXT)


class AcknowledgeIn(StrictIn):
    model_config = ConfigDict(extra="forbid", strict=True)

    note: Text = Field("", max_length=MAX_TEXT)


class AssignIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"dependency": "HG", "reason": "Farmacia del hospital"}]},
    )

    dependency: Code = Field(max_length=200, description="The centre's code.")
    reason: Text = Field("", max_length=MAX_TEXT)


class AnswerIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"answer": "Se repuso el medicamento."}]},
    )

    answer: Text = Field(max_length=MAX_TEXT)


class CloseIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"answer": "Se repuso el medicamento.", "accepted": True}]},
    )

    answer: Text = Field(
        "", max_length=MAX_TEXT, description="Empty: an answered case closes with its answer."
    )
    accepted: bool | None = Field(None, description="Did the citizen accept the answer?")


class OwnerIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"owner": "bruno", "note": "Revíselo hoy"}]},
    )

    owner: Code | None = Field(
        None,
        max_length=150,
        description="The username of the person of the case's team or centre; null gives the "
        "case back to the team.",
    )
    note: Text = Field("", max_length=MAX_TEXT)


class CommentIn(StrictIn):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"body": "Llamamos al ciudadano."}]},
    )

    body: Text = Field(max_length=MAX_TEXT)


_STEP = {200: CaseOut, **WRITE_ERRORS}


@router.post(
    "/{code}/classify",
    response=_STEP,
    operation_id="classify_case",
    summary="Triage a case to classify",
)
def classify_case(request: HttpRequest, code: CaseCode, payload: ClassifyIn) -> dict[str, Any]:
    """Say what a case that arrived to classify is: an opinion (type and centre) or an inquiry
    (topic). Its deadlines are planned by the policy that now applies."""
    return _run(
        request,
        code,
        "triaje",
        {
            "kind": payload.kind,
            "opinion_type": _text(payload.opinion_type),
            "dependency": _text(payload.dependency),
            "limitante": _text(payload.limitante),
            "topic": _text(payload.topic),
            "note": payload.note,
        },
    )


@router.post(
    "/{code}/reclassify",
    response=_STEP,
    operation_id="reclassify_case",
    summary="Change a case's classification",
)
def reclassify_case(request: HttpRequest, code: CaseCode, payload: ReclassifyIn) -> dict[str, Any]:
    """Change type (or topic), limitante, priority and patient safety. A field left out keeps
    its value; `limitante: null` clears it."""
    case = case_for(request, code)
    given = payload.model_fields_set

    def current(name: str, entry: Any) -> str:
        if name in given:
            return _text(getattr(payload, name))
        return entry.code if entry is not None else ""

    data: dict[str, Any] = {
        "opinion_type": current("opinion_type", case.opinion_type),
        "limitante": current("limitante", case.limitante),
        "topic": current("topic", case.topic),
        "priority": payload.priority or case.priority,
        "patient_safety": case.patient_safety
        if payload.patient_safety is None
        else payload.patient_safety,
        "note": payload.note,
    }
    return _run(request, code, "clasificar", data)


@router.post(
    "/{code}/acknowledge",
    response=_STEP,
    operation_id="acknowledge_case",
    summary="Acknowledge receipt",
)
def acknowledge_case(
    request: HttpRequest, code: CaseCode, payload: AcknowledgeIn
) -> dict[str, Any]:
    return _run(request, code, "acusar", {"note": payload.note})


@router.post(
    "/{code}/assign",
    response=_STEP,
    operation_id="assign_case",
    summary="Assign to a centre",
)
def assign_case(request: HttpRequest, code: CaseCode, payload: AssignIn) -> dict[str, Any]:
    """Route the case to the centre that must answer it, or transfer it."""
    return _run(
        request, code, "asignar", {"dependency": payload.dependency, "reason": payload.reason}
    )


@router.post(
    "/{code}/propose-answer",
    response=_STEP,
    operation_id="propose_answer",
    summary="Propose the answer (a centre)",
)
def propose_answer(request: HttpRequest, code: CaseCode, payload: AnswerIn) -> dict[str, Any]:
    return _run(request, code, "proponer", {"answer": payload.answer})


@router.post(
    "/{code}/answer",
    response=_STEP,
    operation_id="answer_case",
    summary="Answer the citizen",
)
def answer_case(request: HttpRequest, code: CaseCode, payload: AnswerIn) -> dict[str, Any]:
    """Give the citizen the answer; the case then waits for their acceptance to close."""
    return _run(request, code, "responder", {"answer": payload.answer})


@router.post(
    "/{code}/close",
    response=_STEP,
    operation_id="close_case",
    summary="Close a case",
)
def close_case(request: HttpRequest, code: CaseCode, payload: CloseIn) -> dict[str, Any]:
    """Close an answered case (recording whether the citizen accepted), or any open case with
    the answer given now."""
    accepted = {True: "yes", False: "no", None: ""}[payload.accepted]
    return _run(request, code, "cerrar", {"answer": payload.answer, "accepted": accepted})


@router.post(
    "/{code}/owner",
    response=_STEP,
    operation_id="set_case_owner",
    summary="Give the case to a person",
)
def set_case_owner(request: HttpRequest, code: CaseCode, payload: OwnerIn) -> dict[str, Any]:
    """Give the case to a person of its team or centre (their queue), or back to the team."""
    return _run(request, code, "responsable", {"owner": payload.owner or "", "note": payload.note})


@router.post(
    "/{code}/comments",
    response=_STEP,
    operation_id="comment_case",
    summary="Add a comment",
)
def comment_case(request: HttpRequest, code: CaseCode, payload: CommentIn) -> dict[str, Any]:
    return _run(request, code, "comentar", {"body": payload.body})


# --- Inquiries: the same cases, of kind `consulta` ---------------------------------------------
@inquiries.get(
    "",
    response={200: CasePageOut, **ERRORS},
    operation_id="list_inquiries",
    summary="List inquiries",
)
def list_inquiries(request: HttpRequest, query: Query[InquiryListQuery]) -> dict[str, Any]:
    """Inquiries only (cases of kind `consulta`), with the same filters and cursor as cases."""
    return _page(request, query, kind=CaseKind.INQUIRY)


@inquiries.post(
    "",
    response={201: CaseOut, **WRITE_ERRORS},
    operation_id="create_inquiry",
    summary="Register an inquiry",
    description="Register an inquiry (answered at first contact: closed at once)."
    + _IDEMPOTENCY_DOC,
)
def create_inquiry(request: HttpRequest, payload: InquiryIn) -> HttpResponse:
    return _register(
        request, {**payload.model_dump(), "kind": CaseKind.INQUIRY.value}, "create_inquiry"
    )
