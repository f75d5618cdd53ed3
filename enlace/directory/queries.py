"""Reads of the organisation tree and of the municipalities.

The active dependencies, the institutional closures and the municipalities are reference data
(enlace/core/reference.py): each process keeps them in memory and reloads them when a row is
saved or deleted."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.utils.translation import gettext as _

from enlace.core import reference
from enlace.core.errors import BusinessError
from enlace.directory.models import Department, Dependency, InstitutionalClosure, Municipality


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


def fold_name(text: str) -> str:
    """A place name as the look-ups compare it: without accents, case or extra spaces
    (' San  Martín ' -> 'san martin', 'Mercedes Umaña' -> 'mercedes umana')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _load_municipalities() -> dict[str, tuple[Municipality, ...]]:
    by_name: dict[str, list[Municipality]] = defaultdict(list)
    for municipality in Municipality.objects.order_by("code"):
        by_name[fold_name(municipality.name)].append(municipality)
    return {name: tuple(found) for name, found in by_name.items()}


reference.register("dependencies", _load_dependencies, models=[Dependency])
reference.register("closures", _load_closures, models=[InstitutionalClosure])
reference.register("municipalities", _load_municipalities, models=[Municipality])


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


class AmbiguousMunicipality(BusinessError):
    """The name is a municipality in more than one department and none was given."""

    def __init__(self, name: str, candidates: tuple[Municipality, ...]):
        departments = ", ".join(m.get_department_display() for m in candidates)
        super().__init__(
            _("%(name)s is a municipality of several departments (%(departments)s): say which.")
            % {"name": name, "departments": departments},
            code="ambiguous_municipality",
        )
        self.candidates = candidates


_DEPARTMENT_BY_NAME = {fold_name(label): value for value, label in Department.choices}


def department_code(text: str) -> str:
    """The ISO 3166-2:SV letter code of a department given by that code ('CU', 'SV-CU') or by
    its name, accents and case ignored ('Cuscatlan'); BusinessError if it is neither."""
    code = text.strip().upper().removeprefix("SV-")
    if code in Department.values:
        return code
    found = _DEPARTMENT_BY_NAME.get(fold_name(text))
    if found is None:
        raise BusinessError(
            _("%(department)s is not a department of El Salvador.") % {"department": text},
            code="unknown_department",
        )
    return found


def municipality_by_name(name: str, department: str | None = None) -> Municipality | None:
    """The municipality (pre-2024 division) called `name`, accents, case and extra spaces
    ignored, or None when there is none.

    `department`, its letter code or its name, narrows the search. Without it, a name shared
    by several departments ("El Rosario": Cuscatlán, La Paz, Morazán) raises
    AmbiguousMunicipality, whose `candidates` are the municipalities of that name. An unknown
    department raises BusinessError."""
    wanted = department_code(department) if department is not None else None
    by_name = cast(dict[str, tuple[Municipality, ...]], reference.get("municipalities"))
    found = by_name.get(fold_name(name), ())
    if wanted is not None:
        found = tuple(m for m in found if m.department == wanted)
    if len(found) > 1:
        raise AmbiguousMunicipality(" ".join(name.split()), found)
    return found[0] if found else None


def ancestor_ids(dependency_id: int) -> list[int]:
    """The ids of the dependencies above `dependency_id`, nearest first, in one query (the tree
    is small: see `descendant_ids`)."""
    parents = dict(Dependency.objects.values_list("id", "parent_id"))
    found: list[int] = []
    current = parents.get(dependency_id)
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found
