"""The floor the request benchmarks compare against (bench/portal.py, bench/api.py): a bare
view that inserts the posted body as one row of a one-column table, served by the same server
and middleware as the project's URLs."""

from __future__ import annotations

import threading
from typing import Any

PATH = "bench/floor/"


def create_table(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, body text)")


def drop_table(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def urlconf(table: str) -> Any:
    """The project's URLs plus the floor view writing into `table`, as a module-like object for
    ROOT_URLCONF."""
    from django.db import connection
    from django.http import HttpResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    def floor_view(request: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (body) VALUES (%s)", [request.body.decode()])  # noqa: S608
        return HttpResponse("ok")

    class Urls:
        urlpatterns = [
            path(PATH, csrf_exempt(floor_view)),
            path("", include("config.urls")),
        ]

    return Urls


def serve() -> tuple[Any, int]:
    """Django's threaded WSGI server (the one `runserver` uses) on a free port of 127.0.0.1,
    serving in a daemon thread, quiet: (server, port)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])
