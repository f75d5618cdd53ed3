"""The catalogues through the API: channels, opinion types, limitantes and inquiry topics. Their
codes are what cases and filters use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from enlace.catalogues.models import CatalogueEntry, Channel, InquiryTopic, Limitante, OpinionType
from enlace.core.api import ErrorOut, QueryBool

router = Router(tags=["catalogues"])


class EntryOut(Schema):
    code: str
    name: str
    is_active: bool


class ChannelOut(EntryOut):
    report_group: str = Field(description="How the participation report groups the channel.")


class CatalogueQuery(Schema):
    active: QueryBool | None = Field(
        None, description="true: only active entries; false: inactive."
    )


_RESPONSES = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _entries(
    model: type[CatalogueEntry], query: CatalogueQuery, *extra: str
) -> list[dict[str, Any]]:
    rows = model._default_manager.all()  # in the catalogue's order (sort_order, name)
    if query.active is not None:
        rows = rows.filter(is_active=query.active)
    return list(rows.values("code", "name", "is_active", *extra))


@router.get(
    "/channels",
    response={200: list[ChannelOut], **_RESPONSES},
    operation_id="list_channels",
    summary="Channels",
)
def list_channels(request: HttpRequest, query: Query[CatalogueQuery]) -> list[dict[str, Any]]:
    return _entries(Channel, query, "report_group")


@router.get(
    "/opinion-types",
    response={200: list[EntryOut], **_RESPONSES},
    operation_id="list_opinion_types",
    summary="Opinion types",
)
def list_opinion_types(request: HttpRequest, query: Query[CatalogueQuery]) -> list[dict[str, Any]]:
    return _entries(OpinionType, query)


@router.get(
    "/limitantes",
    response={200: list[EntryOut], **_RESPONSES},
    operation_id="list_limitantes",
    summary="Limitantes (root causes)",
)
def list_limitantes(request: HttpRequest, query: Query[CatalogueQuery]) -> list[dict[str, Any]]:
    return _entries(Limitante, query)


@router.get(
    "/topics",
    response={200: list[EntryOut], **_RESPONSES},
    operation_id="list_topics",
    summary="Inquiry topics",
)
def list_topics(request: HttpRequest, query: Query[CatalogueQuery]) -> list[dict[str, Any]]:
    return _entries(InquiryTopic, query)
