"""Backups: the database and the stored files in one folder (or one .tar file) with a
manifest, and their restore into a new, empty database, verified against that manifest.

A backup holds:

    manifest.json     format, when, the database's engine, every table's row count, every
                      file's SHA-256 (the dump's and each stored file's)
    database.dump     PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore`
    database.sqlite3  SQLite: a copy made with SQLite's online backup API
    files/...         every file of the default storage (MEDIA_ROOT, or object storage),
                      read and written through Django's storage API

On PostgreSQL the row counts and the dump read one snapshot (`pg_export_snapshot()` and
`pg_dump --snapshot`), so the manifest describes exactly what the dump holds while people keep
working. Stored files are copied after the dump: a file added meanwhile may be in the backup
without its row, never a row without its file (files are written before the rows that name
them, and never changed in place).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why, for an operator."""


@dataclass
class Report:
    folder: Path
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: float


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_postgresql(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore (the password never on a command line)."""
    params = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[name] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    env["PGDATABASE"] = str(params["NAME"])
    for option, name in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if params.get("OPTIONS", {}).get(option):
            env[name] = str(params["OPTIONS"][option])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    found = shutil.which(command[0])
    if found is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client programs)")
    done = subprocess.run(  # noqa: S603 (a fixed program; the arguments are ours)
        [found, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def table_names(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in table_names(connection):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield str(PurePosixPath(folder) / name) if folder else name
    for name in sorted(folders):
        yield from _walk(storage, str(PurePosixPath(folder) / name) if folder else name)


def _copy_files_out(storage: Storage, target: Path) -> dict[str, str]:
    checksums = {}
    try:
        names = list(_walk(storage))
    except FileNotFoundError:  # nothing was ever stored (MEDIA_ROOT not created yet)
        names = []
    for name in names:
        destination = target / FILES / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with storage.open(name, "rb") as source, destination.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        checksums[name] = digest.hexdigest()
    return checksums


def _dump_postgresql(connection: BaseDatabaseWrapper, target: Path) -> dict[str, int]:
    """pg_dump and the row counts from one snapshot, held by this transaction."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        counts = {}
        for table in table_names(connection):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 (a table's name)
            counts[table] = int(cursor.fetchone()[0])
        command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner"]
        _run(
            [*command, "--no-privileges", f"--file={target / PG_DUMP}"], _pg_environment(connection)
        )
    return counts


def _copy_sqlite(connection: BaseDatabaseWrapper, target: Path) -> dict[str, int]:
    name = str(connection.settings_dict["NAME"])
    destination = target / SQLITE_COPY
    source = sqlite3.connect(name)
    try:
        copy = sqlite3.connect(destination)
        try:
            source.backup(copy)  # SQLite's online backup: a consistent copy while in use
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            counts = {
                table: int(copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])  # noqa: S608
                for table in table_names(connection)
            }
        finally:
            copy.close()
    finally:
        source.close()
    return counts


def backup(target: Path, *, alias: str = "default", storage: Storage | None = None) -> Report:
    """Write a backup to `target`: a new (or empty) folder, or a file ending in .tar."""
    started = time.monotonic()
    connection = connections[alias]
    storage = storage or default_storage
    as_tar = target.suffix == ".tar"
    if as_tar and target.exists():
        raise BackupError(f"{target} exists; a backup never overwrites one")
    if not as_tar and target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    with tempfile.TemporaryDirectory(
        dir=target.parent if as_tar else None, prefix=".enlace-backup-"
    ) as work:
        folder = Path(work) if as_tar else target
        folder.mkdir(parents=True, exist_ok=True)
        if is_postgresql(connection):
            counts = _dump_postgresql(connection, folder)
            database_file = PG_DUMP
        elif connection.vendor == "sqlite":
            if connection.settings_dict["NAME"] == ":memory:" or "mode=memory" in str(
                connection.settings_dict["NAME"]
            ):
                raise BackupError("an in-memory SQLite database cannot be backed up")
            counts = _copy_sqlite(connection, folder)
            database_file = SQLITE_COPY
        else:
            raise BackupError(f"no backup for the {connection.vendor} database")
        files = _copy_files_out(storage, folder)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database": {"file": database_file, "sha256": sha256_file(folder / database_file)},
            "tables": counts,
            "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
        if as_tar:
            partial = target.with_name(target.name + ".partial")
            with tarfile.open(partial, "w") as archive:
                for path in sorted(folder.rglob("*")):
                    archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
            partial.rename(target)
    return Report(
        target, len(counts), sum(counts.values()), len(files), size, time.monotonic() - started
    )


@contextmanager
def opened(source: Path) -> Iterator[Path]:
    """The backup's folder (a .tar file is unpacked into a temporary one)."""
    if source.is_dir():
        yield source
        return
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is neither a backup folder nor a .tar file")
    with tempfile.TemporaryDirectory(prefix=".enlace-restore-") as work:
        with tarfile.open(source) as archive:
            archive.extractall(work, filter="data")  # no paths outside, no links, no devices
        yield Path(work)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, once every file it names matches its checksum."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"no readable {MANIFEST}: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    database = folder / manifest["database"]["file"]
    if not database.is_file() or sha256_file(database) != manifest["database"]["sha256"]:
        raise BackupError(f"{database.name} is missing or damaged (checksum)")
    for name, checksum in manifest["files"].items():
        path = folder / FILES / name
        if not path.resolve().is_relative_to((folder / FILES).resolve()):
            raise BackupError(f"a stored file's name leaves the backup: {name!r}")
        if not path.is_file() or sha256_file(path) != checksum:
            raise BackupError(f"stored file {name} is missing or damaged (checksum)")
    return manifest


def _restore_postgresql(connection: BaseDatabaseWrapper, folder: Path) -> None:
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(folder / PG_DUMP),
        ],
        _pg_environment(connection),
    )


def _restore_sqlite(connection: BaseDatabaseWrapper, folder: Path) -> None:
    name = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    source = sqlite3.connect(folder / SQLITE_COPY)
    try:
        target = sqlite3.connect(name)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _copy_files_in(storage: Storage, folder: Path, names: dict[str, str]) -> None:
    for name, checksum in names.items():
        if storage.exists(name):
            with storage.open(name, "rb") as existing:
                digest = hashlib.sha256()
                while chunk := existing.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() == checksum:
                continue  # already there, the same
            raise BackupError(f"stored file {name} exists with other contents")
        with (folder / FILES / name).open("rb") as handle:
            saved = storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"the storage saved {name} as {saved}")


def restore(source: Path, *, alias: str = "default", storage: Storage | None = None) -> Report:
    """Restore a backup into the empty database `alias` and the default storage, then check
    every table's row count and every file against the manifest."""
    started = time.monotonic()
    connection = connections[alias]
    storage = storage or default_storage
    with opened(source) as folder:
        manifest = read_manifest(folder)
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"the backup is of a {manifest['engine']} database, the target {connection.vendor}"
            )
        existing = table_names(connection)
        if existing:
            raise BackupError(
                f"the target database is not empty ({len(existing)} tables): restore into a new one"
            )
        if is_postgresql(connection):
            _restore_postgresql(connection, folder)
        else:
            _restore_sqlite(connection, folder)
        _copy_files_in(storage, folder, manifest["files"])
    counts = row_counts(connection)
    expected: dict[str, int] = manifest["tables"]
    wrong = {
        table: (expected.get(table), counts.get(table))
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    }
    if wrong:
        shown = ", ".join(f"{t}: {a} in the backup, {b} restored" for t, (a, b) in wrong.items())
        raise BackupError(f"row counts differ after the restore: {shown[:2000]}")
    return Report(
        source,
        len(counts),
        sum(counts.values()),
        len(manifest["files"]),
        0,
        time.monotonic() - started,
    )
