"""`python manage.py report participation --from 2016-01-01 --to 2016-06-30 --format json
--output FILE` and `python manage.py report mechanisms --year 2016`: the same figures as the API
and the pages (`--format xlsx` or `pdf` write the page's downloads, to a file)."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.reports.exports import participation_xlsx
from enlace.reports.mechanisms import mechanisms_pdf, mechanisms_report, mechanisms_xlsx
from enlace.reports.participation import Period, participation_report
from enlace.reports.pdf import participation_pdf

# The formats written as files, and what writes each.
FILES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "xlsx": participation_xlsx,
    "pdf": participation_pdf,
}
MECHANISMS_FILES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "xlsx": mechanisms_xlsx,
    "pdf": mechanisms_pdf,
}
FORMATS = ("json", *FILES)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Write a report for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["participation", "mechanisms"])
        parser.add_argument("--from", dest="date_from", type=iso_date)
        parser.add_argument("--to", dest="date_to", type=iso_date)
        parser.add_argument("--year", type=int, help="the year of the mechanisms' table")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", type=Path, help="a file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] == "mechanisms":
            year = options["year"]
            if year is None or not 2000 <= year <= 2100:
                raise CommandError("mechanisms needs --year (2000 to 2100).")
            report = mechanisms_report(year)
            write = MECHANISMS_FILES.get(options["format"])
        else:
            if options["date_from"] is None or options["date_to"] is None:
                raise CommandError("participation needs --from and --to.")
            if options["date_from"] > options["date_to"]:
                raise CommandError("The period ends before it starts.")
            report = participation_report(Period(options["date_from"], options["date_to"]))
            write = FILES.get(options["format"])
        if write is not None:
            if not options["output"]:
                raise CommandError(f"--format {options['format']} needs --output FILE.")
            options["output"].write_bytes(write(report))
            return
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
