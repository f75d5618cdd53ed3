"""Campaigns through the API: another system (a hospital's appointment system) pushes the people
to call, and reads how each call went.

Both need a role that runs campaigns (the call centre's supervisor's key, resolution staff's).
Pushed contacts go through the list's own checks (phones normalised, the same person merged,
the do-not-call register respected): a retry of the same push adds nobody, since the people
are already there. The results carry personal data, so each page read is in the access log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from enlace.accounts.current import current_user
from enlace.apikeys.auth import request_key
from enlace.campaigns import actions, queries
from enlace.campaigns.models import Contact
from enlace.core.api import (
    ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    StrictIn,
    Text,
    error_response,
    json_response,
)
from enlace.core.errors import BusinessError
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia

router = Router(tags=["campaigns"])
MAX_PUSH = 5000  # contacts in one request


def _runner(request: HttpRequest) -> Any:
    user = current_user(request)
    if not queries.can_run(user):
        raise PermissionDenied(_("Your role does not run call campaigns."))
    return user


class ContactsQuery(Schema):
    after: int = Field(0, ge=0, description="The last contact id of the previous page.")
    limit: int = Field(100, ge=1, le=1000)


class ContactOut(Schema):
    id: int
    line: int | None
    name: str
    phone: str
    dui: str
    data: dict[str, str]
    state: str
    last_outcome: str
    rescheduled_to: datetime | None
    attempts: int
    last_attempt_at: datetime | None
    excluded_reason: str


class ContactsOut(Schema):
    campaign: dict[str, Any]
    progress: dict[str, Any]
    contacts: list[ContactOut]
    next_after: int | None


@router.get(
    "/{campaign_id}/contacts",
    response={200: ContactsOut, 404: ErrorOut, **ERRORS},
    url_name="campaign_contacts",
    operation_id="campaign_contacts",
    summary="A campaign's progress and each contact's outcome",
)
def contacts(request: HttpRequest, campaign_id: int, query: Query[ContactsQuery]) -> dict[str, Any]:
    """The campaign, its progress (contacts by state and outcome, calls by outcome) and a page
    of its contacts in the list's order by id: pass `next_after` back as `after` for the next
    page (null on the last). States: to_call, done, unreachable, excluded; outcomes as in
    the campaign page (confirmed, rescheduled, ...)."""
    user = _runner(request)
    campaign = queries.access_campaign_for_user(user, campaign_id)
    limit = min(query.limit, settings.API_MAX_PAGE_SIZE)
    rows = list(
        Contact.objects.filter(campaign=campaign, pk__gt=query.after).order_by("pk")[: limit + 1]
    )
    page, more = rows[:limit], len(rows) > limit
    key = request_key(request)
    record_access(
        user,
        AccessVia.CAMPAIGN_EXPORT,
        subject=f"campaign:{campaign.pk}",
        api_key_id=key.pk if key is not None else None,
    )
    progress = queries.progress(campaign)
    progress.pop("by_day", None)
    return {
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "purpose": campaign.purpose,
            "status": campaign.status,
            "requested_by": campaign.requested_by.code if campaign.requested_by else None,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
        },
        "progress": progress,
        "contacts": page,
        "next_after": page[-1].pk if more and page else None,
    }


PushText = Annotated[Text, Field(max_length=500)]


class ContactsIn(StrictIn):
    model_config = StrictIn.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "contacts": [
                        {
                            "nombre": "Marta Pérez",
                            "telefono": "7123-4567",
                            "dui": "00016297-5",
                            "fecha_cita": "25/11/2026 08:00",
                        }
                    ],
                    "skip_invalid": False,
                }
            ]
        }
    }

    contacts: list[dict[Annotated[str, Field(max_length=40)], PushText | None]] = Field(
        min_length=1,
        max_length=MAX_PUSH,
        description="The people to call, each with nombre and telefono, and optionally "
        "telefono2, dui, afiliacion, prioridad (0-9) and the campaign's own columns.",
    )
    skip_invalid: bool = Field(
        False, description="Add the valid ones and answer the invalid; otherwise none is added."
    )


class _Pushed:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.name = "API"
        self.items = rows
        self.total = len(rows)

    def done(self) -> int:
        return self.total

    def rows(self) -> Any:
        for index, values in enumerate(self.items, start=1):
            yield index, {str(k).strip().lower(): v for k, v in values.items()}


@router.post(
    "/{campaign_id}/contacts",
    response={200: dict[str, Any], 201: dict[str, Any], **WRITE_ERRORS},
    url_name="campaign_push_contacts",
    operation_id="campaign_push_contacts",
    summary="Add people to call",
    description="Checked as an imported list is: a contact's errors come back with its "
    "position in `contacts` (1 for the first) as the line. All or nothing unless "
    "`skip_invalid`. People already in the campaign (same phone or DUI) are merged, not added "
    "twice, so a retried request adds nobody.",
)
def push_contacts(request: HttpRequest, campaign_id: int, payload: ContactsIn) -> HttpResponse:
    user = _runner(request)
    campaign = queries.access_campaign_for_user(user, campaign_id)
    try:
        report = actions.do_import_contacts(
            campaign,
            _Pushed(payload.contacts),
            acting_user=user,
            skip_invalid=payload.skip_invalid,
        )
    except BusinessError as refused:
        return error_response(request, 409, str(refused))
    items = [
        {"loc": ["body", "contacts", p.line, p.column], "msg": p.reason, "type": "invalid"}
        for p in report.problems[:500]
    ]
    if report.problems and not payload.skip_invalid:
        return error_response(
            request, 422, _("Some contacts are not valid; none was added."), items
        )
    body = {
        "added": report.created,
        "merged": report.merged,
        "excluded": report.excluded,
        "rejected": items,
    }
    if not report.created and not report.merged and not report.excluded:
        raise HttpError(422, _("No contact could be added."))
    return json_response(request, 201 if report.created else 200, body)
