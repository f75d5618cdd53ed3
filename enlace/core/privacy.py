"""Personal data never stays in a cache: every answer to a logged-in person or to an API or
Open311 client says `Cache-Control: private, no-store` (and so does any answer a view marked),
so neither a shared proxy nor the browser's back button after logging out shows it again."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Doors other systems use: their answers carry cases, whoever asks.
MACHINE_PREFIXES = ("/api/", "/open311/")


class NoStoreForPeople:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or request.path.startswith(
            MACHINE_PREFIXES
        )
        if personal and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
