"""Reads of the organisation tree."""

from __future__ import annotations

from collections import defaultdict

from enlace.directory.models import Dependency


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
    active = Dependency.objects.active()
    return active.filter(code__iexact=text).first() or active.filter(name__iexact=text).first()
