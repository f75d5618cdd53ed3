"""Public questionnaire submissions per second on PostgreSQL, beside the bare floors of
bench/api.py, on the same servers in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enlace_bench \
        .venv/bin/python bench/survey_submit.py

(`make bench` runs exactly that.) It reuses bench/case_list.py for the database (1,000,000
cases) and bench/api.py's server processes (`--servers`, Django's threaded WSGI server serving
the project's URLs plus the floors), makes a published questionnaire of ten questions (a 1-5
scale, the 0-10 recommendation, the Friends and Family question, yes/no with a follow-up,
single choice, a number, a comment...) and a study in fieldwork at the Hospital General, and
`--invitations` invitations, each a unique link, stored as the action stores them (only the
token's hash). Then `--clients` threads post, for `--seconds` each:

- the floor: POST /bench/floor/, a bare view that inserts one row;
- the writes floor: POST /bench/writes/, a bare view that writes by hand the rows of a case
  created through the API (bench/api.py's "rows by hand");
- the public questionnaire: POST /encuesta/i/<token>/ with the answers as a browser sends them
  (form token, every question), a new invitation each time, answered with a redirect to the
  thank-you page. Each client first GETs one questionnaire, as a browser does, for its CSRF
  cookie and token. The rate limit is lifted for 127.0.0.1 (RATE_LIMIT_EXEMPT): it measures
  the work of a submission, not the refusal of a flood.

The goal (issue 16): the public submissions at least 0.5 of the writes floor. It prints
requests per second, p50/p99 latency and the ratios, checks that every redirect stored exactly
one response, deletes everything it made and writes bench/results/survey_submit.json. It
refuses SQLite (exit status 2); exit status 1 past the goal.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The servers are started by this process with its environment: the rate limit lifted for the
# load generator's address only (docs/operations.md: a test stack's setting, never production).
os.environ.setdefault("RATE_LIMIT_EXEMPT", "127.0.0.1/32")

import django  # noqa: E402 - the project root must be importable first

from bench import api as api_bench  # noqa: E402
from bench import case_list  # noqa: E402
from bench import floor as bare_floor  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "survey_submit.json"
GOAL = 0.5
ANSWERS = {
    "trato": "4",
    "limpieza": "5",
    "espera": "3",
    "recomienda": "9",
    "experiencia": "good",
    "resuelto": "no",
    "falto": "cita",
    "servicio": "farmacia",
    "minutos": "35",
    "comentario": "Me atendieron bien, pero la cita tardó.",
}


def make_study(user: Any) -> Any:
    """A published questionnaire of ten questions and a study in fieldwork at the HG."""
    from django.utils import timezone

    from enlace.directory.models import Dependency
    from enlace.surveys.actions import design, studies
    from enlace.surveys.models import InstrumentKind, QuestionKind

    instrument = design.do_create_instrument(
        name="Bench: satisfacción",
        kind=InstrumentKind.QUESTIONNAIRE,
        code=f"bench-{secrets.token_hex(4)}",
        acting_user=user,
    )
    version = instrument.versions.get()
    section = version.sections.get()

    def add(code: str, kind: str, **extra: Any) -> Any:
        return design.do_save_question(
            version,
            design.QuestionSpec(code=code, text=f"¿{code}?", kind=kind, section=section, **extra),
        )

    for code in ("trato", "limpieza", "espera"):
        add(code, QuestionKind.SCALE, required=True)
    add("recomienda", QuestionKind.NPS, required=True)
    add("experiencia", QuestionKind.FFT)
    resolved = add("resuelto", QuestionKind.YES_NO, required=True)
    add(
        "falto",
        QuestionKind.MULTIPLE,
        condition_question=resolved,
        condition_values=["no"],
        options=[("medicina", "Medicina"), ("cita", "Cita")],
    )
    add(
        "servicio",
        QuestionKind.SINGLE,
        options=[("consulta", "Consulta"), ("farmacia", "Farmacia"), ("emergencia", "Emergencia")],
    )
    add("minutos", QuestionKind.NUMBER)
    add("comentario", QuestionKind.LONG_TEXT)
    version = design.do_publish_version(version, acting_user=user)
    today = timezone.localdate()
    study = studies.do_create_study(
        studies.StudyPlan(
            name="Bench: envíos del público",
            kind="satisfaction",
            version=version,
            method="link",
            period_start=today,
            period_end=today + timedelta(days=1),
            centres=[(Dependency.objects.get(code="HG"), 0)],
        ),
        acting_user=user,
    )
    return studies.do_start_fieldwork(study, acting_user=user)


def make_invitations(study: Any, count: int) -> list[str]:
    """`count` invitations as do_invite stores them (the hash of each token), in bulk."""
    from django.utils import timezone

    from enlace.surveys.models import Invitation

    now = timezone.now()
    centre = study.centres.get().dependency_id
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    Invitation.objects.bulk_create(
        (
            Invitation(
                study=study,
                dependency_id=centre,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
            for token in tokens
        ),
        batch_size=2000,
    )
    return tokens


def submit(bases: list[str], tokens: list[str], *, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    pending = iter(tokens)
    stop = time.perf_counter() + seconds

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    def client(base: str) -> None:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        with lock:
            first = next(pending)
        page = opener.open(f"{base}/encuesta/i/{first}/", timeout=30).read().decode()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "the questionnaire has no form token"
        form = {"csrfmiddlewaretoken": match[1], **ANSWERS}
        body = urllib.parse.urlencode(form).encode()
        token = first
        while time.perf_counter() < stop:
            request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
                f"{base}/encuesta/i/{token}/",
                data=body,
                method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            started = time.perf_counter()
            ok = False
            try:
                opener.open(request, timeout=30).read()
                with lock:
                    failures.append("200 instead of a redirect")
            except urllib.error.HTTPError as error:
                ok = error.code == 302
                if not ok:
                    with lock:
                        failures.append(f"{error.code} {error.read()[:200]!r}")
            except Exception as error:
                with lock:
                    failures.append(str(error))
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                try:
                    token = next(pending)
                except StopIteration:
                    return

    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(bases[index % len(bases)],))
        for index in range(clients)
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
    parser.add_argument("--servers", type=int, default=1, help="dev server processes")
    parser.add_argument("--invitations", type=int, default=20_000)
    args = parser.parse_args()

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench/survey_submit.py measures PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2
    db = case_list.database_settings()
    case_list.ensure_database(db)
    case_list.prepare_schema()
    case_list.ensure_cases(args.cases, regenerate=False)

    from enlace.accounts.models import Role, User
    from enlace.apikeys.models import ApiAudit, IdempotentRequest
    from enlace.cases.models import Case
    from enlace.surveys.models import Instrument, Response, Study

    bare_floor.create_table(api_bench.FLOOR_TABLE)
    admin, _created = User.objects.get_or_create(
        username=api_bench.ADMIN,
        defaults={"role": Role.RESOLUTION, "email": "survey@bench.invalid"},
    )
    study = make_study(admin)
    tokens = make_invitations(study, args.invitations)
    processes, ports = api_bench.start_servers(args.servers)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        floor = api_bench.hammer(
            [f"{base}/bench/floor/" for base in bases],
            lambda n: {"body": f"row {n}"},
            headers={},
            expect=200,
            clients=args.clients,
            seconds=args.seconds,
        )
        writes = api_bench.hammer(
            [f"{base}/{api_bench.WRITES_PATH}" for base in bases],
            api_bench.complaint,
            headers={},
            expect=201,
            clients=args.clients,
            seconds=args.seconds,
        )
        public = submit(bases, tokens, clients=args.clients, seconds=args.seconds)
    finally:
        api_bench.stop_servers(processes)
        stored = Response.objects.filter(study=study).count()
        # Leave the database as it was.
        Response.objects.filter(study=study).delete()
        version = study.version
        Study.objects.filter(pk=study.pk).delete()
        Instrument.objects.filter(pk=version.instrument_id).delete()
        Case.objects.filter(created_by=admin).delete()
        ApiAudit.objects.filter(user=admin).delete()
        IdempotentRequest.objects.filter(user=admin).delete()
        admin.delete()
        bare_floor.drop_table(api_bench.FLOOR_TABLE)
        api_bench.repair_rollups()
    ratio = public["per_second"] / writes["per_second"] if writes["per_second"] else 0.0
    floor_ratio = public["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    # Each client's first GET is not timed; its token is answered by its first POST.
    case_list.say()
    case_list.say(f"{args.clients} clients, {args.seconds:g} s each, {args.servers} server(s)")
    case_list.say(f"{'':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    for name, figures in (
        ("bare view, one INSERT (floor)", floor),
        ("bare view, a case's rows by hand", writes),
        ("POST /encuesta/i/<token>/ (10 questions)", public),
    ):
        case_list.say(
            f"{name:<44}{figures['per_second']:>9.1f}{figures['p50_ms']:>9.1f}"
            f"{figures['p99_ms']:>9.1f}{figures['failures']:>8}"
        )
    case_list.say(f"public / rows by hand: {ratio:.2f} (goal: at least {GOAL:.2f})")
    case_list.say(f"public / one INSERT: {floor_ratio:.2f}")
    case_list.say(f"responses stored: {stored:,} for {public['requests']:,} redirects")
    if public["first_failure"]:
        case_list.say(f"first failure: {public['first_failure']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "clients": args.clients,
                "servers": args.servers,
                "floor": floor,
                "writes_floor": writes,
                "public": public,
                "ratio_to_writes": ratio,
                "ratio_to_floor": floor_ratio,
                "stored": stored,
            },
            indent=2,
        )
    )
    return 0 if ratio >= GOAL and stored == public["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
