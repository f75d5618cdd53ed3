"""How people are identified in El Salvador, as Enlace stores them: the DUI (Documento Único de
Identidad, ########-# with its check digit) and phone numbers (E.164). Every app that keeps or
searches a person's identifiers normalises them here."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- Documento Único de Identidad (DUI) ------------------------------------------------------
_DUI_RE = re.compile(r"^(\d{8})-?(\d)$")


def dui_check_digit(first_eight: str) -> int:
    """Weights 9..2 over the eight digits; the check digit brings the sum to a multiple of 10."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_eight, range(9, 1, -1), strict=True)
    )
    return (10 - total % 10) % 10


def normalise_dui(text: str) -> str:
    """'########-#' with a valid check digit, or ValidationError in the user's language."""
    match = _DUI_RE.match(text.strip())
    if not match:
        raise ValidationError(
            _("The DUI must have eight digits, a dash and a check digit (00000000-0)."),
            code="dui_format",
        )
    body, check = match.groups()
    if dui_check_digit(body) != int(check):
        raise ValidationError(
            _("The DUI %(dui)s is not valid: its check digit does not match."),
            code="dui_check_digit",
            params={"dui": f"{body}-{check}"},
        )
    return f"{body}-{check}"


def dui_key(text: str) -> str | None:
    """'########-#' if the text is shaped like a DUI (check digit not verified), else None: what
    a search for a DUI looks up."""
    match = _DUI_RE.match(text.strip())
    return f"{match[1]}-{match[2]}" if match else None


# --- Phone numbers --------------------------------------------------------------------------
def normalise_phone(text: str) -> str:
    """A Salvadoran number in E.164 (+503 and eight digits), or ValidationError."""
    try:
        number = phonenumbers.parse(text, "SV")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 503
        or not phonenumbers.is_valid_number_for_region(number, "SV")
    ):
        raise ValidationError(
            _("%(phone)s is not a valid Salvadoran phone number (eight digits, 2, 6 or 7 first)."),
            code="phone",
            params={"phone": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """+50371234567 -> 7123-4567, as Salvadorans write it."""
    if e164.startswith("+503") and len(e164) == 12:
        return f"{e164[4:8]}-{e164[8:]}"
    return e164


def phone_or_none(text: str) -> str | None:
    try:
        return normalise_phone(text)
    except ValidationError:
        return None
