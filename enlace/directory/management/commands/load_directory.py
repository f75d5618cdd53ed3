from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.core.errors import BusinessError
from enlace.directory.loading import DEFAULT_FILE, load_directory


class Command(BaseCommand):
    help = "Create or update the organisation's dependencies from a TOML file (safe to re-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = load_directory(options["file"])
        except (BusinessError, OSError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Directory: {created} created, {updated} updated.")
