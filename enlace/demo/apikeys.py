"""The demo's API key: an integration that reads and writes every centre's cases as resolution
staff would, with a known key printed on start (like the demo passwords), so that the API at
/api/v1/ and Open311 at /open311/v2/ can be tried at once. Created once; never with DEBUG off
(seed_demo refuses to run then)."""

from __future__ import annotations

from enlace.accounts.models import Role, User
from enlace.apikeys.actions import do_create_api_key, hash_key
from enlace.apikeys.models import ApiKey

DEMO_API_KEY = "enl_demo-integration-key-do-not-use-in-production"  # demo only, printed on start
DEMO_KEY_NAME = "Demo integration"


def seed_api_key(created_by: User) -> str | None:
    """The demo key's raw value, created if missing; None once an administrator revoked it
    (a revoked key stays revoked)."""
    key = ApiKey.objects.filter(secret_hash=hash_key(DEMO_API_KEY)).first()
    if key is None:
        do_create_api_key(
            name=DEMO_KEY_NAME,
            role=Role.RESOLUTION,
            can_write=True,
            sees_personal_data=True,  # an integration that answers citizens (a phone system)
            dependencies=[],
            created_by=created_by,
            raw=DEMO_API_KEY,
        )
    elif key.revoked_at is not None:
        return None
    return DEMO_API_KEY
