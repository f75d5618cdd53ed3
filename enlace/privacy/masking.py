"""How personal data reads to a role that does not need it: enough to tell two people apart on
a list, not enough to find them. Pure functions; the callers decide who sees what
(`Capability.SEE_PERSONAL_DATA`, enlace/cases/permissions.py)."""

from __future__ import annotations

DOT = "\N{BULLET}"


def dui(value: str) -> str:
    """`04567890-1` -> `0456••••-1`."""
    if not value:
        return ""
    digits, _sep, check = value.partition("-")
    return f"{digits[:4]}{DOT * max(0, len(digits) - 4)}-{check}" if check else DOT * len(value)


def phone(value: str) -> str:
    """`+50371234567` -> `••••-••67` (its last two digits, whatever its country)."""
    if not value:
        return ""
    return f"{DOT * 4}-{DOT * 2}{value[-2:]}"


def email(value: str) -> str:
    """`maria.lopez@example.com` -> `m••••@example.com`."""
    if not value:
        return ""
    local, _at, domain = value.partition("@")
    return f"{local[:1]}{DOT * 4}@{domain}"


def name(value: str) -> str:
    """`María José Núñez` -> `M. J. N.`."""
    return " ".join(f"{part[0]}." for part in value.split() if part)


def affiliation(value: str) -> str:
    return f"{value[:3]}{DOT * max(0, len(value) - 3)}" if value else ""
