from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.cases.loading import DEFAULT_FILE, load_deadline_policies
from enlace.core.errors import BusinessError


class Command(BaseCommand):
    help = "Create or reset the default deadline policies from a TOML file (safe to re-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = load_deadline_policies(options["file"])
        except (BusinessError, OSError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Deadline policies: {written} written.")
