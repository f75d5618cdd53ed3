"""The staff's start page: where logging in leads, and the brand's link in the header."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from enlace.core.navigation import home_url


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Each role starts on its own page, the first that an app registered for it
    (`navigation.add_home`): the work queue for those who work cases, the participation
    mechanisms for communications, the case list for those who only read cases."""
    home = home_url(request.user)
    if home is None:
        raise PermissionDenied(_("Your role has no page in Enlace yet: ask an administrator."))
    return redirect(home)
