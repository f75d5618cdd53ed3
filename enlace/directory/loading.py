"""Load the organisation tree from its data file (create or update by code, never duplicate)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from enlace.core.errors import BusinessError
from enlace.directory.models import Department, Dependency, DependencyKind, LevelOfCare

DEFAULT_FILE = Path(__file__).parent / "data" / "directory.toml"


def load_directory(path: Path = DEFAULT_FILE, *, update_existing: bool = True) -> tuple[int, int]:
    """Create every dependency of the file that is missing and, with `update_existing`, bring
    the others back to what the file says. Returns (created, updated)."""
    with path.open("rb") as fh:
        entries: list[dict[str, Any]] = tomllib.load(fh).get("dependency", [])
    created = updated = 0
    with transaction.atomic():
        by_code: dict[str, Dependency] = {d.code: d for d in Dependency.objects.all()}
        for number, entry in enumerate(entries, start=1):
            code = entry.get("code", "")
            if entry.get("kind") not in DependencyKind.values:
                raise BusinessError(f"{path.name} entry {number} ({code}): unknown kind")
            if entry.get("level_of_care") not in LevelOfCare.values:
                raise BusinessError(f"{path.name} entry {number} ({code}): unknown level_of_care")
            if entry.get("department", "") not in ["", *Department.values]:
                raise BusinessError(f"{path.name} entry {number} ({code}): unknown department")
            parent_code = entry.get("parent")
            if parent_code and parent_code not in by_code:
                raise BusinessError(
                    f"{path.name} entry {number} ({code}): parent {parent_code} must come first"
                )
            values = {
                "name": entry["name"],
                "kind": entry["kind"],
                "level_of_care": entry["level_of_care"],
                "parent": by_code[parent_code] if parent_code else None,
                "department": entry.get("department", ""),
                "has_punto_seguro": entry.get("has_punto_seguro", False),
                "is_active": entry.get("is_active", True),
            }
            if code in by_code and not update_existing:
                continue
            dependency, was_created = Dependency.objects.update_or_create(
                code=code, defaults=values
            )
            by_code[code] = dependency
            created += was_created
            updated += not was_created
    return created, updated
