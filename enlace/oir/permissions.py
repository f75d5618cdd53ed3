"""Who may do what in the OIR: the officer (and an administrator) runs the requests; a unit's
liaison sees and answers the items sent to their unit; the statistics are also open to
analysts. Nothing else decides access to OIR pages (queries.py applies it)."""

from __future__ import annotations

from enlace.accounts.models import Role, User
from enlace.directory.queries import descendant_ids

MANAGERS = frozenset({Role.OIR_OFFICER, Role.ADMINISTRATOR})
STATISTICS = MANAGERS | {Role.ANALYST}


def is_officer(user: User) -> bool:
    """Registers, splits, sends, decides, extends, resolves and notifies requests."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in MANAGERS


def can_view_statistics(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in STATISTICS


def unit_scope(user: User) -> list[int] | None:
    """The units whose items a liaison sees and answers; None for anyone else."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return None
    if user.role != Role.LIAISON or user.dependency_id is None:
        return None
    if user.includes_children:
        return descendant_ids(user.dependency_id)
    return [user.dependency_id]


def sees_oir(user: User) -> bool:
    """Whether the header offers the OIR link (the officer's list, the unit's items, or the
    statistics for an analyst)."""
    if is_officer(user) or can_view_statistics(user):
        return True
    return user.is_active and user.role == Role.LIAISON and user.dependency_id is not None
