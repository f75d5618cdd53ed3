"""The sweeper: runs every job the apps registered (enlace/core/sweeping.py): deadlines that fell
due, outbox rows and inbound messages left behind, new mail in the configured mailboxes. Run it
every minute (`--loop 60` keeps it running; cron or a systemd timer may call it once instead).
Several may run at once."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enlace.core import sweeping


class Command(BaseCommand):
    help = (
        "Remind, mark missed and escalate due deadlines; re-queue stalled notifications and "
        "messages; poll the mailboxes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="sweep again every SECONDS until stopped",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = sweeping.sweep()
            if any(counts.values()) or options["verbosity"] > 1:
                self.stdout.write(" ".join(f"{label}={count}" for label, count in counts.items()))
            if not options["loop"]:
                return
            time.sleep(options["loop"])
