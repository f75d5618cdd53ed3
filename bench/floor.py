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


def gunicorn(
    app: str, *, workers: int, threads: int, worker_class: str = "gthread"
) -> tuple[Any, int]:
    """The production server: gunicorn serving `app` ("module:factory()") on a free port of
    127.0.0.1, as deploy/Procfile runs it (workers x threads), started from this process's
    environment: (process, port). Stop it with stop_gunicorn()."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(  # noqa: S603 - the virtual environment's gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            "127.0.0.1:0",
            "--worker-class",
            worker_class,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--log-level",
            "info",
        ],
        cwd=root,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    port = 0
    booted = 0
    for line in process.stderr:
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        if match:
            port = int(match[1])
        if "Booting worker" in line:
            booted += 1
        if port and booted >= workers:
            break
    if not port:
        process.kill()
        raise RuntimeError("gunicorn did not start")
    # Keep reading its log so that it never blocks on a full pipe.
    log = process.stderr
    threading.Thread(target=lambda: [None for _ in log], daemon=True).start()
    return process, port


def stop_gunicorn(process: Any) -> None:
    import signal

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def warm(base: str, path: str = "/", tries: int = 40) -> None:
    """Ask `path` until every worker has loaded the project (a few answers in a row)."""
    import time
    import urllib.request

    answered = 0
    for _ in range(tries):
        try:
            with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:  # noqa: S310
                response.read()
                answered += 1
        except Exception:
            time.sleep(0.25)
        if answered >= 8:
            return
