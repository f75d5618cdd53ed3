"""What the header offers for the call centre and the suggestion box: an agent's console panel
(polled; see views.panel), the call log for its readers, the suggestion boxes for those who open
them. An empty dict for everyone else: base.html includes nothing."""

from __future__ import annotations

from django.http import HttpRequest

from enlace.accounts.models import User
from enlace.callcentre.queries import has_console, sees_call_log
from enlace.cases.permissions import Capability, has_capability


def console(request: HttpRequest) -> dict[str, dict[str, bool]]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_active:
        return {"console": {}}
    offered = {
        "call_panel": has_console(user),
        "calls": sees_call_log(user),
        "boxes": has_capability(user, Capability.OPEN_BOX),
    }
    return {"console": {name: True for name, shown in offered.items() if shown}}
