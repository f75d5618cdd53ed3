"""Make every process reload the reference data it keeps in memory (enlace/core/reference.py):
for after a change made outside Django (SQL in a console, a restore), which sends no signal."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from enlace.core import reference


class Command(BaseCommand):
    help = (
        "Make every process reload the catalogues, centres, deadline policies, closures and "
        "webhook endpoints it keeps in memory (after changing them by SQL)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            reference.bump()
        self.stdout.write("Reference data will be reloaded by every process at its next read.")
