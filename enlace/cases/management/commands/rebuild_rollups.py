"""`manage.py rebuild_rollups`: build the reports' rollups from the cases (enlace/cases/rollups.py),
after a restore, a bulk load in SQL or an upgrade of a database that already had cases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from enlace.cases import rollups


class Command(BaseCommand):
    help = "Build the reports' rollups from the cases, month by month."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = rollups.rebuild()
        except rollups.Busy as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"rollups rebuilt: {months} months with cases")
