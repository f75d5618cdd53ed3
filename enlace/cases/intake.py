"""What other parts of Enlace add to the console's intake, registered from their `ready()`.

The call centre opens the intake from a call (`/casos/nuevo/?llamada=<id>`): it fills in the
caller, and the case is linked to its call in the case's own transaction; and it shows the
person's earlier cases as their phone or DUI is typed. The cases know no call: they ask the
registered `initial` providers for the form's starting values, run the registered `linked`
hooks after registering, inside the same transaction (a hook that refuses with BusinessError
leaves nothing registered), and send the typed phone and DUI to the registered
`person_lookup` page, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.urls import reverse

from enlace.accounts.models import User
from enlace.cases.actions import NewCase, do_register_case
from enlace.cases.models import Case

Initial = Callable[[User, Mapping[str, str]], dict[str, Any]]
Linked = Callable[[Case, Mapping[str, Any], User], None]
_INITIAL: list[Initial] = []
_LINKED: list[Linked] = []
_LOOKUP: list[str] = []  # the URL name of the page that lists a person's earlier cases


def add_initial(provider: Initial) -> None:
    """`provider(user, query)`: starting values of the intake form, from its query string."""
    if provider not in _INITIAL:
        _INITIAL.append(provider)


def add_linked(hook: Linked) -> None:
    """`hook(case, cleaned_data, user)`: runs after the intake registers (or finds) a case, in
    its transaction."""
    if hook not in _LINKED:
        _LINKED.append(hook)


def set_person_lookup(url_name: str) -> None:
    """The page (answering GET ?citizen_phone=&citizen_dui=) that the intake asks for the
    typed person's earlier cases."""
    _LOOKUP[:] = [url_name]


def person_lookup() -> str:
    """The URL of that page, or "" when no app offers one."""
    return reverse(_LOOKUP[0]) if _LOOKUP else ""


def initial(user: User, query: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for provider in _INITIAL:
        values.update(provider(user, query))
    return values


def do_register_from_intake(
    data: NewCase, cleaned_data: Mapping[str, Any], *, acting_user: User
) -> tuple[Case, bool]:
    """Register the case the console's intake describes, and let the hooks link it (to its
    call, say) in the same transaction."""
    with transaction.atomic():
        case, created = do_register_case(data, acting_user=acting_user)
        for hook in _LINKED:
            hook(case, cleaned_data, acting_user)
    return case, created
