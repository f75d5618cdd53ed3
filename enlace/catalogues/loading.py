"""Load the catalogues from their data file (create or update by code, never duplicate)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from enlace.catalogues.models import (
    CatalogueEntry,
    Channel,
    ChannelGroup,
    InquiryTopic,
    Limitante,
    OpinionType,
)
from enlace.core.errors import BusinessError

DEFAULT_FILE = Path(__file__).parent / "data" / "catalogues.toml"

SECTIONS: dict[str, type[CatalogueEntry]] = {
    "channel": Channel,
    "opinion_type": OpinionType,
    "limitante": Limitante,
    "inquiry_topic": InquiryTopic,
}


def load_catalogues(
    path: Path = DEFAULT_FILE, *, update_existing: bool = True
) -> dict[str, tuple[int, int]]:
    """Create every catalogue entry of the file that is missing and, with `update_existing`,
    bring the others back to what the file says. Returns {section: (created, updated)}."""
    with path.open("rb") as fh:
        data: dict[str, list[dict[str, Any]]] = tomllib.load(fh)
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise BusinessError(f"{path.name}: unknown sections {', '.join(sorted(unknown))}")
    result: dict[str, tuple[int, int]] = {}
    with transaction.atomic():
        for section, model in SECTIONS.items():
            created = updated = 0
            existing = set(model._default_manager.values_list("code", flat=True))
            for order, entry in enumerate(data.get(section, []), start=1):
                if entry["code"] in existing and not update_existing:
                    continue
                values: dict[str, Any] = {
                    "name": entry["name"],
                    "sort_order": entry.get("sort_order", order * 10),
                    "is_active": entry.get("is_active", True),
                }
                if model is Channel:
                    if entry.get("report_group") not in ChannelGroup.values:
                        raise BusinessError(
                            f"{path.name}: channel {entry['code']}: bad report_group"
                        )
                    values["report_group"] = entry["report_group"]
                _, was_created = model._default_manager.update_or_create(
                    code=entry["code"], defaults=values
                )
                created += was_created
                updated += not was_created
            result[section] = (created, updated)
    return result
