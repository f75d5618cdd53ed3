"""Pure rules about cases: identifiers, validation of personal data, the lifecycle table and the
normalised search text. No database access here, so everything is tested without one."""

from __future__ import annotations

import re
import secrets
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enlace.cases.lifecycle import CaseKind

# --- Tracking codes --------------------------------------------------------------------------
# Ten symbols from an alphabet without look-alikes (0/O and 1/I are absent) and without letters
# whose Spanish names are confused over the phone (B/V, N beside M, S/Z, G beside J, Y, U/W).
# 22 symbols ** 10 = 2.7e13 codes: at tens of millions of cases a random guess hits one in a
# million times, and the public tracking page adds a second factor and a rate limit on top.
TRACKING_ALPHABET = "ACDEFHJKLMPRTX23456789"
TRACKING_LENGTH = 10
_TRACKING_RE = re.compile(rf"^[{TRACKING_ALPHABET}]{{{TRACKING_LENGTH}}}$")


_CODE_SPACE = len(TRACKING_ALPHABET) ** TRACKING_LENGTH
_CODE_LIMIT = (1 << 64) // _CODE_SPACE * _CODE_SPACE  # below it, `% _CODE_SPACE` is unbiased


def new_tracking_code() -> str:
    """A uniformly random code from one read of the system's random source (imports draw a
    million of them)."""
    while (number := secrets.randbits(64)) >= _CODE_LIMIT:
        pass
    number %= _CODE_SPACE
    symbols = []
    for _position in range(TRACKING_LENGTH):
        number, digit = divmod(number, len(TRACKING_ALPHABET))
        symbols.append(TRACKING_ALPHABET[digit])
    return "".join(symbols)


def normalise_tracking_code(text: str) -> str | None:
    """The stored form of a code as a person typed or dictated it (case, spaces and dashes are
    ignored), or None if it cannot be one."""
    cleaned = re.sub(r"[\s\-]", "", text.upper())
    return cleaned if _TRACKING_RE.match(cleaned) else None


def format_tracking_code(code: str) -> str:
    """How a code is shown and read aloud: two groups of five."""
    return f"{code[:5]}-{code[5:]}" if len(code) == TRACKING_LENGTH else code


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


# --- Affiliation number ---------------------------------------------------------------------
_AFFILIATION_RE = re.compile(r"^\d{6,12}$")


def normalise_affiliation(text: str) -> str:
    cleaned = re.sub(r"[\s\-]", "", text)
    if not _AFFILIATION_RE.match(cleaned):
        raise ValidationError(
            _("The affiliation number must have between 6 and 12 digits."), code="affiliation"
        )
    return cleaned


# --- Search text ----------------------------------------------------------------------------
class _WithoutMarks(dict[int, int | None]):
    """A `str.translate` table that drops combining marks (the accents NFKD splits off), filled
    one code point at a time as texts bring them: a C-speed lookup per character instead of a
    Python call."""

    LIMIT = 50_000  # code points remembered; beyond it (no real text gets there) just answer

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if len(self) < self.LIMIT:
            self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Lower case without accents: 'Atención Médica' -> 'atencion medica'."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_WITHOUT_MARKS)


def search_text(*parts: str) -> str:
    """The text the free-text filter searches: names and descriptions, folded."""
    return fold(" ".join(part for part in parts if part))


def search_words(query: str) -> list[str]:
    return [word for word in re.split(r"\W+", fold(query)) if word]


# --- What a new case needs -------------------------------------------------------------------
def new_case_problems(
    kind: str,
    *,
    opinion_type: bool,
    dependency: bool,
    topic: bool,
    limitante: bool = False,
    description: str = "",
    to_classify: bool = False,
    answered_at_first_contact: bool = False,
    answer: str = "",
    historical: bool = False,
) -> list[tuple[str, str]]:
    """What a new case lacks or has too much of, as (field, message) pairs; [] when it may be
    registered. The one rule of the action, the console's and the API's intake form and the
    historical import. Each argument says whether the case has that value (the catalogue and
    directory look-ups are the caller's). Imported history (`historical`) may lack the centre,
    the description and the topic, which old registers did not always keep."""
    if kind not in CaseKind.values:
        return [("kind", str(_("Unknown kind of case.")))]
    problems: list[tuple[str, str]] = []
    if to_classify:
        # From a channel where the citizen wrote freely: triage says what it is later.
        if kind != CaseKind.OPINION or answered_at_first_contact:
            problems.append(("", str(_("A case to classify is registered as an opinion."))))
        if not description.strip():
            problems.append(("description", str(_("Describe the opinion."))))
        return problems
    if kind == CaseKind.OPINION:
        if not opinion_type:
            problems.append(("opinion_type", str(_("An opinion needs its type."))))
        if not dependency and not historical:
            problems.append(("dependency", str(_("An opinion needs the centre it is about."))))
        if not description.strip() and not historical:
            problems.append(("description", str(_("Describe the opinion."))))
        if topic:
            problems.append(("topic", str(_("Only inquiries have a topic."))))
        return problems
    if opinion_type:
        problems.append(("opinion_type", str(_("Only opinions have a type."))))
    if limitante:
        problems.append(("limitante", str(_("Only opinions have a limitante."))))
    if not topic and not historical:
        problems.append(("topic", str(_("An inquiry needs its topic."))))
    if answered_at_first_contact and not answer.strip():
        problems.append(("answer", str(_("Write the answer given to the caller."))))
    return problems
