"""Back up a populated database with its stored files, restore it into a NEW database, and
find every table's row count, the participation report's figures and every file again.

Everything runs as an operator would: `manage.py` in its own process, against databases this
test creates (the test database of pytest-django is not used). SQLite always; PostgreSQL when
one answers at BACKUP_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432), else skipped
with the reason shown.
"""

import json
import os
import socket
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = os.environ.get("BACKUP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Names of the databases this test creates and drops (a shared server: keep to one prefix).
PREFIX = os.environ.get("BACKUP_TEST_DB_PREFIX", "enlace_ops_backup")
FILES = {
    "attachments/3f/3fa9.pdf": b"%PDF-1.4 a citizen's attachment\n",
    "imports/2026/casos.csv": "dui,nombre\n04567890-1,Ana Pérez\n".encode(),
    "oir/unit_files/respuesta.docx": bytes(range(256)) * 40,
}


def manage(*args, env, check=True):
    done = subprocess.run(  # noqa: S603 (this interpreter, manage.py, our arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)}: {done.stdout}\n{done.stderr}")
    return done


def environment(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        ENLACE_ENV="development",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        TASKS_BACKEND="database",
        CACHE_BACKEND="locmem",
        LOG_LEVEL="WARNING",
    )
    return env


def postgres_reachable() -> bool:
    parts = urlsplit(POSTGRES)
    try:
        with socket.create_connection((parts.hostname, parts.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def psql(sql: str) -> None:
    subprocess.run(  # noqa: S603
        ["psql", f"{POSTGRES}/postgres", "-qc", sql],  # noqa: S607 (PostgreSQL's client)
        check=True,
        capture_output=True,
    )


def database_urls(kind: str, folder: Path, *names: str) -> list[str]:
    if kind == "sqlite":
        return [f"sqlite:///{folder / name}.sqlite3" for name in names]
    if not postgres_reachable():
        pytest.skip(f"no PostgreSQL answers at {POSTGRES} (BACKUP_TEST_POSTGRES)")
    databases = [f"{PREFIX}_{name}_{os.getpid()}" for name in names]
    for database in databases:
        psql(f"DROP DATABASE IF EXISTS {database}")
        psql(f"CREATE DATABASE {database}")
    return [f"{POSTGRES}/{database}" for database in databases]


def drop(urls: list[str]) -> None:
    for url in urls:
        if url.startswith("postgres"):
            psql(f"DROP DATABASE IF EXISTS {urlsplit(url).path[1:]} WITH (FORCE)")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def source(request, tmp_path_factory):
    """A database populated by the demo seeding (once per module and engine), with files."""
    folder = tmp_path_factory.mktemp(request.param)
    urls = database_urls(request.param, folder, "source")
    env = environment(urls[0], folder / "media")
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", "--opinions", "40", "--inquiries", "60", "--no-seed-semester", env=env)
    for name, content in FILES.items():
        path = folder / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    yield request.param, env
    drop(urls)


@pytest.fixture
def new_database(source, tmp_path):
    """A new, empty database of the source's engine."""
    urls = database_urls(source[0], tmp_path, "new")
    yield urls[0]
    drop(urls)


def table_counts(env):
    script = (
        "from enlace.ops.backup import row_counts; from django.db import connection; "
        "import json; print(json.dumps(row_counts(connection)))"
    )
    return json.loads(manage("shell", "-v", "0", "-c", script, env=env).stdout)


def participation(env):
    out = manage("report", "participation", "--from", "2000-01-01", "--to", "2100-12-31", env=env)
    return json.loads(out.stdout)


@pytest.mark.parametrize("kind", ["folder", "tar"])
def test_a_restored_backup_has_every_row_figure_and_file(source, new_database, tmp_path, kind):
    _, env = source
    before = table_counts(env)
    report = participation(env)
    assert before["cases_case"] == 100
    assert report["opinions"]["total"] == 40

    media = Path(env["MEDIA_ROOT"])
    stored = {
        str(path.relative_to(media)): path.read_bytes()
        for path in media.rglob("*")
        if path.is_file()
    }
    # the demo's resolutions (PDFs in the storage) and the files this test added
    assert set(FILES) < set(stored)
    assert any(name.startswith("oir/resolutions/") for name in stored)

    target = tmp_path / ("backup.tar" if kind == "tar" else "backup")
    said = manage("backup", str(target), env=env).stdout
    assert f"{len(stored)} stored files" in said
    if kind == "tar":
        assert tarfile.is_tarfile(target)
    else:
        manifest = json.loads((target / "manifest.json").read_text())
        assert manifest["tables"] == before
        assert set(manifest["files"]) == set(stored)

    restored = environment(new_database, tmp_path / "new-media")
    said = manage("restore", str(target), env=restored).stdout
    assert "Restored and verified" in said

    assert table_counts(restored) == before
    assert participation(restored) == report
    for name, content in stored.items():
        assert (tmp_path / "new-media" / name).read_bytes() == content
    assert manage("migrate", "--check", env=restored, check=False).returncode == 0


def test_a_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    _, env = source
    manage("backup", str(tmp_path / "b"), env=env)
    done = manage("restore", str(tmp_path / "b"), env=env, check=False)
    assert done.returncode != 0
    assert "not empty" in done.stderr


def test_a_damaged_backup_is_refused(source, new_database, tmp_path):
    _, env = source
    manage("backup", str(tmp_path / "b"), env=env)
    damaged = tmp_path / "b" / "files" / "imports" / "2026" / "casos.csv"
    damaged.write_bytes(damaged.read_bytes().replace(b"Ana", b"Eva"))
    restored = environment(new_database, tmp_path / "m2")
    done = manage("restore", str(tmp_path / "b"), env=restored, check=False)
    assert done.returncode != 0
    assert "damaged" in done.stderr
    assert not (tmp_path / "m2").exists()


def test_a_backup_never_overwrites(source, tmp_path):
    _, env = source
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "other").write_text("x")
    done = manage("backup", str(tmp_path / "b"), env=env, check=False)
    assert done.returncode != 0
    assert "not empty" in done.stderr
