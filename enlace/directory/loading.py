"""Load the directory's reference data from its files (create or update by code, never
duplicate): the organisation tree and El Salvador's municipalities."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from enlace.core import reference
from enlace.core.errors import BusinessError
from enlace.directory.models import (
    Department,
    Dependency,
    DependencyKind,
    LevelOfCare,
    Municipality,
)
from enlace.directory.queries import fold_name

DEFAULT_FILE = Path(__file__).parent / "data" / "directory.toml"
MUNICIPALITIES_FILE = Path(__file__).parent / "data" / "municipalities.toml"

# The department's number that starts a municipality's code (DIGESTYC's numbering).
DEPARTMENT_NUMBER: dict[str, str] = {
    Department.AH: "01",
    Department.SA: "02",
    Department.SO: "03",
    Department.CH: "04",
    Department.LI: "05",
    Department.SS: "06",
    Department.CU: "07",
    Department.PA: "08",
    Department.CA: "09",
    Department.SV: "10",
    Department.US: "11",
    Department.SM: "12",
    Department.MO: "13",
    Department.UN: "14",
}


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


def _read_municipalities(path: Path) -> list[tuple[str, str, str]]:
    """The (code, name, department) of every entry of the file, checked as a whole before
    anything is written: a mistake names its entry and nothing is loaded."""
    with path.open("rb") as fh:
        entries: list[Any] = tomllib.load(fh).get("municipality", [])
    rows: list[tuple[str, str, str]] = []
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} municipality {number}"
        if not isinstance(entry, dict):
            raise BusinessError(f"{where}: expected a table with code, name and department")
        code, name, department = (entry.get(key) for key in ("code", "name", "department"))
        if not isinstance(name, str) or not name.strip():
            raise BusinessError(f"{where} ({code}): a name is required")
        name = " ".join(name.split())
        where = f"{where} ({code} {name})"
        if unknown := set(entry) - {"code", "name", "department"}:
            raise BusinessError(f"{where}: unknown field {', '.join(sorted(unknown))}")
        if not isinstance(code, str) or len(code) != 4 or not code.isascii() or not code.isdigit():
            raise BusinessError(f"{where}: the code must be 4 digits")
        if department not in Department.values:
            raise BusinessError(f"{where}: unknown department {department!r}")
        if code[:2] != DEPARTMENT_NUMBER[department]:
            raise BusinessError(
                f"{where}: the code must start with {DEPARTMENT_NUMBER[department]}, "
                f"the number of department {department}"
            )
        if code in codes:
            raise BusinessError(f"{where}: code {code} already used by entry {codes[code]}")
        key = (department, fold_name(name))
        if key in names:
            raise BusinessError(
                f"{where}: name already used in department {department} by entry {names[key]}"
            )
        codes[code] = names[key] = number
        rows.append((code, name, department))
    return rows


def load_municipalities(
    path: Path = MUNICIPALITIES_FILE, *, update_existing: bool = True
) -> tuple[int, int]:
    """Create every municipality of the file that is missing and, with `update_existing`,
    bring the others back to what the file says. Rows the file no longer lists are kept (other
    records may point at them). Returns (created, updated); rows already as the file says are
    not counted, so loading again returns (0, 0)."""
    rows = _read_municipalities(path)
    in_file = {code for code, _, _ in rows}
    with transaction.atomic():
        existing = {m.code: m for m in Municipality.objects.all()}
        taken = {
            (m.department, fold_name(m.name)): m.code
            for m in existing.values()
            if m.code not in in_file
        }
        to_create: list[Municipality] = []
        to_update: list[Municipality] = []
        for code, name, department in rows:
            if (other := taken.get((department, fold_name(name)))) is not None:
                raise BusinessError(
                    f"{path.name} municipality {code} {name}: the database has that name in "
                    f"department {department} under code {other}, which the file does not list"
                )
            current = existing.get(code)
            if current is None:
                to_create.append(Municipality(code=code, name=name, department=department))
            elif update_existing and (current.name, current.department) != (name, department):
                current.name, current.department = name, department
                to_update.append(current)
        if to_update:
            # Each changed row first takes a placeholder of its own, so two rows may swap
            # names without meeting the constraint (one name per department) half-way.
            for municipality in to_update:
                Municipality.objects.filter(pk=municipality.pk).update(name=f"#{municipality.code}")
            Municipality.objects.bulk_update(to_update, ["name", "department"])
        Municipality.objects.bulk_create(to_create)
        if to_create or to_update:
            reference.bump()  # bulk writes send no signals
    return len(to_create), len(to_update)
