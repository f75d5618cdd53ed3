"""`make load`: the load test against `make stack` on 127.0.0.1 (bench/README.md).

    flock /tmp/enlace-bench.lock .venv/bin/python bench/load.py [--users 80] [--run-time 10m]

It starts the stack (deploy/stack.py) on its own database (`--database`, default
`enlace_stack_load`, made fresh: dropped first) and ports, with RATE_LIMIT_EXEMPT=127.0.0.1 so
that the portal's per-address limits do not refuse the many citizens the generator plays from
one address; everything else is production (second factors included). It makes the accounts,
API key and webhook subscription (bench/load_setup.py), starts a webhook receiver on a free
port, then runs Locust headless (bench/locustfile.py, the mix is described there) for
`--run-time`, bounded. Every `--sample` seconds it samples PostgreSQL's connections to the
database (pg_stat_activity, by state) and the RQ queue (jobs waiting, the oldest's age).

After the run it waits (at most `--drain` s) for the queue and the outboxes to empty, then counts:
what the generator was told was created against the rows in the database (lost: told but not
there; duplicates: one submission's unique text on two cases), notifications sent vs messages
in the mail sink, webhook deliveries marked delivered vs received (and received twice). It
stops the stack and writes bench/results/load.json, load_stats.csv (Locust's, per route) and
load.md (the table for bench/README.md).

bench/chaos.py uses the same pieces with faults injected during the run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
POSTGRES = "postgres://postgres@127.0.0.1:5432"


def free_port(consecutive: int = 1) -> int:
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        try:
            for offset in range(1, consecutive):
                with socket.socket() as other:
                    other.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def drain_output(process: subprocess.Popen[str]) -> None:
    """Read a child's output to its end, so that it never blocks on a full pipe."""
    for _line in process.stdout or []:
        pass


class Receiver:
    """The webhooks' receiver: answers 200 and counts each delivery id (and its repeats)."""

    def __init__(self) -> None:
        self.deliveries: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.slow = 0.0  # seconds to wait before answering (deliveries in flight, bench/chaos.py)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                receiver.deliveries[self.headers.get("X-Enlace-Delivery", "?")] += 1
                receiver.events[self.headers.get("X-Enlace-Event", "?")] += 1
                if receiver.slow:
                    time.sleep(receiver.slow)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/enlace"


@dataclass
class Stack:
    """A stack started by deploy/stack.py for a run, on its own database and ports."""

    database: str
    run_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    web_port: int = 0
    smtp_port: int = 0
    redis_url: str = "redis://127.0.0.1:6379/7"
    launcher: subprocess.Popen[str] | None = None

    @property
    def database_url(self) -> str:
        return f"{POSTGRES}/{self.database}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "STACK_", "DJANGO_", "EMAIL_"))
        }
        environment.update(
            STACK_PORT=str(self.port),
            STACK_WEB_PORT=str(self.web_port),
            STACK_SMTP_PORT=str(self.smtp_port),
            STACK_RUN_DIR=str(self.run_dir),
            STACK_DATABASE_URL=self.database_url,
            STACK_REDIS_URL=self.redis_url,
            # The load generator plays many citizens from 127.0.0.1 (docs/operations.md).
            RATE_LIMIT_EXEMPT="127.0.0.1",
        )
        environment.update(self.extra_env)
        return environment

    def django_environment(self) -> dict[str, str]:
        """The stack's own production environment, for a manage.py or script run beside it."""
        environment = self.environment()
        for line in (self.run_dir / "stack.env").read_text().splitlines():
            name, _, value = line.partition("=")
            environment[name] = value.strip("'")
        environment["DATABASE_URL"] = self.database_url
        environment["PATH"] = f"{Path(PYTHON).parent}:{os.environ.get('PATH', '')}"
        return environment

    def fresh_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.database}"')
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()  # this run's own Redis database

    def start(self) -> None:
        assert self.database.startswith("enlace_stack"), self.database
        self.port = self.port or free_port()
        self.web_port = self.web_port or free_port(consecutive=2)
        self.smtp_port = self.smtp_port or free_port()
        self.fresh_database()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for old in (self.run_dir / "maildir" / "new").glob("*"):
            old.unlink()
        self.launcher = subprocess.Popen(  # noqa: S603
            [PYTHON, str(ROOT / "deploy" / "stack.py"), "start"],
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.launcher.stdout is not None
        lines = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = self.launcher.stdout.readline()
            if not line and self.launcher.poll() is not None:
                break
            lines.append(line)
            if "stops it all." in line:
                print("".join(lines[-14:]), flush=True)
                threading.Thread(target=drain_output, args=(self.launcher,), daemon=True).start()
                return
        raise RuntimeError("the stack did not start:\n" + "".join(lines[-40:]))

    def stop(self) -> None:
        if self.launcher and self.launcher.poll() is None:
            self.launcher.send_signal(signal.SIGINT)
            try:
                self.launcher.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.launcher.pid, signal.SIGKILL)

    def supervisorctl(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [
                str(Path(PYTHON).parent / "supervisorctl"),
                "-c",
                str(self.run_dir / "supervisord.conf"),
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout + result.stderr

    def setup(self, receiver: Receiver) -> dict[str, Any]:
        made = subprocess.run(  # noqa: S603
            [PYTHON, str(ROOT / "bench" / "load_setup.py"), receiver.url],
            cwd=ROOT,
            env=self.django_environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        credentials: dict[str, Any] = json.loads(made.stdout.strip().splitlines()[-1])
        return credentials

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5) as connection:
            return list(connection.execute(query, params or []).fetchall())


class Sampler:
    """Every `every` seconds: connections to the stack's database by state, and the RQ queue's
    length and the age of its oldest job."""

    def __init__(self, stack: Stack, every: float = 5.0) -> None:
        self.stack = stack
        self.every = every
        self.samples: list[dict[str, Any]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)

    def one(self) -> dict[str, Any]:
        sample: dict[str, Any] = {"t": time.time()}
        try:
            rows = self.stack.sql(
                "SELECT coalesce(state, '?'), count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name LIKE 'enlace-%%' GROUP BY 1",
                [self.stack.database],
            )
            sample["connections"] = dict(rows)
            sample["connections_total"] = sum(count for _state, count in rows)
            kinds = self.stack.sql(
                "SELECT split_part(application_name, '-', 2), count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name LIKE 'enlace-%%' GROUP BY 1",
                [self.stack.database],
            )
            sample["connections_by_kind"] = dict(kinds)
        except Exception as error:
            sample["connections_error"] = str(error)[:200]
        try:
            import redis

            client = redis.Redis.from_url(
                self.stack.redis_url, socket_timeout=2, decode_responses=True
            )
            length = int(client.llen("rq:queue:default"))
            sample["queue_length"] = length
            age = 0.0
            if length:
                oldest = client.lindex("rq:queue:default", 0)
                if oldest:
                    enqueued = client.hget(f"rq:job:{oldest!s}", "enqueued_at")
                    if enqueued:
                        from datetime import UTC, datetime

                        moment = datetime.fromisoformat(str(enqueued).rstrip("Z"))
                        age = time.time() - moment.replace(tzinfo=UTC).timestamp()
            sample["queue_oldest_seconds"] = round(age, 2)
        except Exception as error:
            sample["queue_error"] = str(error)[:200]
        return sample

    def loop(self) -> None:
        while not self.stopped.is_set():
            self.samples.append(self.one())
            self.stopped.wait(self.every)

    def summary(self) -> dict[str, Any]:
        totals = [s["connections_total"] for s in self.samples if "connections_total" in s]
        lengths = [s["queue_length"] for s in self.samples if "queue_length" in s]
        ages = [s["queue_oldest_seconds"] for s in self.samples if "queue_oldest_seconds" in s]
        by_kind: dict[str, int] = {}
        for sample in self.samples:
            for kind, number in sample.get("connections_by_kind", {}).items():
                by_kind[kind] = max(by_kind.get(kind, 0), number)
        return {
            "samples": len(self.samples),
            "db_connections_max_by_kind": by_kind,
            "db_connections_max": max(totals, default=0),
            "db_connections_mean": round(sum(totals) / len(totals), 1) if totals else 0,
            "queue_length_max": max(lengths, default=0),
            "queue_length_mean": round(sum(lengths) / len(lengths), 2) if lengths else 0,
            "queue_oldest_seconds_max": max(ages, default=0),
        }


def run_locust(
    stack: Stack, credentials: dict[str, Any], *, users: int, run_time: str, prefix: Path, mark: str
) -> tuple[int, Path]:
    record = prefix.with_suffix(".told.json")
    environment = {
        **os.environ,
        "LOAD_CREDENTIALS": json.dumps(credentials),
        "LOAD_MARK": mark,
        "LOAD_RECORD": str(record),
    }
    command = [
        str(Path(PYTHON).parent / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        "5",
        "--run-time",
        run_time,
        "--stop-timeout",
        "30",
        "--host",
        stack.base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    with open(prefix.with_suffix(".locust.log"), "w") as log:
        code = subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, check=False
        ).returncode
    return code, record


def drain(stack: Stack, seconds: float) -> float:
    """Wait until nothing is queued or pending in the outboxes; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        pending = stack.sql(
            "SELECT (SELECT count(*) FROM notifications_notification"
            "        WHERE status IN ('pending', 'sending'))"
            " + (SELECT count(*) FROM webhooks_webhookdelivery"
            "        WHERE status IN ('pending', 'sending'))"
        )[0][0]
        if not pending:
            return time.monotonic() - started
        time.sleep(2)
    return -1.0


def count(stack: Stack, receiver: Receiver, record: Path, mark: str) -> dict[str, Any]:
    """Told vs stored: lost and duplicated cases, mail and webhook deliveries."""
    told = json.loads(record.read_text()) if record.exists() else {}
    rows = stack.sql(
        "SELECT id, tracking_code, description FROM cases_case WHERE description LIKE %s",
        [f"{mark} %"],
    )
    by_text: dict[str, list[tuple[int, str]]] = {}
    for pk, code, text in rows:
        by_text.setdefault(text, []).append((pk, code))
    result: dict[str, Any] = {"cases_in_db": len(rows)}
    for source in ("console", "portal", "api"):
        items = told.get(source, [])
        lost = [item for item in items if item["text"] not in by_text]
        result[source] = {"told_created": len(items), "lost": len(lost)}
    result["duplicate_cases"] = sum(len(v) - 1 for v in by_text.values() if len(v) > 1)
    told_texts = {item["text"] for items in told.values() for item in items}
    result["in_db_not_told"] = sum(1 for text in by_text if text not in told_texts)
    notifications = dict(
        stack.sql("SELECT status, count(*) FROM notifications_notification GROUP BY 1")
    )
    mails = list((stack.run_dir / "maildir" / "new").glob("*"))
    ids: Counter[str] = Counter()
    for mail in mails:
        for line in mail.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                ids[line.split(":", 1)[1].strip()] += 1
                break
    result["notifications"] = {
        "rows_by_status": notifications,
        "messages_in_sink": len(mails),
        "duplicate_messages": sum(n - 1 for n in ids.values() if n > 1),
    }
    deliveries = dict(stack.sql("SELECT status, count(*) FROM webhooks_webhookdelivery GROUP BY 1"))
    result["webhooks"] = {
        "rows_by_status": deliveries,
        "received": len(receiver.deliveries),
        "received_twice": sum(n - 1 for n in receiver.deliveries.values() if n > 1),
        "events": dict(receiver.events),
    }
    return result


def stats(prefix: Path) -> list[dict[str, Any]]:
    import csv

    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return []
    routes = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            routes.append(
                {
                    "method": row["Type"],
                    "route": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "per_second": float(row["Requests/s"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                }
            )
    return routes


def markdown(routes: list[dict[str, Any]]) -> str:
    lines = [
        "| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in routes:
        lines.append(
            f"| {r['method']} {r['route']} | {r['requests']} | {r['per_second']:.2f} |"
            f" {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['failures']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=80, help="Locust users in all (>= 58)")
    parser.add_argument("--run-time", default="10m", help="Locust's --run-time (e.g. 90s, 10m)")
    parser.add_argument("--database", default="enlace_stack_load")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--drain", type=float, default=180.0)
    parser.add_argument("--pool", type=int, default=0, help="DATABASE_POOL for the stack")
    parser.add_argument("--name", default="load", help="file names under bench/results/")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    prefix = RESULTS / args.name
    extra = {"DATABASE_POOL": str(args.pool)} if args.pool else {}
    stack = Stack(args.database, RESULTS / f"stack-{args.name}", extra_env=extra)
    receiver = Receiver()
    mark = f"load-{int(time.time())}"
    try:
        stack.start()
        credentials = stack.setup(receiver)
        sampler = Sampler(stack, args.sample)
        sampler.start()
        started = time.time()
        code, record = run_locust(
            stack, credentials, users=args.users, run_time=args.run_time, prefix=prefix, mark=mark
        )
        elapsed = time.time() - started
        drained = drain(stack, args.drain)
        sampler.stop()
        counts = count(stack, receiver, record, mark)
    finally:
        stack.stop()
    routes = stats(prefix)
    result = {
        "users": args.users,
        "run_time": args.run_time,
        "seconds": round(elapsed, 1),
        "pool": args.pool,
        "locust_exit": code,
        "routes": routes,
        "sampled": sampler.summary(),
        "drained_after_seconds": round(drained, 1),
        "counts": counts,
        "samples": sampler.samples,
    }
    prefix.with_suffix(".json").write_text(json.dumps(result, indent=2))
    table = markdown(routes)
    prefix.with_suffix(".md").write_text(table + "\n")
    print(table)
    print(
        json.dumps({k: result[k] for k in ("sampled", "drained_after_seconds", "counts")}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
