"""Poll the channels that must be asked (the e-mail channel's IMAP mailboxes, settings
.EMAIL_INBOXES). The sweeper polls them too; this command is for running the poll on its own
schedule, or once by hand."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enlace.channels.plugins import poll_all


class Command(BaseCommand):
    help = "Store the new messages of the e-mail channel's IMAP mailboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="poll once and stop")
        parser.add_argument(
            "--every",
            type=int,
            default=60,
            metavar="SECONDS",
            help="without --once, poll again every SECONDS until stopped (default 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            stored = poll_all()
            if stored or options["verbosity"] > 1:
                self.stdout.write(f"mails stored={stored}")
            if options["once"]:
                return
            time.sleep(options["every"])
