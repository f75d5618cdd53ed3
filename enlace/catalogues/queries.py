"""Reads of the catalogues.

The active entries are reference data (enlace/core/reference.py): each process keeps them in
memory and reloads them when an entry is saved or deleted, so resolving what a person or a
system typed costs no query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, cast

from enlace.catalogues.models import CatalogueEntry, Channel, InquiryTopic, Limitante, OpinionType
from enlace.core import reference

_E = TypeVar("_E", bound=CatalogueEntry)
CATALOGUES: tuple[type[CatalogueEntry], ...] = (Channel, OpinionType, Limitante, InquiryTopic)


@dataclass(frozen=True)
class ActiveEntries:
    """The active entries of one catalogue, by code and by name (both in lower case)."""

    by_code: dict[str, CatalogueEntry]
    by_name: dict[str, CatalogueEntry]


def _load() -> dict[type[CatalogueEntry], ActiveEntries]:
    found = {}
    for model in CATALOGUES:
        entries = list(model._default_manager.filter(is_active=True))
        found[model] = ActiveEntries(
            by_code={entry.code.lower(): entry for entry in entries},
            # Reversed, so that of two entries with the same name the first in order wins.
            by_name={entry.name.lower(): entry for entry in reversed(entries)},
        )
    return found


reference.register("catalogues", _load, models=CATALOGUES)


def active_entries(model: type[_E]) -> ActiveEntries:
    return cast(dict[type[CatalogueEntry], ActiveEntries], reference.get("catalogues"))[model]


def entry_by_code(model: type[_E], code: str) -> _E | None:
    """The active entry with exactly this code, or None."""
    found = active_entries(model).by_code.get(code.lower())
    return cast(_E, found) if found is not None and found.code == code else None


def resolve_entry(model: type[_E], text: str) -> _E | None:
    """The active entry whose code or name is `text` (case ignored), or None."""
    text = text.strip().lower()
    if not text:
        return None
    entries = active_entries(model)
    return cast(_E | None, entries.by_code.get(text) or entries.by_name.get(text))
