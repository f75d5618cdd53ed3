"""The sweeper: deadlines that fell due; notifications, inbound and outbound platform messages
left behind; new mail in the configured mailboxes. Run it every minute (`--loop 60` keeps it
running; cron or a systemd timer may call it once instead). Several may run at once."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enlace.cases.sweeper import sweep_deadlines
from enlace.channels.actions import requeue_pending
from enlace.channels.email.imap import poll_mailboxes
from enlace.channels.meta.delivery import requeue_due as requeue_platform_replies
from enlace.notifications.delivery import requeue_due
from enlace.oir.sweeper import sweep_oir_deadlines
from enlace.webhooks.delivery import requeue_due as requeue_webhooks


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
            counts = sweep_deadlines() + sweep_oir_deadlines()  # cases' and the OIR's
            requeued = requeue_due()
            inbound = requeue_pending()
            outbound = requeue_platform_replies()
            webhooks = requeue_webhooks()
            mails = poll_mailboxes()
            busy = counts or requeued or inbound or outbound or webhooks or mails
            if busy or options["verbosity"] > 1:
                self.stdout.write(
                    f"reminded={counts['reminded']} missed={counts['missed']} "
                    f"escalated={counts['escalated']} "
                    f"oir items reminded={counts['item_reminded']} "
                    f"oir requests alerted={counts['request_alerted']} "
                    f"notifications requeued={requeued} "
                    f"inbound messages requeued={inbound} replies requeued={outbound} "
                    f"webhooks requeued={webhooks} "
                    f"mails stored={mails}"
                )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
