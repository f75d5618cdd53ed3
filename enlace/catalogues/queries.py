"""Reads of the catalogues."""

from __future__ import annotations

from typing import TypeVar

from enlace.catalogues.models import CatalogueEntry

_E = TypeVar("_E", bound=CatalogueEntry)


def resolve_entry(model: type[_E], text: str) -> _E | None:
    """The active entry whose code or name is `text` (case ignored), or None."""
    text = text.strip()
    if not text:
        return None
    active = model._default_manager.filter(is_active=True)
    return active.filter(code__iexact=text).first() or active.filter(name__iexact=text).first()
