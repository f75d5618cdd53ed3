"""What the console's header offers, registered by the apps that own the pages.

The base template (core/templates/base.html) knows no app: it shows the links and the parts
registered here, each app adding its own in `AppConfig.ready()`:

    navigation.add_link("cases:list", _("Cases"), shown=is_staff_user, order=10)
    navigation.add_part("callcentre/_console.html", context=console_context)

A link is shown to the users `shown(user)` accepts; a link of the group "desk" goes in the
second row (the desks' own pages). A part is a template included in the header with
`part.context`, for the users whose request gives it a context (None: not shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django_stubs_ext import StrOrPromise

MAIN = "main"
DESK = "desk"


@dataclass(frozen=True)
class HeaderLink:
    url_name: str
    label: StrOrPromise
    shown: Callable[[Any], bool]
    order: int
    group: str
    accesskey: str


@dataclass(frozen=True)
class HeaderPart:
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int


_LINKS: dict[str, HeaderLink] = {}
_PARTS: dict[str, HeaderPart] = {}


def add_link(
    url_name: str,
    label: StrOrPromise,
    *,
    shown: Callable[[Any], bool],
    order: int = 50,
    group: str = MAIN,
    accesskey: str = "",
) -> None:
    _LINKS[url_name] = HeaderLink(url_name, label, shown, order, group, accesskey)


# Start pages of the staff who work no cases (the cases' list is everyone else's): the first
# whose `shown(user)` accepts, by order; the brand's link leads there too.
_HOMES: dict[str, HeaderLink] = {}


def add_home(url_name: str, *, shown: Callable[[Any], bool], order: int = 50) -> None:
    _HOMES[url_name] = HeaderLink(url_name, "", shown, order, MAIN, "")


def home_url(user: Any) -> str | None:
    """The start page registered for `user`, if any."""
    for home in sorted(_HOMES.values(), key=lambda link: (link.order, link.url_name)):
        if home.shown(user):
            return reverse(home.url_name)
    return None


def add_part(
    template: str, *, context: Callable[[HttpRequest], dict[str, Any] | None], order: int = 50
) -> None:
    _PARTS[template] = HeaderPart(template, context, order)


@dataclass(frozen=True)
class ShownLink:
    url: str
    label: StrOrPromise
    accesskey: str


@dataclass(frozen=True)
class ShownPart:
    template: str
    context: dict[str, Any]


def header(request: HttpRequest) -> dict[str, Any]:
    """The context processor: `header.main` and `header.desk` (links the user may follow, in
    order), `header.parts` (templates to include, with their context) and `header.home`."""
    home = resolve_url(settings.LOGIN_REDIRECT_URL)  # the brand's link: the staff's start page
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {"header": {"home": home}}
    home = home_url(user) or home
    groups: dict[str, list[ShownLink]] = {MAIN: [], DESK: []}
    for link in sorted(_LINKS.values(), key=lambda link: (link.order, link.url_name)):
        if link.shown(user):
            shown = ShownLink(reverse(link.url_name), link.label, link.accesskey)
            groups.setdefault(link.group, []).append(shown)
    parts = []
    for part in sorted(_PARTS.values(), key=lambda part: (part.order, part.template)):
        context = part.context(request)
        if context is not None:
            parts.append(ShownPart(part.template, context))
    return {"header": {**groups, "parts": parts, "home": home}}
