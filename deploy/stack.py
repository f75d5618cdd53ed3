"""`make stack`: Enlace's production topology on this machine, run by supervisor from
deploy/Procfile, with nginx in front.

    python deploy/stack.py [start]    prepare, start everything, print where it listens, wait
    python deploy/stack.py stop       stop a running stack (the one of STACK_RUN_DIR)

Start prepares what a release prepares (the database if missing, `migrate`, `collectstatic`),
writes the production environment (ENLACE_ENV=production, DEBUG off, a SECRET_KEY generated
once for this run directory, TASKS_BACKEND=rq, the cache on Redis, ...) to
`$STACK_RUN_DIR/stack.env`, renders `deploy/nginx.conf.template` and a supervisord.conf from the
Procfile into the run directory, and runs supervisord in the foreground. Ctrl+C, SIGTERM or
`stop` end every process it started; supervisor puts each program in its own process group and
stops the whole group, so gunicorn's and rqworker's children go too. PostgreSQL and Redis are
the machine's (or the URLs given); they are checked, never started or stopped here.

Every variable is listed in docs/operations.md ("The stack on one machine").
"""

from __future__ import annotations

import mailbox
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def envint(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        sys.exit(f"{name}={value!r} is not an integer")


@dataclass(frozen=True)
class Config:
    run: Path
    host: str
    port: int
    tls_port: int
    tls_cert: str
    tls_key: str
    web_ports: list[int]
    workers: int
    sweepers: int
    web_workers: int
    web_threads: int
    web_worker_class: str
    sweep_seconds: int
    database_url: str
    redis_url: str
    smtp_port: int  # 0: no local mail sink (EMAIL_HOST is a real server)
    nginx: str

    @classmethod
    def from_env(cls) -> Config:
        port = envint("STACK_PORT", 8080)
        web = envint("STACK_WEB", 2)
        first_web = envint("STACK_WEB_PORT", port + 1)
        cert, key = env("STACK_TLS_CERT", ""), env("STACK_TLS_KEY", "")
        if bool(cert) != bool(key):
            sys.exit("STACK_TLS_CERT and STACK_TLS_KEY go together")
        return cls(
            run=Path(env("STACK_RUN_DIR", str(ROOT / ".stack"))).resolve(),
            host=env("STACK_HOST", "127.0.0.1"),
            port=port,
            tls_port=envint("STACK_TLS_PORT", port + 363) if cert else 0,
            tls_cert=cert,
            tls_key=key,
            web_ports=[first_web + index for index in range(web)],
            workers=envint("STACK_WORKERS", 2),
            sweepers=envint("STACK_SWEEPERS", 2),
            web_workers=envint("STACK_WEB_WORKERS", 2),
            web_threads=envint("STACK_WEB_THREADS", 4),
            web_worker_class=env("STACK_WEB_WORKER_CLASS", "gthread"),
            sweep_seconds=envint("STACK_SWEEP_SECONDS", 10),
            database_url=env(
                "STACK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/enlace_stack"
            ),
            redis_url=env("STACK_REDIS_URL", "redis://127.0.0.1:6379/5"),
            smtp_port=envint("STACK_SMTP_PORT", port + 25) if not env("EMAIL_HOST", "") else 0,
            nginx=env("STACK_NGINX", shutil.which("nginx") or "/usr/sbin/nginx"),
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def production_environment(config: Config) -> dict[str, str]:
    """The environment every process of the stack gets: production, explicit. Values already
    in the environment (SECOND_FACTOR_ROLES, RATE_LIMIT_EXEMPT, EMAIL_HOST, ...) are kept."""
    secret = config.run / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(64))
        secret.chmod(0o600)
    hosts = ",".join(dict.fromkeys([config.host, "127.0.0.1", "localhost"]))
    tls = bool(config.tls_cert)
    forced = {
        "ENLACE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY_FILE": str(secret),
        "DATABASE_URL": config.database_url,
        "TASKS_BACKEND": "rq",
        "REDIS_URL": config.redis_url,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONUNBUFFERED": "1",
        # Every process writes its samples here; a scrape adds them up (enlace/ops/metrics.py).
        "PROMETHEUS_MULTIPROC_DIR": str(config.run / "prometheus"),
    }
    defaults = {
        "ALLOWED_HOSTS": hosts,
        "CACHE_BACKEND": "redis",
        # nginx on this machine is the only proxy whose X-Forwarded-For is believed.
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        # nginx sets X-Forwarded-Proto from the connection it accepted.
        "BEHIND_TLS_PROXY": "true",
        # The local stack serves plain http://127.0.0.1 too, where a browser would not send a
        # Secure cookie; a deployment behind TLS keeps the default (true).
        "SECURE_COOKIES": "false",
        "CSRF_TRUSTED_ORIGINS": ",".join(
            [f"http://{config.host}:{config.port}"]
            + ([f"https://{config.host}:{config.tls_port}"] if tls else [])
        ),
        "LOG_LEVEL": "INFO",
        # /metrics for this machine only (nginx passes the client's address on).
        "METRICS_ALLOWED_IPS": "127.0.0.1,::1",
        "WEB_WORKER_CLASS": config.web_worker_class,
        "WEB_WORKERS": str(config.web_workers),
        "WEB_THREADS": str(config.web_threads),
        "SWEEP_SECONDS": str(config.sweep_seconds),
    }
    if config.smtp_port:
        forced.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(config.smtp_port))
    inherited = {name: value for name, value in os.environ.items() if name != "SECRET_KEY"}
    return {**defaults, **inherited, **forced}


PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")


def procfile(path: Path = DEPLOY / "Procfile") -> dict[str, str]:
    kinds: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = PROCFILE_LINE.match(line.strip())
        if match and not line.lstrip().startswith("#"):
            kinds[match[1]] = match[2]
    return kinds


def expand(command: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        if name not in values:
            sys.exit(f"deploy/Procfile names ${name}, which is not set")
        return values[name]

    return VARIABLE.sub(one, command)


def programs(config: Config, environment: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    """(name, command, extra environment) of every process, in start order."""
    kinds = procfile()
    counts = {"web": len(config.web_ports), "worker": config.workers, "sweeper": config.sweepers}
    result: list[tuple[str, str, dict[str, str]]] = []
    for kind, count in counts.items():
        for index in range(count):
            extra = {"PORT": str(config.web_ports[index])} if kind == "web" else {}
            # Each process names itself to PostgreSQL (pg_stat_activity.application_name).
            extra["PGAPPNAME"] = f"enlace-{kind}-{index + 1}"
            command = expand(kinds[kind], {**environment, **extra})
            result.append((f"{kind}-{index + 1}", command, extra))
    run = config.run
    nginx = f"{config.nginx} -p {run}/nginx -c {run}/nginx.conf -e {run}/logs/nginx-error.log"
    result.append(("nginx", nginx, {}))
    if config.smtp_port:
        sink = (
            f"{VENV_BIN / 'python'} -m aiosmtpd -n -l 127.0.0.1:{config.smtp_port}"
            f" -c aiosmtpd.handlers.Mailbox {config.run}/maildir"
        )
        result.append(("mail", sink, {}))
    return result


def render_nginx(config: Config) -> None:
    upstreams = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" for port in config.web_ports
    )
    tls = ""
    if config.tls_cert:
        tls = (
            f"        listen {config.host}:{config.tls_port} ssl;\n"
            f"        ssl_certificate {config.tls_cert};\n"
            f"        ssl_certificate_key {config.tls_key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;"
        )
    largest = max(
        envint("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        envint("IMPORT_MAX_UPLOAD_BYTES", 512 * 1024 * 1024),
        envint("MEDIA_CLIP_MAX_BYTES", 200 * 1024 * 1024),
    )
    values = {
        "RUN": str(config.run),
        "HOST": config.host,
        "PORT": str(config.port),
        "TLS": tls,
        "UPSTREAMS": upstreams,
        "STATIC_ROOT": str(ROOT / "staticfiles"),
        "MAX_BODY": f"{largest // (1024 * 1024) + 1}m",
        # As root, nginx's workers run as nobody (then they must read the static files).
        "USER": "user nobody nogroup;" if os.geteuid() == 0 else "",
    }
    text = (DEPLOY / "nginx.conf.template").read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    (config.run / "nginx.conf").write_text(text)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        folder = config.run / "nginx" / sub
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "nobody", "nogroup")


def render_supervisor(config: Config, environment: dict[str, str]) -> Path:
    run = config.run
    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"logfile={run}/logs/supervisord.log",
        f"pidfile={run}/supervisord.pid",
        f"childlogdir={run}/logs",
        "",
        "[unix_http_server]",
        f"file={run}/supervisor.sock",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{run}/supervisor.sock",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    ]
    for name, command, extra in programs(config, environment):
        pairs = ",".join(f'{key}="{value}"' for key, value in extra.items())
        lines += [
            "",
            f"[program:{name}]",
            f"command={command.replace('%', '%%')}",
            f"directory={ROOT}",
            "autostart=true",
            "autorestart=true",
            "startsecs=3",
            "startretries=10",
            "stopsignal=TERM",
            "stopwaitsecs=30",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={run}/logs/{name}.log",
            "stdout_logfile_maxbytes=50MB",
            "stdout_logfile_backups=2",
        ]
        if pairs:
            lines.append(f"environment={pairs}")
    path = run / "supervisord.conf"
    path.write_text("\n".join(lines) + "\n")
    return path


def check_services(config: Config) -> None:
    import psycopg
    import redis

    url = urllib.parse.urlsplit(config.database_url)
    name = url.path.lstrip("/")
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not found:
                connection.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}", flush=True)
    except psycopg.Error as error:
        sys.exit(f"PostgreSQL at {config.database_url} is not reachable: {error}")
    try:
        redis.Redis.from_url(config.redis_url, socket_timeout=5).ping()
    except redis.RedisError as error:
        sys.exit(f"Redis at {config.redis_url} is not reachable: {error}")


def release(environment: dict[str, str]) -> None:
    """What a deployment runs once per release, before (re)starting the processes."""
    python = str(VENV_BIN / "python")
    for command in (
        [python, "manage.py", "migrate", "--noinput"],
        [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
    ):
        subprocess.run(command, cwd=ROOT, env=environment, check=True)  # noqa: S603


def supervisorctl(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(VENV_BIN / "supervisorctl"), "-c", str(config.run / "supervisord.conf"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def wait_running(config: Config, supervisord: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if supervisord.poll() is not None:
            return False
        states = supervisorctl(config, "status").stdout.splitlines()
        if states and all(" RUNNING " in line for line in states):
            return True
        time.sleep(0.5)
    return False


def summary(config: Config, environment: dict[str, str]) -> str:
    lines = [
        "",
        "Enlace stack (ENLACE_ENV=production) is up:",
        f"  nginx       {config.base_url}/  (portal), {config.base_url}/casos/ (staff),"
        f" {config.base_url}/api/v1/ (API)",
    ]
    if config.tls_cert:
        lines.append(f"  nginx TLS   https://{config.host}:{config.tls_port}/")
    for port in config.web_ports:
        lines.append(
            f"  gunicorn    127.0.0.1:{port}  ({config.web_workers} {config.web_worker_class}"
            f" workers x {config.web_threads} threads)"
        )
    lines += [
        f"  rqworker    x{config.workers} on {config.redis_url} (queue default)",
        f"  sweeper     x{config.sweepers}, every {config.sweep_seconds} s",
        f"  PostgreSQL  {config.database_url}"
        + (
            f" (pool of {environment['DATABASE_POOL']} per process)"
            if environment.get("DATABASE_POOL", "0") != "0"
            else ""
        ),
    ]
    if config.smtp_port:
        lines.append(f"  mail sink   smtp://127.0.0.1:{config.smtp_port} -> {config.run}/maildir")
    else:
        lines.append(f"  mail        smtp://{environment['EMAIL_HOST']}")
    lines += [
        f"  logs        {config.run}/logs/",
        f"  control     {VENV_BIN / 'supervisorctl'} -c {config.run}/supervisord.conf status",
        "Ctrl+C or `make stack-stop` stops it all.",
    ]
    return "\n".join(lines)


def start() -> int:
    config = Config.from_env()
    if (config.run / "supervisord.pid").exists():
        pid = int((config.run / "supervisord.pid").read_text().strip() or 0)
        if pid and Path(f"/proc/{pid}").exists():
            sys.exit(f"a stack already runs from {config.run} (supervisord {pid}): make stack-stop")
    shutil.rmtree(config.run / "prometheus", ignore_errors=True)  # emptied at each start
    for folder in ("logs", "prometheus"):
        (config.run / folder).mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(config.run / "maildir", create=True)  # the sink's, with tmp/ new/ cur/
    environment = production_environment(config)
    (config.run / "stack.env").write_text(
        "".join(
            f"{name}={shlex.quote(environment[name])}\n"
            for name in sorted(environment)
            if name in PRODUCTION_NAMES
            or name.startswith(("EMAIL_", "DATABASE_", "RATE_", "METRICS_", "PROMETHEUS_"))
        )
    )
    check_services(config)
    release(environment)
    render_nginx(config)
    conf = render_supervisor(config, environment)
    test = subprocess.run(  # noqa: S603
        [
            config.nginx,
            "-t",
            "-q",
            "-p",
            f"{config.run}/nginx",
            "-c",
            f"{config.run}/nginx.conf",
            "-e",
            f"{config.run}/logs/nginx-error.log",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if test.returncode:
        sys.exit(f"nginx refuses its configuration:\n{test.stderr}")
    supervisord = subprocess.Popen(  # noqa: S603
        [str(VENV_BIN / "supervisord"), "-c", str(conf)], cwd=ROOT, env=environment
    )
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping and supervisord.poll() is None:
            stopping = True
            supervisord.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if wait_running(config, supervisord, timeout=90):
        print(summary(config, environment), flush=True)
    elif supervisord.poll() is None:
        print(supervisorctl(config, "status").stdout, flush=True)
        print(f"not every process is running yet: see {config.run}/logs/", flush=True)
    code = supervisord.wait()
    print("Enlace stack stopped.", flush=True)
    return code


PRODUCTION_NAMES = {
    "ENLACE_ENV",
    "DEBUG",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "TASKS_BACKEND",
    "REDIS_URL",
    "CACHE_BACKEND",
    "TRUSTED_PROXIES",
    "BEHIND_TLS_PROXY",
    "SECURE_COOKIES",
    "CSRF_TRUSTED_ORIGINS",
    "LOG_LEVEL",
    "SECOND_FACTOR_ROLES",
    "WEB_WORKER_CLASS",
    "WEB_WORKERS",
    "WEB_THREADS",
    "SWEEP_SECONDS",
}


def stop_running(timeout: float = 60) -> int:
    config = Config.from_env()
    pidfile = config.run / "supervisord.pid"
    if not pidfile.exists():
        print(f"no stack runs from {config.run}")
        return 0
    pid = int(pidfile.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print(f"no stack runs from {config.run} (stale pid {pid})")
        return 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.2)
    if Path(f"/proc/{pid}").exists():
        print(f"supervisord {pid} still runs after {timeout:.0f} s")
        return 1
    print(f"stopped the stack of {config.run}")
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        return start()
    if command == "stop":
        return stop_running()
    sys.exit(f"usage: {argv[0]} [start|stop]")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
