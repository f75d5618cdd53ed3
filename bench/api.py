"""Case creations per second through POST /api/v1/cases on PostgreSQL, beside a bare view that
inserts one row on the same server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/api.py

It reuses bench/case_list.py for the database (1,000,000 cases, so each new case lands in a full
table), creates an API key (role resolution, read and write, all centres) with an administrator
`bench.api-admin`, starts `--servers` real HTTP server processes on 127.0.0.1 (default 1; 2 runs
one per core, as a production deployment runs one worker process per core, but on this shared
2-core machine it measured both rates lower; each is Django's threaded WSGI server, the one
`runserver` uses, serving the project's URLs plus one bare view), and posts
to them from `--clients` threads of this process (default 8, spread evenly over the servers) for
`--seconds` each (default 20). The floor and the API are measured the same way, one after the
other, against the same server processes:

- the floor: POST /bench/floor/, a plain view that inserts one row into a table of one text
  column and answers 200, through the same middleware stack;
- the API: POST /api/v1/cases with the key (`Authorization: Bearer`), a complete complaint as
  JSON and a fresh `Idempotency-Key` per request (as a careful integration sends), which
  authenticates the key, validates with the console's form, registers the case with its history
  and deadlines, stores the idempotency record and the audit row, and answers 201 with the case.

It prints creations per second of each, their ratio (the goal: at least 0.5) and p50/p99
latency, checks that every 201 made exactly one case, then deletes what it made (the cases and
everything they own, the audit and idempotency rows, the key, its service account and the
administrator), and writes bench/results/api.json. `--no-idempotency-key` leaves the header
out. It refuses SQLite (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

import django  # noqa: E402 - the project root must be importable first

from bench import case_list  # noqa: E402
from bench import floor as bare_floor  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "api.json"
FLOOR_TABLE = "bench_api_floor"
MARK = "bench-api"  # in every description, to find and delete the cases afterwards
ADMIN = "bench.api-admin"


def configure_server() -> None:
    """The settings a server process runs with: the floor's URL, no debug, mail kept local."""
    from django.conf import settings

    settings.ROOT_URLCONF = bare_floor.urlconf(FLOOR_TABLE)
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def serve_forever() -> int:
    """`--serve`: the body of one server process. Prints its port, then serves until killed."""
    django.setup()
    configure_server()
    _server, port = serve()
    print(port, flush=True)
    threading.Event().wait()
    return 0  # pragma: no cover - killed by the parent


def start_servers(count: int) -> tuple[list[subprocess.Popen[str]], list[int]]:
    processes = [
        subprocess.Popen(  # noqa: S603 - this very script
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for _ in range(count)
    ]
    ports = []
    for process in processes:
        assert process.stdout is not None
        ports.append(int(process.stdout.readline()))
    return processes, ports


def stop_servers(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def serve() -> tuple[Any, int]:
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


def complaint(number: int) -> dict[str, Any]:
    return {
        "kind": "opinion",
        "channel": "sitio_web",
        "opinion_type": "queja",
        "dependency": "HG",
        "limitante": "tiempo_espera",
        "description": f"Esperé cinco horas en emergencia ({MARK} {number}).",
        "citizen": {"name": "Marta Pérez", "phone": "7123-4567", "email": "marta@example.com"},
    }


def hammer(
    urls: list[str],
    make_body: Any,
    *,
    headers: dict[str, str],
    expect: int,
    clients: int,
    seconds: float,
    idempotency: bool = False,
) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop = time.perf_counter() + seconds
    run = f"{time.time_ns()}"

    def client(url: str) -> None:
        while time.perf_counter() < stop:
            with lock:
                number = next(counter)
            extra = {"Idempotency-Key": f"{MARK}-{run}-{number}"} if idempotency else {}
            request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
                url,
                data=json.dumps(make_body(number)).encode(),
                method="POST",
                headers={"Content-Type": "application/json", **headers, **extra},
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()
                    ok = response.status == expect
            except urllib.error.HTTPError as error:
                ok = False
                with lock:
                    failures.append(f"{error.code} {error.read()[:300]!r}")
            except Exception as error:
                ok = False
                with lock:
                    failures.append(str(error))
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(urls[index % len(urls)],)) for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "first_failure": failures[0] if failures else "",
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000 if latencies else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--servers", type=int, default=1, help="server processes")
    parser.add_argument("--no-idempotency-key", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve_forever()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)

    from enlace.accounts.models import Role, User
    from enlace.apikeys.actions import do_create_api_key
    from enlace.apikeys.models import ApiAudit, ApiKey, IdempotentRequest
    from enlace.cases.models import Case

    configure_server()
    bare_floor.create_table(FLOOR_TABLE)
    before = Case.objects.count()
    admin, _created = User.objects.get_or_create(
        username=ADMIN, defaults={"role": Role.ADMINISTRATOR, "email": "api@bench.invalid"}
    )
    key, raw = do_create_api_key(
        name="bench", role=Role.RESOLUTION, can_write=True, dependencies=[], created_by=admin
    )
    processes, ports = start_servers(args.servers)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        floor = hammer(
            [f"{base}/bench/floor/" for base in bases],
            lambda n: {"body": f"row {n}"},
            headers={},
            expect=200,
            clients=args.clients,
            seconds=args.seconds,
        )
        api = hammer(
            [f"{base}/api/v1/cases" for base in bases],
            complaint,
            headers={"Authorization": f"Bearer {raw}"},
            expect=201,
            clients=args.clients,
            seconds=args.seconds,
            idempotency=not args.no_idempotency_key,
        )
    finally:
        stop_servers(processes)
        made = Case.objects.filter(created_by=key.user)
        created = made.count()
        audited = ApiAudit.objects.filter(api_key=key, status_code=201).count()
        # Leave the database as it was.
        made.delete()
        ApiAudit.objects.filter(api_key=key).delete()
        IdempotentRequest.objects.filter(user=key.user).delete()
        user = key.user
        ApiKey.objects.filter(pk=key.pk).delete()
        user.delete()
        admin.delete()
        bare_floor.drop_table(FLOOR_TABLE)
    ratio = api["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    case_list.say()
    case_list.say(
        f"{args.clients} clients, {args.seconds:g} s each, {args.servers} server process(es)"
    )
    case_list.say(f"{'':<38}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    label = "POST /api/v1/cases" + ("" if args.no_idempotency_key else " + Idempotency-Key")
    for name, figures in (("bare view, one INSERT (floor)", floor), (label, api)):
        case_list.say(
            f"{name:<38}{figures['per_second']:>9.1f}{figures['p50_ms']:>9.1f}"
            f"{figures['p99_ms']:>9.1f}{figures['failures']:>8}"
        )
    case_list.say(f"API / floor: {ratio:.2f} (goal: at least 0.50)")
    case_list.say(
        f"cases made: {created:,} for {api['requests']:,} creations ({audited:,} audited)"
    )
    if api["first_failure"]:
        case_list.say(f"first failure: {api['first_failure']}")
    assert Case.objects.count() == before
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "clients": args.clients,
                "servers": args.servers,
                "idempotency_key": not args.no_idempotency_key,
                "floor": floor,
                "api": api,
                "ratio": ratio,
            },
            indent=2,
        )
    )
    return 0 if created == api["requests"] == audited else 1


if __name__ == "__main__":
    sys.exit(main())
