"""`manage.py backup TARGET`: the database and the stored files, with a manifest
(enlace/ops/backup.py). TARGET is a new folder, or a file ending in .tar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or SQLite's backup API) and the stored files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, help="a new folder, or a file ending in .tar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup(options["target"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {report.rows} rows in {report.tables} tables and {report.files} stored "
            f"files ({report.bytes / 1e6:.1f} MB) to {report.folder} in {report.seconds:.1f} s"
        )
