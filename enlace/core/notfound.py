"""The console's own "not found" page while developing, too.

In production Django renders templates/404.html for a view's Http404. With DEBUG on (`make
run`, the demo) it shows its English technical page instead, so a demo user who opens a case
outside their scope would read Django's debugging aid. This middleware renders the same page
as production for an Http404 a view raises; a URL that matches no route still gets Django's
page listing the URLs, which is what a developer wants from it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


class NotFoundPage:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        return None
