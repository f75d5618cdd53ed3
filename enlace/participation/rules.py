"""What the participation records accept, independent of the database."""

from __future__ import annotations

import re

from enlace.cases.rules import fold as _fold


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how names typed in a spreadsheet are matched."""
    return re.sub(r"\s+", " ", _fold(text or "")).strip()


def municipality_key(name: str, department: str) -> tuple[str, str]:
    return fold(name), department
