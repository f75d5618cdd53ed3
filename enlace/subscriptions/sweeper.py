"""The sweeper's job: produce the reports whose period has ended (`manage.py sweep` runs it).

Each active subscription carries the moment it is due (`due_at`, the morning after the last
day of its next period), read through a partial index, so a round reads only what is due. Each
is produced in its own transaction (`actions.do_produce_report`): locked FOR UPDATE SKIP LOCKED
on PostgreSQL, so two sweepers never take the same one, and the delivery is unique per
subscription and period, so even where rows cannot be locked (SQLite) a period is produced and
mailed once. A report that fails to render (or to be stored) is logged, counted and retried
later; the others go on. A round produces at most `BATCH` reports, so the other jobs are not
held up; a subscription behind by several periods catches up one period per round.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from enlace.subscriptions import actions
from enlace.subscriptions.models import ReportSubscription

logger = logging.getLogger(__name__)
BATCH = 50


def sweep_subscriptions(now: datetime) -> dict[str, int]:
    due = list(
        ReportSubscription.objects.filter(active=True, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    outcomes: Counter[str] = Counter()
    cache: actions.RenderCache = {}
    for subscription_id in due:
        try:
            outcome = actions.do_produce_report(subscription_id, now=now, cache=cache)
        except Exception as error:  # its transaction rolled back: nothing was produced or sent
            logger.exception("subscription %s: producing its report failed", subscription_id)
            actions.do_record_failure(subscription_id, error, now=now)
            outcome = actions.FAILED
        outcomes[outcome] += 1
    return {
        "reports_produced": outcomes[actions.PRODUCED],
        "reports_failed": outcomes[actions.FAILED],
        "report_subscriptions_ended": outcomes[actions.ENDED],
    }
