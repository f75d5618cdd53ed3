"""`make chaos`: faults under load against `make stack`, scripted and bounded (bench/README.md).

    flock /tmp/enlace-bench.lock .venv/bin/python bench/chaos.py [--only web,worker,...]

One stack (deploy/stack.py) on a fresh database `enlace_stack_chaos` and its own ports, the
accounts of bench/load_setup.py and a webhook receiver. For each fault, a Locust run of the
load test's mix at a smaller scale (`--users`, 35: 10 agents, 10 resolution staff, 2 managers,
3 integrations, citizens) for `--load` seconds (120; the SMTP fault's run lasts its outage plus
60 s), the fault injected `--before` seconds (30) into it, and a probe that asks /readyz and
the portal every half second. The faults, in order:

- web: kill -9 the gunicorn master of web-1 (supervisor starts it again; nginx sends to web-2);
- worker: kill -9 an RQ worker's process group (the worker and its work horse) while it runs a
  task: the webhook receiver answers slowly (3 s) meanwhile, so that deliveries are in flight;
- postgres: `pg_ctlcluster 15 main restart` (this machine's PostgreSQL);
- redis: `redis-cli shutdown nosave`, 30 s down, then started again with the command this
  machine starts it with; its settings (bind, port, save, appendonly, dir, logfile) are read
  before and after and must be the same;
- sweeper: every open deadline of the run made due at once, then kill -9 sweeper-1 while the
  two sweepers work through them; every due deadline must get its reminder exactly once;
- smtp: the mail sink stopped for `--smtp-down` seconds (300).

Per fault: requests failed during it (Locust's and the probe's), time to recover (from the
fault to the last failed probe), what /readyz answered, metric lines during and after, and the
error lines of the logs. At the end, after the queue and outboxes drain (at most `--drain` s:
a worker killed mid-task leaves a five-minute lease), what each run was told was created vs the
rows (lost, duplicates), notifications sent vs mail received, webhook deliveries vs received.
Results: bench/results/chaos.json and chaos.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
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

from bench.load import (  # noqa: E402 - the project root must be importable first
    RESULTS,
    Receiver,
    Sampler,
    Stack,
    count,
    drain,
    run_locust,
    stats,
)

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
REDIS_SETTINGS = ("bind", "port", "save", "appendonly", "dir", "logfile", "maxmemory")
METRICS = (
    "enlace_outbox_backlog",
    "enlace_outbox_oldest_age_seconds",
    "enlace_tasks_ready",
    "enlace_tasks_oldest_age_seconds",
    "enlace_sweeper_lag_seconds",
    "enlace_figures_error",
)


class Probe:
    """GET /readyz and / every half second: (t, readyz status, failed checks, portal status)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.rows: list[tuple[float, int, str, int]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def ask(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=5) as response:  # noqa: S310
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except Exception as error:
            return 0, str(error)

    def loop(self) -> None:
        while not self.stopped.is_set():
            t = time.time()
            ready, body = self.ask("/readyz")
            failed = ""
            try:
                checks = json.loads(body).get("checks", {})
                failed = ",".join(sorted(k for k, v in checks.items() if not v.get("ok", True)))
            except Exception:
                failed = "" if ready == 200 else body[:60]
            portal, _page = self.ask("/")
            self.rows.append((t, ready, failed, portal))
            self.stopped.wait(0.5)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)


def metrics(stack: Stack) -> dict[str, str]:
    try:
        with urllib.request.urlopen(f"{stack.base}/metrics", timeout=10) as response:  # noqa: S310
            text = response.read().decode()
    except Exception as error:
        return {"error": str(error)[:200]}
    return {
        line.split(" ")[0]: line.split(" ")[-1]
        for line in text.splitlines()
        if line.startswith(METRICS)
    }


def log_offsets(stack: Stack) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (stack.run_dir / "logs").glob("*.log")}


def log_errors(stack: Stack, since: dict[str, int]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in sorted((stack.run_dir / "logs").glob("*.log")):
        if "access" in path.name:
            continue
        with path.open("rb") as handle:
            handle.seek(since.get(path.name, 0))
            text = handle.read().decode(errors="replace")
        lines = [
            line
            for line in text.splitlines()
            if any(word in line for word in ("ERROR", "CRITICAL", "Traceback", "WARN", "exited"))
        ]
        if lines:
            distinct = list(dict.fromkeys(line[:220] for line in lines))
            found[path.name] = {"lines": len(lines), "first": distinct[:3]}
    return found


def supervised_pid(stack: Stack, name: str) -> int:
    text = stack.supervisorctl("pid", name).strip()
    return int(text) if text.isdigit() else 0


def wait_running(stack: Stack, name: str, old_pid: int, timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pid = supervised_pid(stack, name)
        if pid and pid != old_pid and "RUNNING" in stack.supervisorctl("status", name):
            return time.monotonic() - started
        time.sleep(0.25)
    return -1.0


# --- The faults: each returns what it did and saw -------------------------------------------
def fault_web(stack: Stack, receiver: Receiver, args: Any) -> dict[str, Any]:
    pid = supervised_pid(stack, "web-1")
    os.kill(pid, signal.SIGKILL)
    back = wait_running(stack, "web-1", pid)
    return {"killed": f"gunicorn master of web-1 (pid {pid})", "supervisor_restarted_in_s": back}


def busy_worker(stack: Stack) -> tuple[str, int, str]:
    import redis

    client = redis.Redis.from_url(stack.redis_url, socket_timeout=2, decode_responses=True)
    pids = {
        supervised_pid(stack, "worker-1"): "worker-1",
        supervised_pid(stack, "worker-2"): "worker-2",
    }
    for key in client.smembers("rq:workers:default"):
        data = client.hgetall(key)
        pid = int(data.get("pid") or 0)
        if data.get("state") == "busy" and pid in pids:
            return pids[pid], pid, str(data.get("current_job", ""))
    return "", 0, ""


def fault_worker(stack: Stack, receiver: Receiver, args: Any) -> dict[str, Any]:
    receiver.slow = 3.0
    try:
        deadline = time.monotonic() + 60
        name, pid, job = "", 0, ""
        while time.monotonic() < deadline and not pid:
            name, pid, job = busy_worker(stack)
            time.sleep(0.1)
        if not pid:
            return {"killed": "", "note": "no worker was busy within 60 s"}
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        back = wait_running(stack, name, pid)
        time.sleep(5)
    finally:
        receiver.slow = 0.0
    return {
        "killed": f"{name} (pid {pid}) and its work horse, running job {job}",
        "supervisor_restarted_in_s": back,
    }


def fault_postgres(stack: Stack, receiver: Receiver, args: Any) -> dict[str, Any]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - started
    return {
        "command": f"pg_ctlcluster {version} main restart",
        "exit": done.returncode,
        "restart_s": round(took, 2),
    }


def redis_settings() -> dict[str, str]:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, decode_responses=True, socket_timeout=3)
    return {name: str(client.config_get(name).get(name, "")) for name in REDIS_SETTINGS}


def fault_redis(stack: Stack, receiver: Receiver, args: Any) -> dict[str, Any]:
    import redis

    before = redis_settings()
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    time.sleep(args.redis_down)
    subprocess.run(REDIS_START, check=True, capture_output=True)  # noqa: S603
    client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.RedisError:
            time.sleep(0.2)
    after = redis_settings()
    return {
        "down_s": args.redis_down,
        "started_with": " ".join(part or '""' for part in REDIS_START),
        "settings_before": before,
        "settings_same_after": before == after,
    }


def fault_sweeper(stack: Stack, receiver: Receiver, args: Any) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        made_due = connection.execute(
            "UPDATE cases_casedeadline SET remind_on = CURRENT_DATE, reminded_at = NULL,"
            " next_check_at = now() - interval '1 minute'"
            " WHERE status = 'open' AND due_on >= CURRENT_DATE"
        ).rowcount
    started = time.monotonic()
    in_batch = 0
    while time.monotonic() - started < 60 and not in_batch:
        # sweeper-1 inside a transaction: it has claimed a batch (FOR UPDATE SKIP LOCKED).
        in_batch = stack.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'enlace-sweeper-1'"
            " AND xact_start IS NOT NULL"
        )[0][0]
        if not in_batch:
            time.sleep(0.05)
    remaining = stack.sql(
        "SELECT count(*) FROM cases_casedeadline WHERE next_check_at <= now() AND status = 'open'"
    )[0][0]
    pid = supervised_pid(stack, "sweeper-1")
    os.kill(pid, signal.SIGKILL)
    back = wait_running(stack, "sweeper-1", pid)
    while time.monotonic() - started < 240:
        left = stack.sql(
            "SELECT count(*) FROM cases_casedeadline WHERE next_check_at <= now()"
            " AND remind_on = CURRENT_DATE AND reminded_at IS NULL"
        )[0][0]
        if not left:
            break
        time.sleep(1)
    twice = stack.sql(
        "SELECT count(*) FROM (SELECT case_id, changes->'deadline'->>'from'"
        " FROM cases_caseevent WHERE kind = 'deadline_reminder'"
        " GROUP BY 1, 2 HAVING count(*) > 1) AS repeated"
    )[0][0]
    reminded = stack.sql("SELECT count(*) FROM cases_caseevent WHERE kind = 'deadline_reminder'")[
        0
    ][0]
    return {
        "deadlines_made_due": made_due,
        "sweeper_1_in_a_transaction_when_killed": bool(in_batch),
        "due_when_killed": remaining,
        "killed": f"sweeper-1 (pid {pid})",
        "supervisor_restarted_in_s": back,
        "all_handled_after_s": round(time.monotonic() - started, 1),
        "reminder_events": reminded,
        "deadlines_reminded_twice": twice,
    }


def fault_smtp(stack: Stack, receiver: Receiver, args: Any) -> dict[str, Any]:
    stack.supervisorctl("stop", "mail")
    time.sleep(args.smtp_down)
    stack.supervisorctl("start", "mail")
    return {"down_s": args.smtp_down}


FAULTS = {
    "web": fault_web,
    "worker": fault_worker,
    "postgres": fault_postgres,
    "redis": fault_redis,
    "sweeper": fault_sweeper,
    "smtp": fault_smtp,
}


def phase(
    name: str, stack: Stack, receiver: Receiver, credentials: dict[str, Any], args: Any
) -> dict[str, Any]:
    load_seconds = args.load if name != "smtp" else args.smtp_down + args.before + 60
    prefix = RESULTS / f"chaos-{name}"
    mark = f"chaos-{name}-{int(time.time())}"
    outcome: dict[str, Any] = {}
    locust = threading.Thread(
        target=lambda: outcome.update(
            zip(
                ("locust_exit", "record"),
                run_locust(
                    stack,
                    credentials,
                    users=args.users,
                    run_time=f"{int(load_seconds)}s",
                    prefix=prefix,
                    mark=mark,
                ),
                strict=True,
            )
        )
    )
    offsets = log_offsets(stack)
    locust.start()
    time.sleep(args.before)
    probe = Probe(stack.base)
    time.sleep(2)
    fault_started = time.time()
    print(f"[{time.strftime('%H:%M:%S')}] fault {name} ...", flush=True)
    did = FAULTS[name](stack, receiver, args)
    fault_ended = time.time()
    during = metrics(stack)
    locust.join()
    time.sleep(3)
    probe.stop()
    after = metrics(stack)
    rows = [r for r in probe.rows if r[0] >= fault_started]
    failures = [r for r in rows if r[1] != 200 or r[3] != 200]
    last_failure = max((r[0] for r in failures), default=fault_started)
    readyz_seen: dict[str, int] = {}
    for _t, status, failed, _portal in rows:
        key = f"{status} {failed}".strip()
        readyz_seen[key] = readyz_seen.get(key, 0) + 1
    routes = [r for r in stats(prefix) if r["route"] != "Aggregated"]
    result = {
        "fault": did,
        "fault_seconds": round(fault_ended - fault_started, 1),
        "recovered_after_s": round(last_failure - fault_started, 1) if failures else 0.0,
        "probe_requests": len(rows) * 2,
        "probe_failures": sum((r[1] != 200) + (r[3] != 200) for r in rows),
        "portal_probe_failures": sum(r[3] != 200 for r in rows),
        "readyz_seen": readyz_seen,
        "locust_requests": sum(r["requests"] for r in routes),
        "locust_failures": sum(r["failures"] for r in routes),
        "locust_failures_by_route": {
            f"{r['method']} {r['route']}": r["failures"] for r in routes if r["failures"]
        },
        "metrics_during": during,
        "metrics_after": after,
        "log_errors": log_errors(stack, offsets),
        "mark": mark,
        "record": str(outcome.get("record", "")),
    }
    print(json.dumps({k: result[k] for k in list(result)[:9]}, default=str), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", default=",".join(FAULTS), help="faults, comma-separated")
    parser.add_argument("--users", type=int, default=35)
    parser.add_argument("--load", type=float, default=120.0, help="seconds of load per fault")
    parser.add_argument("--before", type=float, default=30.0, help="load before the fault")
    parser.add_argument("--redis-down", type=float, default=30.0)
    parser.add_argument("--smtp-down", type=float, default=300.0)
    parser.add_argument("--drain", type=float, default=480.0)
    parser.add_argument("--database", default="enlace_stack_chaos")
    args = parser.parse_args()
    for name, value in (
        ("LOAD_AGENTS", "10"),
        ("LOAD_RESOLVERS", "10"),
        ("LOAD_MANAGERS", "2"),
        ("LOAD_INTEGRATIONS", "3"),
    ):
        os.environ.setdefault(name, value)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stack = Stack(args.database, RESULTS / "stack-chaos", redis_url="redis://127.0.0.1:6379/8")
    receiver = Receiver()
    results: dict[str, Any] = {"faults": {}}
    try:
        stack.start()
        credentials = stack.setup(receiver)
        sampler = Sampler(stack, 5.0)
        sampler.start()
        for name in args.only.split(","):
            results["faults"][name] = phase(name.strip(), stack, receiver, credentials, args)
            (RESULTS / "chaos.json").write_text(json.dumps(results, indent=2, default=str))
        results["drained_after_s"] = round(drain(stack, args.drain), 1)
        sampler.stop()
        results["sampled"] = sampler.summary()
        for outcome in results["faults"].values():
            counted = count(stack, receiver, Path(outcome["record"]), outcome["mark"])
            outcome["counts"] = {
                key: counted[key]
                for key in ("cases_in_db", "console", "portal", "api", "duplicate_cases")
            } | {"in_db_not_told": counted["in_db_not_told"]}
            results["notifications"] = counted["notifications"]
            results["webhooks"] = counted["webhooks"]
        results["final_readyz"] = Probe(stack.base).ask("/readyz")[0]
    finally:
        stack.stop()
    (RESULTS / "chaos.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps({k: v for k, v in results.items() if k != "faults"}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
