from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.core.errors import BusinessError
from enlace.participation.loading import DEFAULT_FILE, load_mechanisms


class Command(BaseCommand):
    help = "Load the participation mechanisms and social-network accounts from their data file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = load_mechanisms(options["file"])
        except BusinessError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Mechanisms and accounts: {created} created, {updated} updated.")
