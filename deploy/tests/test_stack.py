"""`make stack` end to end: the real topology (nginx, two gunicorn web processes, two RQ workers,
two sweepers, the mail sink, under supervisor) on a fresh PostgreSQL database and free ports,
with TLS from a certificate made here by openssl. Through nginx: the portal, a submission whose
acknowledgement e-mail goes out through Redis, a worker and SMTP; the API with a key; /readyz;
static files; a forged X-Forwarded-For that Django does not believe. Then Ctrl+C (SIGINT to the
launcher) and no process of the stack is left, by pid and by process group.

Skipped, with the reason, where nginx, openssl, PostgreSQL or Redis is missing."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ADMIN_URL = os.environ.get("STACK_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("STACK_TEST_REDIS", "redis://127.0.0.1:6379/14")

pytestmark = pytest.mark.stack


def missing() -> str:
    if not Path(NGINX).exists():
        return "nginx is not installed (apt-get install nginx): the stack's proxy"
    if not shutil.which("openssl"):
        return "openssl is not installed: the test makes its certificate with it"
    try:
        import psycopg

        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except Exception as error:
        return f"no PostgreSQL at {ADMIN_URL}: {error}"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as error:
        return f"no Redis at {REDIS_URL}: {error}"
    return ""


def free_port(consecutive: int = 1) -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + consecutive >= 65000:
            continue
        try:
            for offset in range(1, consecutive):
                with socket.socket() as other:
                    other.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError("no free ports")


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def process_group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def in_groups(groups: set[int]) -> set[int]:
    left = set()
    for entry in Path("/proc").iterdir():
        number = int(entry.name) if entry.name.isdigit() else 0
        if number and process_group(number) in groups and alive(number):
            left.add(number)
    return left


class Stack:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.database = f"enlace_stack_smoke_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.port = free_port()
        self.tls_port = free_port()
        self.web_port = free_port(consecutive=2)
        self.smtp_port = free_port()
        self.run = tmp / "run"
        self.cert, self.key = tmp / "cert.pem", tmp / "key.pem"
        self.launcher: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "STACK_", "EMAIL_", "DJANGO_", "PYTEST"))
        }
        database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{self.database}"
        environment.update(
            STACK_PORT=str(self.port),
            STACK_TLS_PORT=str(self.tls_port),
            STACK_WEB_PORT=str(self.web_port),
            STACK_SMTP_PORT=str(self.smtp_port),
            STACK_RUN_DIR=str(self.run),
            STACK_DATABASE_URL=database_url,
            STACK_REDIS_URL=REDIS_URL,
            STACK_TLS_CERT=str(self.cert),
            STACK_TLS_KEY=str(self.key),
            STACK_WEB_WORKERS="1",
            STACK_SWEEP_SECONDS="5",
        )
        return environment

    def make_certificate(self) -> None:
        subprocess.run(  # noqa: S603
            [  # noqa: S607 - openssl from PATH, as an operator runs it
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(self.key),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.launcher = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "deploy" / "stack.py"), "start"],
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # Ctrl+C below goes to it alone, as a terminal's would
        )
        assert self.launcher.stdout is not None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            line = self.launcher.stdout.readline()
            if not line and self.launcher.poll() is not None:
                break
            self.output.append(line)
            if "Ctrl+C or `make stack-stop` stops it all." in line:
                return
        raise AssertionError("the stack did not come up:\n" + "".join(self.output[-60:]))

    def supervisord_pid(self) -> int:
        return int((self.run / "supervisord.pid").read_text().strip())

    def drop_database(self) -> None:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    running = Stack(tmp_path_factory.mktemp("stack"))
    running.make_certificate()
    try:
        running.start()
        yield running
    finally:
        if running.launcher and running.launcher.poll() is None:
            running.launcher.send_signal(signal.SIGINT)
            try:
                running.launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(running.launcher.pid, signal.SIGKILL)
        running.drop_database()


def get(url: str, **kwargs: Any) -> tuple[int, str, Any]:
    request = urllib.request.Request(url, headers=kwargs.pop("headers", {}))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30, **kwargs) as response:  # noqa: S310
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_the_stack_serves_through_nginx_and_leaves_nothing_behind(stack: Stack) -> None:
    output = "".join(stack.output)
    assert f"http://127.0.0.1:{stack.port}/" in output  # where everything listens
    assert f"127.0.0.1:{stack.web_port}" in output
    assert f"https://127.0.0.1:{stack.tls_port}/" in output

    # Ready: database, cache, queue, migrations.
    status, body, _headers = get(f"{stack.base}/readyz")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"

    # The portal, and its static files from nginx itself.
    status, page, headers = get(f"{stack.base}/")
    assert status == 200
    assert "csrfmiddlewaretoken" in page
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheet, page[:500]
    status, _css, headers = get(f"{stack.base}{stylesheet[1]}")
    assert status == 200
    assert headers["Server"].startswith("nginx")
    assert "max-age" in headers.get("Cache-Control", "")

    # A submission through the proxy: a case, and its acknowledgement delivered by a worker.
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    with opener.open(f"{stack.base}/", timeout=30) as response:
        form_page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
    assert token

    def submit(website: str, forwarded: str = "") -> str:
        assert token
        fields = {
            "csrfmiddlewaretoken": token[1],
            "token": str(uuid.uuid4()),
            "what": "queja",
            "dependency": "HG",
            "topic": "",
            "description": "Esperé cinco horas en emergencia (prueba del stack).",
            "name": "Marta Pérez",
            "dui": "",
            "phone": "7123-4567",
            "email": "marta@example.com",
            "website": website,
        }
        headers = {"Referer": f"{stack.base}/"}
        if forwarded:
            headers["X-Forwarded-For"] = forwarded
            headers["X-Real-IP"] = forwarded
        request = urllib.request.Request(  # noqa: S310
            f"{stack.base}/", data=urllib.parse.urlencode(fields).encode(), headers=headers
        )
        with opener.open(request, timeout=30) as response:
            assert response.status == 200
            return str(response.read().decode())

    receipt = submit("")
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4,})\b", receipt)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((stack.run / "maildir" / "new").glob("*")):
        time.sleep(0.5)
    mails = list((stack.run / "maildir" / "new").glob("*"))
    assert mails, "the acknowledgement never reached the mail sink"
    assert "marta@example.com" in mails[0].read_text(errors="replace")

    # A client naming another address: Django sees the one nginx saw (the honeypot logs it).
    submit("http://spam.example", forwarded="203.0.113.77")
    time.sleep(0.5)
    logs = "".join(
        (stack.run / "logs" / f"web-{n}.log").read_text(errors="replace") for n in (1, 2)
    )
    assert "honeypot filled from 127.0.0.1" in logs
    assert "203.0.113.77" not in logs

    # The API with a key made in the stack's own production environment.
    environment = stack.environment()
    env_file = (stack.run / "stack.env").read_text()
    for line in env_file.splitlines():
        name, _, value = line.partition("=")
        environment[name] = value.strip("'")
    environment.update(
        DATABASE_URL=environment["STACK_DATABASE_URL"],
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    made = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from enlace.accounts.models import Role, User;"
            "from enlace.apikeys.actions import do_create_api_key;"
            "admin = User.objects.create(username='smoke-admin', role=Role.ADMINISTRATOR);"
            "key, raw = do_create_api_key(name='smoke', role=Role.RESOLUTION, can_write=True,"
            " dependencies=[], created_by=admin); print('KEY=' + raw)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    raw = re.search(r"KEY=(\S+)", made.stdout)
    assert raw, made.stdout + made.stderr
    status, body, _headers = get(
        f"{stack.base}/api/v1/cases?limit=5", headers={"Authorization": f"Bearer {raw[1]}"}
    )
    assert status == 200, body
    listed = json.loads(body)
    assert listed["count"] >= 1 if "count" in listed else listed, body
    if code:
        assert code[1] in body
    status, _body, _headers = get(f"{stack.base}/api/v1/cases")
    assert status == 401

    # TLS with the certificate given.
    context = ssl.create_default_context(cafile=str(stack.cert))
    status, body, _headers = get(f"https://127.0.0.1:{stack.tls_port}/readyz", context=context)
    assert status == 200, body

    # Ctrl+C: every process the stack started ends, with its children and process groups.
    supervisord = stack.supervisord_pid()
    pids = descendants(supervisord) | {supervisord}
    assert len(pids) >= 9  # 2 web masters + their workers, 2 workers, 2 sweepers, nginx, mail
    groups = {group for pid in pids if (group := process_group(pid)) is not None}
    assert stack.launcher is not None
    stack.launcher.send_signal(signal.SIGINT)
    assert stack.launcher.wait(timeout=60) == 0
    time.sleep(0.5)
    assert not {pid for pid in pids if alive(pid)}
    assert not in_groups(groups)
