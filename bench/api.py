"""Case creations per second through POST /api/v1/cases on PostgreSQL, beside a bare view that
inserts one row on the same server (and bare views that write a creation's rows by hand and
through the ORM).

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
  and deadlines, stores the idempotency record and the audit row, and answers 201 with the case;
- a second floor, for comparison only: POST /bench/writes/, a bare view that writes by hand
  (SQL built once from the models' fields, ids looked up once per process) exactly the rows a
  creation leaves (the case, its history row, its two deadlines, the idempotency record, the
  audit row) in one transaction, with no key, form, rule or ORM: what the writes alone cost;
- a third, for comparison only: POST /bench/orm-writes/, the same rows through the ORM (each
  model's `objects.create` in one transaction; the case's `save()` appends its rollup delta as
  every creation does): what the ORM adds to those writes, still with no key, form or rule.

It prints requests per second of each, the API's ratio to the floor (the goal: at least 0.5)
and to the second and third floors, p50/p99 latency, checks that every 201 made exactly one
case, then deletes what it made (the cases and everything they own, the audit and idempotency
rows, the key, its service account and the administrator), and writes bench/results/api.json.
`--no-idempotency-key` leaves the header out. It refuses SQLite (exit status 2).
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
WITHOUT_ROLLUPS = "BENCH_API_WITHOUT_ROLLUPS"


def configure_server() -> None:
    """The settings a server process runs with: the floors' URLs, no debug, mail kept local."""
    from django.conf import settings
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    urls = bare_floor.urlconf(FLOOR_TABLE)
    urls.urlpatterns.insert(0, path(WRITES_PATH, csrf_exempt(writes_floor_view)))
    urls.urlpatterns.insert(0, path(ORM_WRITES_PATH, csrf_exempt(orm_writes_floor_view)))
    settings.ROOT_URLCONF = urls
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if os.environ.get(WITHOUT_ROLLUPS):
        # For the side-by-side run only: creations append no rollup deltas (what a creation
        # cost before the rollups). The database's rollups are repaired after the run.
        from enlace.cases.models import RollupDelta

        RollupDelta.record_many = classmethod(lambda cls, changes, *, using: None)  # type: ignore[method-assign,assignment]


# --- The second floor: the writes a creation must make, by hand, and nothing else ------------
WRITES_PATH = "bench/writes/"
ORM_WRITES_PATH = "bench/orm-writes/"  # the same rows through the ORM
WRITES_ACTOR = ADMIN  # the rows of the writes floor are the administrator's, not the key's


class _Inserts:
    """For each model the floor writes: its INSERT, built once from the model's fields (every
    field not given gets its default, as enlace/imports/staging.py does), and the parameters of
    its defaults, so a request only sets the values that change."""

    def __init__(self) -> None:
        from enlace.apikeys.models import ApiAudit, IdempotentRequest
        from enlace.cases.models import Case, CaseDeadline, CaseEvent

        self.models = {
            "case": Case,
            "event": CaseEvent,
            "deadline": CaseDeadline,
            "audit": ApiAudit,
            "idempotency": IdempotentRequest,
        }
        self.cache: dict[str, tuple[str, list[str], list[Any]]] = {}

    def sql(self, name: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
        from django.db import connection

        model = self.models[name]
        if name not in self.cache:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            columns = ", ".join(str(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            table = model._meta.db_table
            defaults = [None if f.attname in values else f.get_default() for f in fields]
            self.cache[name] = (
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id",  # noqa: S608
                [f.attname for f in fields],
                [f.get_db_prep_save(v, connection) for f, v in zip(fields, defaults, strict=True)],
            )
        statement, names, params = self.cache[name]
        fields_by_name = {f.attname: f for f in model._meta.concrete_fields}
        params = list(params)
        for index, attname in enumerate(names):
            if attname in values:
                params[index] = fields_by_name[attname].get_db_prep_save(
                    values[attname], connection
                )
        return statement, params


_inserts: _Inserts | None = None
_fixed: dict[str, Any] = {}


def fixed_ids() -> dict[str, Any]:
    """The ids the writes floors use in every row, looked up once per process."""
    from enlace.accounts.models import User
    from enlace.cases.models import DeadlinePolicy
    from enlace.catalogues.models import Channel, Limitante, OpinionType
    from enlace.directory.models import Dependency

    centre = Dependency.objects.get(code="HG")
    return {
        "channel_id": Channel.objects.get(code="sitio_web").pk,
        "opinion_type_id": OpinionType.objects.get(code="queja").pk,
        "dependency_id": centre.pk,
        "level_of_care": centre.level_of_care,
        "limitante_id": Limitante.objects.get(code="tiempo_espera").pk,
        "user_id": User.objects.get(username=WRITES_ACTOR).pk,
        "policy_id": DeadlinePolicy.objects.filter(kind="opinion")
        .values_list("pk", flat=True)
        .first(),
    }


def writes_floor_view(request: Any) -> Any:
    """POST /bench/writes/: in one transaction, with hand-written SQL and the ids looked up
    once per process, exactly the rows a case creation through the API leaves: the case (into
    cases_case with its indexes and generated search column), its history row, its two
    deadlines, the idempotency record and the audit row. No key, no form, no rules, no ORM."""
    import uuid
    from datetime import timedelta

    from django.db import connection, transaction
    from django.http import HttpResponse
    from django.utils import timezone

    from enlace.cases.rules import new_tracking_code, search_text

    global _inserts
    if _inserts is None:
        _fixed.update(fixed_ids())
        _inserts = _Inserts()
    body = json.loads(request.body)
    now = timezone.now()
    today = timezone.localdate(now)
    fixed = _fixed
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            *_inserts.sql(
                "case",
                {
                    "kind": "opinion",
                    "tracking_code": new_tracking_code(),
                    "status": "received",
                    "channel_id": fixed["channel_id"],
                    "opinion_type_id": fixed["opinion_type_id"],
                    "dependency_id": fixed["dependency_id"],
                    "level_of_care": fixed["level_of_care"],
                    "limitante_id": fixed["limitante_id"],
                    "citizen_name": body["citizen"]["name"],
                    "citizen_phone": "+50371234567",
                    "citizen_email": body["citizen"]["email"],
                    "description": body["description"],
                    "search_text": search_text(body["citizen"]["name"], body["description"]),
                    "received_at": now,
                    "updated_at": now,
                    "created_by_id": fixed["user_id"],
                    "intake_token": uuid.uuid4(),
                    "next_due_on": today + timedelta(days=3),
                },
            )
        )
        (case_id,) = cursor.fetchone()
        cursor.execute(
            *_inserts.sql(
                "event",
                {
                    "case_id": case_id,
                    "kind": "registered",
                    "actor_id": fixed["user_id"],
                    "at": now,
                    "from_status": "",
                    "to_status": "received",
                    "changes": {},
                    "note": "",
                },
            )
        )
        for step, days in (("acknowledge", 3), ("answer", 10)):
            cursor.execute(
                *_inserts.sql(
                    "deadline",
                    {
                        "case_id": case_id,
                        "step": step,
                        "policy_id": fixed["policy_id"],
                        "started_on": today,
                        "due_on": today + timedelta(days=days),
                        "remind_on": today + timedelta(days=days - 1),
                        "escalate_on": today + timedelta(days=days + 1),
                        "status": "open",
                        "next_check_at": now + timedelta(days=days - 1),
                    },
                )
            )
        answer = {"code": str(case_id), "description": body["description"]}
        cursor.execute(
            *_inserts.sql(
                "idempotency",
                {
                    "user_id": fixed["user_id"],
                    "key": uuid.uuid4().hex,
                    "operation": "create_case",
                    "request_hash": uuid.uuid4().hex,
                    "status_code": 201,
                    "response": answer,
                    "created_at": now,
                },
            )
        )
        cursor.execute(
            *_inserts.sql(
                "audit",
                {
                    "at": now,
                    "user_id": fixed["user_id"],
                    "api_key_id": None,
                    "method": "POST",
                    "path": request.path,
                    "status_code": 201,
                    "object_id": str(case_id),
                },
            )
        )
    return HttpResponse(json.dumps(answer), status=201, content_type="application/json")


def orm_writes_floor_view(request: Any) -> Any:
    """POST /bench/orm-writes/: the rows of /bench/writes/, made through the ORM (each model's
    `objects.create`, in one transaction) instead of hand-written SQL; the case's own `save()`
    also appends its rollup delta, as every creation does. Still no key, form, rules or
    Ninja: what the ORM adds to the same writes."""
    import uuid
    from datetime import timedelta

    from django.db import transaction
    from django.http import HttpResponse
    from django.utils import timezone

    from enlace.apikeys.models import ApiAudit, IdempotentRequest
    from enlace.cases.models import Case, CaseDeadline, CaseEvent
    from enlace.cases.rules import new_tracking_code, search_text

    if not _fixed:
        _fixed.update(fixed_ids())
    fixed = _fixed
    body = json.loads(request.body)
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        case = Case.objects.create(
            kind="opinion",
            tracking_code=new_tracking_code(),
            status="received",
            channel_id=fixed["channel_id"],
            opinion_type_id=fixed["opinion_type_id"],
            dependency_id=fixed["dependency_id"],
            level_of_care=fixed["level_of_care"],
            limitante_id=fixed["limitante_id"],
            citizen_name=body["citizen"]["name"],
            citizen_phone="+50371234567",
            citizen_email=body["citizen"]["email"],
            description=body["description"],
            search_text=search_text(body["citizen"]["name"], body["description"]),
            received_at=now,
            updated_at=now,
            created_by_id=fixed["user_id"],
            intake_token=uuid.uuid4(),
            next_due_on=today + timedelta(days=3),
        )
        CaseEvent.objects.create(
            case=case,
            kind="registered",
            actor_id=fixed["user_id"],
            at=now,
            from_status="",
            to_status="received",
            changes={},
            note="",
        )
        for step, days in (("acknowledge", 3), ("answer", 10)):
            CaseDeadline.objects.create(
                case=case,
                step=step,
                policy_id=fixed["policy_id"],
                started_on=today,
                due_on=today + timedelta(days=days),
                remind_on=today + timedelta(days=days - 1),
                escalate_on=today + timedelta(days=days + 1),
                status="open",
                next_check_at=now + timedelta(days=days - 1),
            )
        answer = {"code": str(case.pk), "description": body["description"]}
        IdempotentRequest.objects.create(
            user_id=fixed["user_id"],
            key=uuid.uuid4().hex,
            operation="create_case",
            request_hash=uuid.uuid4().hex,
            status_code=201,
            response=answer,
            created_at=now,
        )
        ApiAudit.objects.create(
            at=now,
            user_id=fixed["user_id"],
            api_key=None,
            method="POST",
            path=request.path,
            status_code=201,
            object_id=str(case.pk),
        )
    return HttpResponse(json.dumps(answer), status=201, content_type="application/json")


def repair_rollups() -> None:
    """The rows-by-hand floor's cases were made without rollup deltas and deleted with their
    -1: fold, and repair today's rollups (an ERROR line "rollups differed ... repaired" says so)."""
    from django.utils import timezone

    from enlace.cases import rollups

    rollups.fold()
    today = timezone.localdate()
    rollups.verify(today, today)


def wsgi() -> Any:
    """`gunicorn 'bench.api:wsgi()'`: the project with the floors, as --serve configures it."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    configure_server()
    return application


def serve_forever() -> int:
    """`--serve`: the body of one server process. Prints its port, then serves until killed."""
    django.setup()
    configure_server()
    _server, port = bare_floor.serve()
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


def phone(number: int) -> str:
    """A phone of its own for each submission, as citizens have: with one phone for all, each
    creation's duplicate lookup (the same person's open cases at the centre this week) would
    read every case the run had made before it."""
    return f"7{number // 10_000 % 1_000:03d}-{number % 10_000:04d}"


def complaint(number: int) -> dict[str, Any]:
    return {
        "kind": "opinion",
        "channel": "sitio_web",
        "opinion_type": "queja",
        "dependency": "HG",
        "limitante": "tiempo_espera",
        "description": f"Esperé cinco horas en emergencia ({MARK} {number}).",
        "citizen": {"name": "Marta Pérez", "phone": phone(number), "email": "marta@example.com"},
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


def writes_floors(
    bases: list[str], *, clients: int, seconds: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two writes floors, one after the other: a creation's rows by hand, then the same
    rows through the ORM."""
    by_hand, by_orm = (
        hammer(
            [f"{base}/{path}" for base in bases],
            complaint,
            headers={},
            expect=201,
            clients=clients,
            seconds=seconds,
        )
        for path in (WRITES_PATH, ORM_WRITES_PATH)
    )
    return by_hand, by_orm


def server_label(args: Any) -> str:
    if args.server == "gunicorn":
        return f"gunicorn, {args.workers} {args.worker_class} worker(s) x {args.threads} thread(s)"
    return f"{args.servers} development server process(es)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--servers", type=int, default=1, help="dev server processes")
    parser.add_argument(
        "--server",
        choices=("dev", "gunicorn"),
        default="dev",
        help="Django's threaded development server, or gunicorn as deploy/Procfile runs it",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", help="gthread or sync")
    parser.add_argument("--no-idempotency-key", action="store_true")
    parser.add_argument(
        "--rollups-side-by-side",
        action="store_true",
        help="then the same creations by servers that append no rollup deltas (their ratio)",
    )
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

    def start() -> tuple[list[Any], Any, list[str]]:
        if args.server == "gunicorn":
            unicorn, port = bare_floor.gunicorn(
                "bench.api:wsgi()",
                workers=args.workers,
                threads=args.threads,
                worker_class=args.worker_class,
            )
            bare_floor.warm(f"http://127.0.0.1:{port}")
            return [], unicorn, [f"http://127.0.0.1:{port}"]
        processes, ports = start_servers(args.servers)
        return processes, None, [f"http://127.0.0.1:{port}" for port in ports]

    def stop(processes: list[Any], unicorn: Any) -> None:
        stop_servers(processes)
        if unicorn is not None:
            bare_floor.stop_gunicorn(unicorn)

    def create_cases(bases: list[str]) -> dict[str, Any]:
        return hammer(
            [f"{base}/api/v1/cases" for base in bases],
            complaint,
            headers={"Authorization": f"Bearer {raw}"},
            expect=201,
            clients=args.clients,
            seconds=args.seconds,
            idempotency=not args.no_idempotency_key,
        )

    processes, unicorn, bases = start()
    without_rollups: dict[str, Any] | None = None
    try:
        floor = hammer(
            [f"{base}/bench/floor/" for base in bases],
            lambda n: {"body": f"row {n}"},
            headers={},
            expect=200,
            clients=args.clients,
            seconds=args.seconds,
        )
        api = create_cases(bases)
        writes, orm_writes = writes_floors(bases, clients=args.clients, seconds=args.seconds)
        if args.rollups_side_by_side:
            # The same creations by servers that append no rollup deltas, right after.
            stop(processes, unicorn)
            processes, unicorn = [], None
            os.environ[WITHOUT_ROLLUPS] = "1"
            try:
                processes, unicorn, bases = start()
            finally:
                del os.environ[WITHOUT_ROLLUPS]
            without_rollups = create_cases(bases)
    finally:
        stop(processes, unicorn)
        made = Case.objects.filter(created_by=key.user)
        created = made.count()
        audited = ApiAudit.objects.filter(api_key=key, status_code=201).count()
        # Leave the database as it was.
        made.delete()
        Case.objects.filter(created_by=admin).delete()
        ApiAudit.objects.filter(api_key=key).delete()
        ApiAudit.objects.filter(user=admin).delete()
        IdempotentRequest.objects.filter(user__in=[key.user, admin]).delete()
        user = key.user
        ApiKey.objects.filter(pk=key.pk).delete()
        user.delete()
        admin.delete()
        bare_floor.drop_table(FLOOR_TABLE)
        repair_rollups()
    ratio = api["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    writes_ratio = api["per_second"] / writes["per_second"] if writes["per_second"] else 0.0
    orm_ratio = api["per_second"] / orm_writes["per_second"] if orm_writes["per_second"] else 0.0
    case_list.say()
    case_list.say(f"{args.clients} clients, {args.seconds:g} s each, {server_label(args)}")
    case_list.say(f"{'':<38}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    label = "POST /api/v1/cases" + ("" if args.no_idempotency_key else " + Idempotency-Key")
    for name, figures in (
        ("bare view, one INSERT (floor)", floor),
        (label, api),
        ("bare view, a creation's rows by hand", writes),
        ("bare view, the same rows by the ORM", orm_writes),
    ):
        case_list.say(
            f"{name:<38}{figures['per_second']:>9.1f}{figures['p50_ms']:>9.1f}"
            f"{figures['p99_ms']:>9.1f}{figures['failures']:>8}"
        )
    case_list.say(f"API / floor: {ratio:.2f} (goal: at least 0.50)")
    rollups_ratio = None
    if without_rollups is not None:
        rollups_ratio = (
            api["per_second"] / without_rollups["per_second"]
            if without_rollups["per_second"]
            else 0.0
        )
        case_list.say(
            f"without rollup deltas: {without_rollups['per_second']:.1f} req/s "
            f"(p50 {without_rollups['p50_ms']:.1f} ms); with / without: {rollups_ratio:.2f} "
            "(goal: at least 0.90)"
        )
    case_list.say(f"API / a creation's rows written by hand: {writes_ratio:.2f}")
    case_list.say(f"API / the same rows written by the ORM: {orm_ratio:.2f}")
    creations = api["requests"] + (without_rollups["requests"] if without_rollups else 0)
    case_list.say(f"cases made: {created:,} for {creations:,} creations ({audited:,} audited)")
    if api["first_failure"]:
        case_list.say(f"first failure: {api['first_failure']}")
    assert Case.objects.count() == before
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "clients": args.clients,
                "server": server_label(args),
                "servers": args.servers,
                "idempotency_key": not args.no_idempotency_key,
                "floor": floor,
                "api": api,
                "ratio": ratio,
                "writes_floor": writes,
                "api_without_rollups": without_rollups,
                "with_to_without_rollups": rollups_ratio,
                "ratio_to_writes_floor": writes_ratio,
                "orm_writes_floor": orm_writes,
                "ratio_to_orm_writes_floor": orm_ratio,
            },
            indent=2,
        )
    )
    if writes["first_failure"]:
        case_list.say(f"first failure of the hand-written writes: {writes['first_failure']}")
    return 0 if created == api["requests"] == audited else 1


if __name__ == "__main__":
    sys.exit(main())
