"""Template filters that mask personal data for a role that does not need it:
`{{ value|masked:"phone" }}` (dui, phone, email, name, affiliation)."""

from __future__ import annotations

from django import template

from enlace.privacy import masking

register = template.Library()

_MASKS = {
    "dui": masking.dui,
    "phone": masking.phone,
    "email": masking.email,
    "name": masking.name,
    "affiliation": masking.affiliation,
}


@register.filter
def masked(value: object, kind: str) -> str:
    return _MASKS[kind](str(value or ""))
