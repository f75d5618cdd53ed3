from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.catalogues.loading import DEFAULT_FILE, load_catalogues, load_extras
from enlace.core.errors import BusinessError


class Command(BaseCommand):
    help = (
        "Create or update channels, opinion types, limitantes and inquiry topics, and add the "
        "answer templates that are missing (safe to re-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_catalogues(options["file"])
            for section, (created, updated) in result.items():
                self.stdout.write(f"{section}: {created} created, {updated} updated.")
            # The rows other apps keep beside the catalogues: only those missing are added.
            for section, created in load_extras().items():
                self.stdout.write(f"{section}: {created} created.")
        except (BusinessError, OSError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
