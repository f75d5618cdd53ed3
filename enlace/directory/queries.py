"""Reads of the organisation tree.

The active dependencies and the institutional closures are reference data
(enlace/core/reference.py): each process keeps them in memory and reloads them when a row is
saved or deleted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import cast

from enlace.core import reference
from enlace.directory.models import Dependency, InstitutionalClosure


@dataclass(frozen=True)
class ActiveDependencies:
    by_code: dict[str, Dependency]  # in lower case, as the name
    by_name: dict[str, Dependency]


def _load_dependencies() -> ActiveDependencies:
    active = list(Dependency.objects.active().order_by("name", "pk"))
    return ActiveDependencies(
        by_code={dependency.code.lower(): dependency for dependency in active},
        by_name={dependency.name.lower(): dependency for dependency in reversed(active)},
    )


def _load_closures() -> frozenset[date]:
    return frozenset(InstitutionalClosure.objects.values_list("date", flat=True))


reference.register("dependencies", _load_dependencies, models=[Dependency])
reference.register("closures", _load_closures, models=[InstitutionalClosure])


def closure_dates() -> frozenset[date]:
    """Every day the institute closed or will close besides weekends and national holidays."""
    return cast(frozenset[date], reference.get("closures"))


def descendant_ids(root_id: int) -> list[int]:
    """The id of `root_id` and of every dependency below it, in one query.

    The tree holds a few hundred rows, so reading its edges once and walking them is cheaper and
    simpler than a recursive query, and it works the same on SQLite and PostgreSQL.
    """
    children: dict[int | None, list[int]] = defaultdict(list)
    for dep_id, parent_id in Dependency.objects.values_list("id", "parent_id"):
        children[parent_id].append(dep_id)
    found: list[int] = []
    stack = [root_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


def resolve_dependency(text: str) -> Dependency | None:
    """Find an active dependency by what a person typed: its code, its exact name, or the
    type-ahead label "Name [CODE]"."""
    text = text.strip()
    if not text:
        return None
    if text.endswith("]") and "[" in text:
        text = text[text.rindex("[") + 1 : -1]
    active = cast(ActiveDependencies, reference.get("dependencies"))
    text = text.strip().lower()
    return active.by_code.get(text) or active.by_name.get(text)
