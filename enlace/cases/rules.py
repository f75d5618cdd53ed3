"""Pure rules about cases: identifiers, validation of personal data, the lifecycle table and the
normalised search text. No database access here, so everything is tested without one."""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enlace.cases.lifecycle import CaseKind
from enlace.core.identifiers import (  # the cases' rules of identifiers, re-exported
    dui_check_digit,
    dui_key,
    format_phone,
    normalise_dui,
    normalise_phone,
    phone_or_none,
)

__all__ = [
    "dui_check_digit",
    "dui_key",
    "format_phone",
    "normalise_dui",
    "normalise_phone",
    "phone_or_none",
]  # and every rule defined below

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


# --- Intake tokens ---------------------------------------------------------------------------
def scoped_token(user_id: int, form_token: uuid.UUID) -> uuid.UUID:
    """The idempotency token of a console form for one user: the same form sent twice by the
    same person is one case; the same token sent by anyone else is another token."""
    return uuid.uuid5(form_token, f"console:{user_id}")


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
