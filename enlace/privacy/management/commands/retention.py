"""`manage.py retention [--dry-run]`: anonymise now what the retention policies say has been
kept long enough (the sweeper does it every night), or, with --dry-run, only count it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from enlace.privacy.sweeper import apply_retention


class Command(BaseCommand):
    help = "Anonymise the personal data whose retention period is over (--dry-run: count only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        done = apply_retention(timezone.now(), dry_run=dry_run)
        verb = "due" if dry_run else "anonymised"
        for kind, count in sorted(done.items()):
            self.stdout.write(f"{kind}: {count} {verb}")
        self.stdout.write(f"total: {sum(done.values())} {verb}")
