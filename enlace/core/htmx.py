"""The little of htmx's protocol the server needs (see https://htmx.org/reference/)."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest, *, target: str | None = None) -> bool:
    """True for a request htmx made (optionally aimed at the element with id `target`)."""
    if request.headers.get("HX-Request") != "true" or request.headers.get("HX-Boosted") == "true":
        return False
    return target is None or request.headers.get("HX-Target") == target
