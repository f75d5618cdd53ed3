"""Writes of API keys: create (the raw key is returned once and never stored) and revoke."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import CENTRE_SCOPED_ROLES, Role, User
from enlace.apikeys.models import ApiKey
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency

KEY_PREFIX = "enl_"  # every key starts so, which lets secret scanners recognise a leaked one
PREFIX_LENGTH = len(KEY_PREFIX) + 8  # what lists show: "enl_" and the first 8 random symbols


def hash_key(raw: str) -> str:
    """The stored form of a key. The key is 32 random bytes, so a plain SHA-256 cannot be
    reversed by guessing; a slow hash (PBKDF2) would only slow every request down."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def do_create_api_key(
    *,
    name: str,
    role: str,
    can_write: bool,
    dependencies: Iterable[Dependency],
    created_by: User,
    raw: str | None = None,
    sees_personal_data: bool = False,
) -> tuple[ApiKey, str]:
    """A new key and its service account. Returns the key and the raw key, shown once.

    `raw` is for the demo data only, whose key is printed on start like the demo passwords;
    every other key is drawn at random here."""
    name = name.strip()
    if not name:
        raise BusinessError(_("Give the key a name."), field="name")
    if role not in Role.values:
        raise BusinessError(_("Unknown role."), field="role")
    centres = list(dependencies)
    if role in CENTRE_SCOPED_ROLES and len(centres) != 1:
        # The role's own scope is one centre; several centres need a role that sees all cases,
        # narrowed by the key's centres.
        raise BusinessError(
            _("A key of this role covers exactly one centre."), field="dependencies"
        )
    raw = raw or new_raw_key()
    prefix = raw[:PREFIX_LENGTH]
    with transaction.atomic():
        user = User(
            username=f"apikey-{prefix}",
            first_name=name[:150],
            last_name=_("(API key)"),
            role=role,
            dependency=centres[0] if role in CENTRE_SCOPED_ROLES else None,
        )
        user.set_unusable_password()
        user.save()
        key = ApiKey.objects.create(
            name=name,
            prefix=prefix,
            secret_hash=hash_key(raw),
            sees_personal_data=sees_personal_data,
            can_write=can_write,
            user=user,
            created_by=created_by,
        )
        if centres:
            key.dependencies.set(centres)
    return key, raw


def do_revoke_api_key(key: ApiKey, *, acting_user: User) -> ApiKey:
    """Revoke a key at once: its next request is refused. Its service account is deactivated,
    so no other path can act as it either. Revoking twice changes nothing."""
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = acting_user
            locked.save(update_fields=["revoked_at", "revoked_by"])
            User.objects.filter(pk=locked.user_id).update(is_active=False)
    key.revoked_at, key.revoked_by = locked.revoked_at, locked.revoked_by
    return locked
