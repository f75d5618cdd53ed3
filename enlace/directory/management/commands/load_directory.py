from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.core.errors import BusinessError
from enlace.directory.loading import (
    DEFAULT_FILE,
    MUNICIPALITIES_FILE,
    load_directory,
    load_municipalities,
)


class Command(BaseCommand):
    help = (
        "Create or update the organisation's dependencies, then El Salvador's municipalities, "
        "from their TOML files (safe to re-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
        parser.add_argument("--municipalities-file", type=Path, default=MUNICIPALITIES_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = load_directory(options["file"])
            self.stdout.write(f"Directory: {created} created, {updated} updated.")
            created, updated = load_municipalities(options["municipalities_file"])
            self.stdout.write(f"Municipalities: {created} created, {updated} updated.")
        except (BusinessError, OSError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
