from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.catalogues.loading import DEFAULT_FILE, load_catalogues
from enlace.core.errors import BusinessError


class Command(BaseCommand):
    help = (
        "Create or update channels, opinion types, limitantes and inquiry topics (safe to re-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_catalogues(options["file"])
        except (BusinessError, OSError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        for section, (created, updated) in result.items():
            self.stdout.write(f"{section}: {created} created, {updated} updated.")
