"""Load the mechanisms and the social-network accounts from their data file (create or update
by code or handle, never duplicate)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from enlace.catalogues.models import ChannelGroup
from enlace.core.errors import BusinessError
from enlace.participation.models import Mechanism, Network, SocialAccount

DEFAULT_FILE = Path(__file__).parent / "data" / "mechanisms.toml"


def load_mechanisms(path: Path = DEFAULT_FILE, *, update_existing: bool = True) -> tuple[int, int]:
    """Create what the file has and the database lacks and, with `update_existing`, bring the
    rest back to the file. Returns (created, updated)."""
    with path.open("rb") as fh:
        data: dict[str, list[dict[str, Any]]] = tomllib.load(fh)
    created = updated = 0
    with transaction.atomic():
        mechanisms = {m.code: m for m in Mechanism.objects.all()}
        for order, entry in enumerate(data.get("mechanism", []), start=1):
            code = entry.get("code", "")
            bad = set(entry.get("channel_groups", [])) - set(ChannelGroup.values)
            if bad:
                raise BusinessError(f"{path.name}: mechanism {code}: unknown channel groups {bad}")
            if code in mechanisms and not update_existing:
                continue
            mechanism, was_created = Mechanism.objects.update_or_create(
                code=code,
                defaults={
                    "name": entry["name"],
                    "objective": entry["objective"],
                    "requirements": entry["requirements"],
                    "location": entry.get("location", ""),
                    "source": entry["source"],
                    "channel_groups": entry.get("channel_groups", []),
                    "has_events": entry.get("has_events", False),
                    "sort_order": entry.get("sort_order", order * 10),
                    "is_active": entry.get("is_active", True),
                },
            )
            mechanisms[code] = mechanism
            created += was_created
            updated += not was_created
        handles = set(SocialAccount.objects.values_list("handle", flat=True))
        for order, entry in enumerate(data.get("account", []), start=1):
            handle = entry.get("handle", "")
            if entry.get("network") not in Network.values:
                raise BusinessError(f"{path.name}: account {handle}: unknown network")
            if entry.get("mechanism") and entry["mechanism"] not in mechanisms:
                raise BusinessError(f"{path.name}: account {handle}: unknown mechanism")
            if handle in handles and not update_existing:
                continue
            _account, was_created = SocialAccount.objects.update_or_create(
                handle=handle,
                defaults={
                    "name": entry["name"],
                    "network": entry["network"],
                    "url": entry.get("url", ""),
                    "mechanism": mechanisms.get(entry.get("mechanism", "")),
                    "sort_order": entry.get("sort_order", order * 10),
                    "is_active": entry.get("is_active", True),
                },
            )
            created += was_created
            updated += not was_created
    return created, updated
