"""`/healthz`, `/readyz` and `/metrics`, answered by a middleware at the top of the stack.

They are answered before any other middleware runs: a probe needs no session, user, language
or reference data (so `/healthz` touches no database at all), it is not redirected to HTTPS,
and it is answered whatever Host header the orchestrator or the load balancer sends.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from enlace.ops import checks, metrics

PROBES = {"/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics"}


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers (nothing else is looked at)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Database, cache, task queue and migrations: 200 when all are ready, else 503."""
    results = checks.run_checks()
    ready = all(result.ok for result in results)
    body = {
        "status": "ok" if ready else "fail",
        "checks": {result.name: result.as_dict() for result in results},
    }
    return JsonResponse(body, status=200 if ready else 503)


VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "healthz": healthz,
    "readyz": readyz,
    "metrics": metrics.view,
}


class Probes:
    """Answers the probes and the metrics before anything else; times every other request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = PROBES.get(request.path_info.rstrip("/") or "/")
        if name is None:
            return metrics.timed(request, self.get_response)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
        else:
            response = VIEWS[name](request)
        response["Cache-Control"] = "no-store"
        return response
