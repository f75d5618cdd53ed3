"""What other apps offer on a case's page, registered from their `ready()`: a link that starts
their own work from the case (an improvement opportunity drawn from it, say). The cases know
none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import User
from enlace.cases.models import Case


@dataclass(frozen=True)
class CaseLink:
    url_name: str
    label: StrOrPromise
    shown: Callable[[User, Case], bool]
    # The query parameter that carries the case's id to the page linked.
    parameter: str


@dataclass(frozen=True)
class ShownLink:
    url: str
    label: StrOrPromise


_LINKS: dict[str, CaseLink] = {}


def add_link(
    url_name: str, label: StrOrPromise, *, shown: Callable[[User, Case], bool], parameter: str
) -> None:
    _LINKS[url_name] = CaseLink(url_name, label, shown, parameter)


def links(user: User, case: Case) -> list[ShownLink]:
    """The links `user` is offered on `case`'s page, in the order they were registered."""
    return [
        ShownLink(f"{reverse(link.url_name)}?{urlencode({link.parameter: case.pk})}", link.label)
        for link in _LINKS.values()
        if link.shown(user, case)
    ]
