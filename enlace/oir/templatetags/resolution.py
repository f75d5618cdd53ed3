"""The resolution's text is blocks separated by blank lines, a block starting with #, ## or ###
a heading (enlace/oir/pdf.py). What people wrote goes into it through `one_block`: its blank
lines closed up, so no text of theirs can start a block, let alone a heading. `quoted`,
`clause` and `sentence` are `one_block` with the end of the text made to fit the punctuation
around it, so the document never reads «…por tipo.». or "…en curso.." whatever was typed."""

from __future__ import annotations

import re

from django import template

register = template.Library()

_BLANK_LINES = re.compile(r"\n\s*\n")
# The full stops (and ellipses, as three dots or the one character) ending a text, with any
# spaces among them.
_FINAL_STOPS = re.compile(r"[.…][\s.…]*$")
# Dots typed in a row: three or more are an ellipsis (written as its one character), two a
# full stop typed twice.
_ELLIPSIS = re.compile(r"\.{3,}")
_TWO_STOPS = re.compile(r"(?<!\.)\.\.(?!\.)")
# What already ends a sentence in Spanish: no full stop is added after it.
_ENDS_SENTENCE = ("?", "!", "…")


@register.filter
def one_block(value: object) -> str:
    return _BLANK_LINES.sub("\n", str(value or "")).strip()


def _without_final_stop(text: str) -> str:
    """The text without the full stop(s) it ends with; an ellipsis (three dots or more, or
    «…») is kept, as the one character. Inside, dots in a row become one full stop or an
    ellipsis too: the text never shows "..", whatever was typed."""
    text = _TWO_STOPS.sub(".", _ELLIPSIS.sub("…", text))
    found = _FINAL_STOPS.search(text)
    if found is None:
        return text
    tail = found.group()
    ellipsis = "…" in tail or tail.count(".") >= 3
    return text[: found.start()].rstrip() + ("…" if ellipsis else "")


@register.filter
def quoted(value: object) -> str:
    """Text quoted between «», followed by the sentence's own full stop: without its final
    full stop (RAE: the stop goes after the closing guillemet, once). A question, an
    exclamation or an ellipsis stays inside («¿…?».)."""
    return _without_final_stop(one_block(value))


@register.filter
def clause(value: object) -> str:
    """Text in the middle of a sentence, or before the full stop the template writes: without
    a final full stop of its own."""
    return _without_final_stop(one_block(value))


@register.filter
def sentence(value: object) -> str:
    """Text that is a sentence (or several) of the document: ending in exactly one full stop,
    or in its own question or exclamation mark or ellipsis; empty stays empty."""
    text = _without_final_stop(one_block(value))
    if not text or text.endswith(_ENDS_SENTENCE):
        return text
    return text + "."
