"""The JSON API under /api/v1/ (Django Ninja). Each router lives in its app's api.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from enlace.reports.api import router as reports_router

api = NinjaAPI(
    title="Enlace API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
)
api.add_router("/reports", reports_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not allowed.")}, status=403)
