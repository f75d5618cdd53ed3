"""The accounts, key and webhook subscription of the load test (bench/load.py), made in the
stack's own database with its production settings (run by bench/load.py in the stack's
environment). Prints them as JSON.

- 25 call-centre agents (role agent: no second factor) who register inquiries and opinions;
- 25 resolution staff and 3 analysts (managers), whose roles need a second factor in production:
  each gets a confirmed TOTP device whose key the load generator holds, and logs in with the
  phone's code it computes, as a person would (SECOND_FACTOR_ROLES stays as production has it);
- an API key (role resolution, read and write) and a webhook endpoint to the load test's local
  receiver for every event.

Users are named `load.*` with addresses `@load.invalid`; running it again replaces them.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the project root must be importable first


def main(receiver: str, agents: int = 25, resolvers: int = 25, managers: int = 3) -> int:
    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from enlace.accounts.models import Role, User
    from enlace.apikeys.actions import do_create_api_key
    from enlace.apikeys.models import ApiKey
    from enlace.webhooks.events import EventType
    from enlace.webhooks.models import WebhookEndpoint

    password = secrets.token_urlsafe(16)
    admin, _created = User.objects.get_or_create(
        username="load.admin",
        defaults={"role": Role.ADMINISTRATOR, "email": "admin@load.invalid"},
    )
    people: dict[str, list[dict[str, str]]] = {"agents": [], "resolvers": [], "managers": []}
    for group, role, count in (
        ("agents", Role.AGENT, agents),
        ("resolvers", Role.RESOLUTION, resolvers),
        ("managers", Role.ANALYST, managers),
    ):
        for number in range(1, count + 1):
            name = f"load.{group[:-1]}{number:02d}"
            user, _created = User.objects.get_or_create(username=name)
            user.role = role
            user.email = f"{name}@load.invalid"
            user.is_active = True
            user.set_password(password)
            user.save()
            entry = {"username": name, "password": password}
            if role != Role.AGENT:
                TOTPDevice.objects.filter(user=user).delete()
                device = TOTPDevice.objects.create(user=user, name="load", confirmed=True)
                entry["totp_key"] = device.key
            people[group].append(entry)
    ApiKey.objects.filter(name="load").delete()
    _key, raw = do_create_api_key(
        name="load", role=Role.RESOLUTION, can_write=True, dependencies=[], created_by=admin
    )
    WebhookEndpoint.objects.filter(name="load receiver").delete()
    WebhookEndpoint.objects.create(
        name="load receiver",
        url=receiver,
        secret=secrets.token_hex(20),
        events=[value for value, _label in EventType.choices],
        created_by=admin,
    )
    print(json.dumps({**people, "api_key": raw}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
