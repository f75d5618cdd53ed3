"""Reference data: the small tables that every write reads and people rarely change (the
catalogues, the directory, deadline policies, institutional closures, webhook endpoints).

Registering a case used to read seven of them, one query each. Each process now keeps what it
read in memory and reads it again only when a table changed, which it learns from one row:
`ReferenceVersion.token`, a random value that every save or delete of a registered model
replaces (signals, in the writer's transaction). A request reads the token once (the
`ReferenceScope` middleware; `scope()` does the same for a unit of background work), code
outside any scope on each `get()`. So a change is seen by every process from its next request
on, and a change rolled back leaves the old token: no process keeps serving what it undid.

    reference.register("catalogues", load_catalogue_maps, models=[Channel, OpinionType, ...])
    maps = reference.get("catalogues")  # loaded once per change, shared by threads

What a loader returns is shared by every thread of the process: treat it, and the model
instances in it, as read-only. Loaders must read the database, not other reference data.
Bulk writes that send no signals (`QuerySet.update`, `bulk_create`, raw SQL) must call `bump()`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

_loaders: dict[str, Callable[[], Any]] = {}
_lock = threading.Lock()
_UNREAD = object()


@dataclass
class _Loaded:
    token: str | None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Scope:
    token: object = _UNREAD


_loaded = _Loaded(token=None)
_scope: ContextVar[_Scope | None] = ContextVar("reference_scope", default=None)


def register(name: str, load: Callable[[], Any], *, models: Iterable[type[models.Model]]) -> None:
    """`load()` builds the value of `name` from the database; a save or delete of any of
    `models` makes every process build it again."""
    _loaders[name] = load
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"reference:{name}:save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reference:{name}:delete")


def get(name: str) -> Any:
    """The value of `name`, loaded at most once per change of the reference data."""
    global _loaded
    token = _token()
    loaded = _loaded
    if loaded.token != token or token is None:
        loaded = _Loaded(token=token)
        if token is not None:
            _loaded = loaded
    if name not in loaded.values:
        value = _loaders[name]()
        with _lock:
            loaded.values.setdefault(name, value)
    return loaded.values[name]


def bump() -> None:
    """Mark the reference data changed: every process reloads it at its next read."""
    from enlace.core.models import ReferenceVersion

    token = secrets.token_hex(16)
    if not ReferenceVersion.objects.filter(pk=1).update(token=token):
        ReferenceVersion.objects.update_or_create(pk=1, defaults={"token": token})
    scope = _scope.get()
    if scope is not None:
        scope.token = _UNREAD  # this request reads the new token, and so its own change


def _changed(sender: type[models.Model], **kwargs: Any) -> None:
    bump()


def token_sql() -> str:
    """The query of the version, for a query the request makes anyway to carry as a subquery
    (`RawSQL(token_sql(), ())`), handing what it read to `prime`."""
    from enlace.core.models import ReferenceVersion

    table = ReferenceVersion._meta.db_table
    return f"SELECT token FROM {table} WHERE id = 1"  # noqa: S608 - no input


def prime(token: str | None) -> None:
    """The version, as another query of this request read it (`token_sql`): the request's
    scope, if it has not read the version yet, takes it rather than read it again."""
    scope = _scope.get()
    if scope is not None and scope.token is _UNREAD:
        scope.token = str(token) if token is not None else None


def _token() -> str | None:
    scope = _scope.get()
    if scope is not None and scope.token is not _UNREAD:
        return scope.token  # type: ignore[return-value]
    with connection.cursor() as cursor:
        # Plain SQL: this runs once per request, and the ORM would cost more than the query.
        cursor.execute(token_sql())
        row = cursor.fetchone()
    token = str(row[0]) if row else None
    if scope is not None:
        scope.token = token
    return token


@contextmanager
def scope() -> Iterator[None]:
    """Within the block the version is read once (again after a `bump()` of its own): what a
    request or one unit of background work sees. Outside any block, every `get()` reads it."""
    marker = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(marker)


class ReferenceScope:
    """Middleware: one read of the reference data's version per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with scope():
            return self.get_response(request)
