"""Load the default deadline policies from their data file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import DayUnit, DeadlinePolicy, DeadlineStep
from enlace.catalogues.models import OpinionType
from enlace.core.errors import BusinessError

DEFAULT_FILE = Path(__file__).parent / "data" / "deadline_policies.toml"


def load_deadline_policies(path: Path = DEFAULT_FILE, *, update_existing: bool = True) -> int:
    """Create the policies of the file that are missing (and, with `update_existing`, reset
    the others to the file's values). Returns how many rows were written."""
    with path.open("rb") as fh:
        entries: list[dict[str, Any]] = tomllib.load(fh).get("policy", [])
    types = {t.code: t for t in OpinionType.objects.all()}
    written = 0
    with transaction.atomic():
        for number, entry in enumerate(entries, start=1):
            where = f"{path.name} policy {number}"
            if entry.get("kind") not in CaseKind.values:
                raise BusinessError(f"{where}: unknown kind")
            if entry.get("step") not in DeadlineStep.values:
                raise BusinessError(f"{where}: unknown step")
            if entry.get("unit", DayUnit.BUSINESS) not in DayUnit.values:
                raise BusinessError(f"{where}: unknown unit")
            type_code = entry.get("opinion_type")
            if type_code and type_code not in types:
                raise BusinessError(f"{where}: unknown opinion type {type_code}")
            if not 0 <= int(entry.get("days", -1)) <= 365:
                raise BusinessError(f"{where}: days must be between 0 and 365")
            key = {
                "kind": entry["kind"],
                "opinion_type": types[type_code] if type_code else None,
                "step": entry["step"],
            }
            values = {
                "days": entry["days"],
                "unit": entry.get("unit", DayUnit.BUSINESS),
                "remind_before": entry.get("remind_before", 1),
                "escalate_after": entry.get("escalate_after", 1),
            }
            exists = DeadlinePolicy.objects.filter(**key).exists()
            if exists and not update_existing:
                continue
            DeadlinePolicy.objects.update_or_create(**key, defaults=values)
            written += 1
    return written
