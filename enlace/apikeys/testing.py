"""Helpers for tests of the API: a key of a given role and scope, and a client that sends it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from enlace.accounts.models import Role, User
from enlace.apikeys.actions import do_create_api_key
from enlace.apikeys.models import ApiKey
from enlace.directory.models import Dependency


def make_key(
    *,
    role: str = Role.RESOLUTION,
    can_write: bool = True,
    centres: tuple[str, ...] = (),
    name: str = "Sistema de prueba",
    created_by: User | None = None,
    personal_data: bool = True,
) -> tuple[ApiKey, str]:
    creator = created_by or User.objects.filter(is_superuser=True).first()
    if creator is None:
        creator = User.objects.create_user(
            username="creador-de-llaves", role=Role.ADMINISTRATOR, is_superuser=True
        )
    return do_create_api_key(
        name=name,
        role=role,
        can_write=can_write,
        sees_personal_data=personal_data,
        dependencies=list(Dependency.objects.filter(code__in=centres)),
        created_by=creator,
    )


class KeyClient(Client):
    """A test client that sends an API key with every request, and JSON bodies by default."""

    def __init__(self, raw_key: str, *, header: str = "bearer", **defaults: Any) -> None:
        if header == "bearer":
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw_key}"
        else:
            defaults["HTTP_X_API_KEY"] = raw_key
        defaults.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        super().__init__(**defaults)

    def post_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.post(path, data, content_type="application/json", **extra)


def key_client(**options: Any) -> tuple[KeyClient, ApiKey]:
    header = options.pop("header", "bearer")
    key, raw = make_key(**options)
    return KeyClient(raw, header=header), key
