"""The person a view acts for: the logged-in `User` (views that call it are behind
`login_required` or a check of their own, so an anonymous user never reaches it)."""

from __future__ import annotations

from django.http import HttpRequest

from enlace.accounts.models import User


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User), "views that act for a person require a login"
    return request.user
