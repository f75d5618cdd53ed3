"""`python manage.py import_cases FILE [--skip-invalid] [--rejected OUT.csv]`: historical cases
from CSV or XLSX. All-or-nothing by default; every bad row is printed as line, column, reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from enlace.accounts.models import User
from enlace.core.tabular import Problem
from enlace.imports.actions import do_import_cases
from enlace.imports.progress import TerminalProgress
from enlace.imports.readers import ImportFileError, open_source
from enlace.imports.rejected import RejectedCsv


class Command(BaseCommand):
    help = "Import historical cases from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and write the rejected ones to --rejected",
        )
        parser.add_argument(
            "--rejected",
            type=Path,
            help="where the rejected rows go (default: FILE.rechazadas.csv)",
        )
        parser.add_argument("--user", help="the username the import is recorded under")
        parser.add_argument("--language", default="es", help="language of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.run(options)

    def run(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"{options['user']}: no such user")
        rejected_path: Path = options["rejected"] or path.with_name(path.name + ".rechazadas.csv")

        def show(line: int, values: dict[str, Any], problems: list[Problem]) -> None:
            for problem in problems:
                self.stderr.write(str(problem))

        progress = TerminalProgress(cast(TextIO, self.stderr._out))
        with path.open("rb") as stream:
            try:
                source = open_source(stream, path.name)
                if options["skip_invalid"]:
                    with rejected_path.open("w", encoding="utf-8", newline="") as out:
                        rejected = RejectedCsv(out)
                        result = do_import_cases(
                            source,
                            actor=actor,
                            skip_invalid=True,
                            on_problem=rejected,
                            on_progress=progress,
                        )
                else:
                    result = do_import_cases(
                        source,
                        actor=actor,
                        on_problem=show,
                        on_progress=progress,
                    )
            except ImportFileError as error:
                for problem in error.problems:
                    self.stderr.write(str(problem))
                raise CommandError(translation.gettext("Nothing was imported.")) from None
        summary = translation.gettext(
            "%(rows)s rows read, %(imported)s cases imported, %(already)s already imported, "
            "%(rejected)s rejected."
        ) % {
            "rows": result.rows,
            "imported": result.imported,
            "already": result.already_imported,
            "rejected": result.rejected,
        }
        if not result.committed:
            raise CommandError(summary + " " + translation.gettext("Nothing was imported."))
        self.stdout.write(summary)
        if options["skip_invalid"] and result.rejected:
            self.stdout.write(
                translation.gettext("Rejected rows, with their reasons: %(path)s")
                % {"path": rejected_path}
            )
        elif options["skip_invalid"]:
            rejected_path.unlink(missing_ok=True)
