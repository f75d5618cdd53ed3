"""Delete the Idempotency-Key records older than IDEMPOTENCY_KEY_DAYS (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enlace.apikeys.idempotency import expire


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = expire()
        self.stdout.write(f"{deleted} idempotency records deleted")
