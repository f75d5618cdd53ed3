"""The organisation through the API: every dependency with its level of care and parent."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from enlace.core.api import ErrorOut, QueryBool
from enlace.directory.models import Dependency

router = Router(tags=["directory"])


class DependencyOut(Schema):
    code: str
    name: str
    kind: str
    level_of_care: Literal["hospital", "unidad_medica", "clinica_comunal", "administrativo"]
    parent: str | None = Field(description="The parent's code; null at the top of the tree.")
    department: str = Field(description="ISO 3166-2:SV department code, or empty.")
    has_punto_seguro: bool
    is_active: bool


class DependencyQuery(Schema):
    active: QueryBool | None = Field(
        None, description="true: only active ones; false: only inactive."
    )
    level_of_care: (
        Literal["hospital", "unidad_medica", "clinica_comunal", "administrativo"] | None
    ) = None


@router.get(
    "",
    response={200: list[DependencyOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_dependencies",
    summary="The directory",
)
def list_dependencies(request: HttpRequest, query: Query[DependencyQuery]) -> list[dict[str, Any]]:
    """Every dependency of the institute (a few hundred rows, one query, by code). Codes are
    what cases and filters use to name a centre."""
    rows = Dependency.objects.order_by("code")
    if query.active is not None:
        rows = rows.filter(is_active=query.active)
    if query.level_of_care:
        rows = rows.filter(level_of_care=query.level_of_care)
    fields = ("code", "name", "kind", "level_of_care", "department", "has_punto_seguro")
    return [
        {**row, "parent": row.pop("parent__code")}
        for row in rows.values(*fields, "is_active", "parent__code")
    ]
