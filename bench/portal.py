"""Portal submissions per second on PostgreSQL, beside a bare Django view that inserts one row
and one that writes a case's rows by hand (bench/api.py's).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench .venv/bin/python bench/portal.py

(`make bench` runs exactly that.) It reuses bench/case_list.py for the database (1,000,000
cases, so each new case lands in a full table), starts one real HTTP server on 127.0.0.1 in this
process (Django's threaded WSGI server, the one `runserver` uses; `--server gunicorn` for the
production one) serving the project's URLs plus the bare views, and posts to it from
`--clients` threads (default 4) for `--seconds` each:

- the floor: POST /bench/floor/, a view that inserts one row into a table of one text column
  and answers 200, through the same middleware stack (sessions, CSRF exemption aside);
- the rows by hand: bench/api.py's POST /bench/writes/, the rows a case creation leaves,
  written in SQL in one transaction (the goal of issue 19: the portal at 0.5 of it), then the
  same rows through the ORM (/bench/orm-writes/), both after the portal so that their cases
  are not in the portal's duplicate lookup;
- the portal: POST / with a complete complaint (what the browser sends: form token, type,
  centre, text, name, phone, e-mail), which stores the inbound message, makes the case with its
  history and deadlines and the acknowledgement e-mail row, and answers with the receipt.

Each client first GETs the form, as a browser does, for its CSRF cookie and token. The portal's
rate limit (which refuses a flood from one address) is lifted for the run: it measures the
work of a submission, not the refusal of a flood. It prints requests per second of each,
their ratio and p50/p99 latency, checks that every submission made its case, then deletes the
cases it made, and writes bench/results/portal.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The portal's limits count in the cache: Redis, as production runs it
# (config/production.env.example), not the embedded database table.
os.environ.setdefault("CACHE_BACKEND", "redis")

import django  # noqa: E402 - the project root must be importable first

from bench import api as api_bench  # noqa: E402
from bench import case_list  # noqa: E402
from bench import floor as bare_floor  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "portal.json"
FLOOR_TABLE = api_bench.FLOOR_TABLE
GOAL = 0.5  # of the rows-by-hand floor (issue 19)
MARK = "bench-portal"  # in every submitted text, to find and delete the cases afterwards


def portal_form(number: int) -> dict[str, str]:
    return {
        "token": str(uuid.uuid4()),
        "what": "queja",
        "dependency": "HG",
        "topic": "",
        "description": f"Esperé cinco horas en emergencia ({MARK} {number}).",
        "name": "Marta Pérez",
        "dui": "",
        "phone": api_bench.phone(number),
        "email": "marta@example.com",
        "website": "",
    }


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser(base: str, *, with_form: bool) -> tuple[Any, dict[str, str]]:
    """An opener with its own cookies, and the CSRF field of the portal's form if asked."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    if not with_form:
        return opener, {}
    with opener.open(f"{base}/", timeout=30) as response:
        page = response.read().decode()
    match = CSRF_FIELD.search(page)
    return opener, {"csrfmiddlewaretoken": match[1]} if match else {}


def hammer(
    base: str, path: str, make_body: Any, *, clients: int, seconds: float, with_form: bool
) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(10**9))

    openers = [browser(base, with_form=with_form) for _ in range(clients)]
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        opener, extra = openers[index]
        while time.perf_counter() < stop:
            with lock:
                number = next(counter)
            data = urllib.parse.urlencode({**make_body(number), **extra}).encode()
            request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
                f"{base}{path}", data=data, method="POST", headers={"Referer": f"{base}/"}
            )
            started = time.perf_counter()
            try:
                with opener.open(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception as error:
                ok = False
                with lock:
                    failures.append(str(error))
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
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
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
    }


def configure_server() -> None:
    """The settings the server runs with (this process's, or each gunicorn worker's)."""
    from django.conf import settings

    api_bench.configure_server()  # both floors: one INSERT, and a creation's rows by hand
    # One address for every request here: the portal's limits are lifted for the benchmark,
    # which measures the work of a submission, not the refusal of a flood.
    settings.PORTAL_RATE_LIMITS = {"submit": (10**9, 3600), "track": (10**9, 600)}
    settings.MEDIA_ROOT = ROOT / "bench" / "results" / "media"


def wsgi() -> Any:
    """`gunicorn 'bench.portal:wsgi()'`: the project with the floor, configured as above."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    configure_server()
    return application


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--server",
        choices=("dev", "gunicorn"),
        default="dev",
        help="Django's threaded development server, or gunicorn as deploy/Procfile runs it",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", help="gthread or sync")
    args = parser.parse_args()

    django.setup()
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)

    from enlace.accounts.models import Role, User
    from enlace.apikeys.models import ApiAudit, IdempotentRequest
    from enlace.cases.models import Case
    from enlace.channels.models import InboundMessage

    configure_server()
    bare_floor.create_table(FLOOR_TABLE)
    admin, _created = User.objects.get_or_create(  # the rows-by-hand floor's author
        username=api_bench.ADMIN,
        defaults={"role": Role.RESOLUTION, "email": "portal@bench.invalid"},
    )
    if args.server == "gunicorn":
        unicorn, port = bare_floor.gunicorn(
            "bench.portal:wsgi()",
            workers=args.workers,
            threads=args.threads,
            worker_class=args.worker_class,
        )
        server = None
        base = f"http://127.0.0.1:{port}"
        bare_floor.warm(base)
        label = f"gunicorn, {args.workers} {args.worker_class} worker(s) x {args.threads} thread(s)"
    else:
        unicorn = None
        server, port = bare_floor.serve()
        base = f"http://127.0.0.1:{port}"
        label = "one development server process"
    before = Case.objects.count()
    try:
        floor = hammer(
            base,
            "/bench/floor/",
            lambda n: {"body": f"row {n}"},
            clients=args.clients,
            seconds=args.seconds,
            with_form=False,
        )
        # The portal before the rows by hand, whose thousands of cases at the same centre would
        # otherwise be in its duplicate lookup's way (bench/api.py runs in the same order).
        portal = hammer(
            base, "/", portal_form, clients=args.clients, seconds=args.seconds, with_form=True
        )
        writes, orm_writes = api_bench.writes_floors(
            [base], clients=args.clients, seconds=args.seconds
        )
    finally:
        if server is not None:
            server.shutdown()
        if unicorn is not None:
            bare_floor.stop_gunicorn(unicorn)
    made = Case.objects.filter(description__contains=MARK)
    created = made.count()
    ratio = portal["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    by_hand = portal["per_second"] / writes["per_second"] if writes["per_second"] else 0.0
    by_orm = portal["per_second"] / orm_writes["per_second"] if orm_writes["per_second"] else 0.0
    case_list.say()
    case_list.say(f"{args.clients} clients, {args.seconds:g} s each, {label}")
    case_list.say(f"{'':<40}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    for name, figures in (
        ("bare view, one INSERT", floor),
        ("bare view, a case's rows by hand", writes),
        ("bare view, the same rows by the ORM", orm_writes),
        ("portal submission", portal),
    ):
        case_list.say(
            f"{name:<40}{figures['per_second']:>9.1f}{figures['p50_ms']:>9.1f}"
            f"{figures['p99_ms']:>9.1f}{figures['failures']:>8}"
        )
    case_list.say(f"portal / rows by hand: {by_hand:.2f} (goal: at least {GOAL:.2f})")
    case_list.say(f"portal / the same rows by the ORM: {by_orm:.2f}")
    case_list.say(f"portal / one INSERT: {ratio:.2f}")
    case_list.say(f"cases made: {created:,} for {portal['requests']:,} submissions")
    if portal["first_failure"]:
        case_list.say(f"first failure: {portal['first_failure']}")
    # Leave the database as it was: the cases, their messages and everything they own.
    InboundMessage.objects.filter(plugin="portal", body__contains=MARK).delete()
    made.delete()
    Case.objects.filter(created_by=admin).delete()  # the rows-by-hand floor's
    ApiAudit.objects.filter(user=admin).delete()
    IdempotentRequest.objects.filter(user=admin).delete()
    admin.delete()
    bare_floor.drop_table(FLOOR_TABLE)
    api_bench.repair_rollups()
    assert Case.objects.count() == before
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "clients": args.clients,
                "server": label,
                "floor": floor,
                "writes_floor": writes,
                "portal": portal,
                "ratio": ratio,
                "ratio_to_rows_by_hand": by_hand,
                "orm_writes_floor": orm_writes,
                "ratio_to_orm_writes": by_orm,
            },
            indent=2,
        )
    )
    return 0 if created == portal["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
