"""The resolution's text is blocks separated by blank lines, a block starting with #, ## or ###
a heading (enlace/oir/pdf.py). What people wrote goes into it through `one_block`: its blank
lines closed up, so no text of theirs can start a block, let alone a heading."""

from __future__ import annotations

import re

from django import template

register = template.Library()

_BLANK_LINES = re.compile(r"\n\s*\n")


@register.filter
def one_block(value: object) -> str:
    return _BLANK_LINES.sub("\n", str(value or "")).strip()
