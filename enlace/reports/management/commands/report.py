"""`python manage.py report participation --from 2016-01-01 --to 2016-06-30 --format json
--output FILE`: the same figures as the API and the pages."""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlace.reports.exports import participation_xlsx
from enlace.reports.participation import Period, participation_report

FORMATS = ("json", "xlsx")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Write a report for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["participation"])
        parser.add_argument("--from", dest="date_from", type=iso_date, required=True)
        parser.add_argument("--to", dest="date_to", type=iso_date, required=True)
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", type=Path, help="a file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date_from"] > options["date_to"]:
            raise CommandError("The period ends before it starts.")
        report = participation_report(Period(options["date_from"], options["date_to"]))
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("An XLSX report needs --output FILE.")
            options["output"].write_bytes(participation_xlsx(report))
            return
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
