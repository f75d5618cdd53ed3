"""`manage.py restore SOURCE`: a backup of `manage.py backup` into a new, empty database and
the default storage, then every table's row count and every file checked against its
manifest. The database is the one configured (DATABASE_URL), or `--database-url`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from enlace.ops.backup import BackupError, restore

TARGET = "restore_target"


class Command(BaseCommand):
    help = "Restore a backup into a new, empty database and verify it against its manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="a backup folder or .tar file")
        parser.add_argument(
            "--database-url",
            help="restore into this (empty) database instead of the configured one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alias = "default"
        if options["database_url"]:
            try:
                parsed = dj_database_url.parse(options["database_url"])
            except ValueError as error:
                raise CommandError(f"--database-url: {error}") from None
            connections.settings[TARGET] = connections.configure_settings({TARGET: parsed})[TARGET]
            alias = TARGET
        try:
            report = restore(options["source"], alias=alias)
        except BackupError as error:
            raise CommandError(str(error)) from None
        finally:
            if alias == TARGET:
                connections[TARGET].close()
        if alias == "default":
            # Every process keeps reference data in memory: tell them it changed.
            call_command("reload_reference_data", stdout=self.stdout)
        self.stdout.write(
            f"Restored and verified {report.rows} rows in {report.tables} tables and "
            f"{report.files} stored files in {report.seconds:.1f} s"
        )
