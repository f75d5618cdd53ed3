"""`manage.py verify_rollups [--from D --to D] [--check]`: compare the reports' rollups with a
full GROUP BY over the cases (enlace/cases/rollups.py) and repair what differs. Exit status 1
when something differed (repaired unless `--check`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from enlace.cases import rollups


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from error


class Command(BaseCommand):
    help = "Compare the reports' rollups with the cases and repair what differs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="start", type=_day, help="first day (default: 7 days ago)"
        )
        parser.add_argument("--to", dest="end", type=_day, help="last day (default: today)")
        parser.add_argument("--all", action="store_true", help="every month with cases")
        parser.add_argument("--check", action="store_true", help="report, do not repair")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        start = options["start"] or today - timedelta(days=rollups.VERIFY_DAYS)
        end = options["end"] or today
        if options["all"]:
            span = rollups.case_days()
            if span is None:
                self.stdout.write("no cases")
                return
            start, end = span
        if start > end:
            raise CommandError("--from is after --to")
        try:
            differences = rollups.verify(start, end, repair=not options["check"])
        except rollups.Busy as error:
            raise CommandError(str(error)) from error
        if differences:
            done = "left as they are" if options["check"] else "repaired"
            self.stdout.write(f"rollups differed on {differences} keys ({done})")
            raise SystemExit(1)
        self.stdout.write(f"rollups agree with the cases from {start} to {end}")
