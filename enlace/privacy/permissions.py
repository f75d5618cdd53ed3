"""Who works data protection: the data-protection officer (and a superuser)."""

from __future__ import annotations

from typing import Any


def is_dpo(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role == "dpo")
