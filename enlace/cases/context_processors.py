"""What the header offers the logged-in user, decided by the same capability table as the
views (enlace/cases/permissions.py)."""

from __future__ import annotations

from django.http import HttpRequest

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability
from enlace.oir.permissions import sees_oir


def navigation(request: HttpRequest) -> dict[str, dict[str, bool]]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"nav": {}}
    return {
        "nav": {
            "register": has_capability(user, Capability.REGISTER),
            "reports": has_capability(user, Capability.VIEW_REPORTS),
            "imports": has_capability(user, Capability.IMPORT_CASES),
            "improvements": has_capability(user, Capability.IMPROVE)
            or has_capability(user, Capability.VIEW_REPORTS),
            "oir": sees_oir(user),
        }
    }
