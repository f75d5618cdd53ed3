"""`manage.py status`: what an operator at a terminal needs to know at a glance: is it ready,
are the migrations applied, is the queue moving, are messages waiting, is the sweeper on time,
are people failing to log in. Exits 1 when a readiness check fails (for a script)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from enlace.ops import checks, figures


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


class Command(BaseCommand):
    help = (
        "An operator's summary: readiness, migrations, queue, outboxes, deadlines, logins, "
        "the reports' rollups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sweep-late-after",
            type=int,
            default=300,
            help="seconds after which the last sweep or the sweeper's lag is shown as a problem",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        late_after: int = options["sweep_late_after"]
        ok, bad = self.style.SUCCESS, self.style.ERROR
        warn = self.style.WARNING
        out = self.stdout.write

        results = checks.run_checks()
        ready = all(result.ok for result in results)
        out(f"Enlace at {timezone.localtime(now):%Y-%m-%d %H:%M:%S %Z}")
        out("")
        out("Readiness: " + (ok("ready") if ready else bad("NOT READY")))
        for result in results:
            mark = ok("ok  ") if result.ok else bad("FAIL")
            out(f"  {mark} {result.name:<11} {result.ms:7.1f} ms  {result.error}".rstrip())
        try:
            pending = checks.pending_migrations()
        except Exception as error:
            out(f"  migrations: unknown ({type(error).__name__})")
        else:
            if pending:
                more = f" and {len(pending) - 10} more" if len(pending) > 10 else ""
                out(bad(f"  not applied: {', '.join(pending[:10])}{more}"))

        read = figures.read_all(now)
        out("")
        queue = read.queue
        if queue is None:
            out(bad(f"Task queue: unreadable ({read.errors.get('queue')})"))
        else:
            line = (
                f"Task queue ({queue.backend}): {queue.ready} ready, {queue.scheduled} scheduled, "
                f"oldest waiting {_duration(queue.oldest_age_seconds)}"
            )
            if queue.failed is not None:
                line += f", {queue.failed} failed"
            out(warn(line) if queue.oldest_age_seconds > 300 else line)

        out("")
        if "backlogs" in read.errors:
            out(bad(f"Outboxes: unreadable ({read.errors['backlogs']})"))
        else:
            out("Outboxes (still to send):")
            for backlog in read.backlogs:
                line = f"  {backlog.name:<14} {backlog.pending:>7} pending"
                line += f" {backlog.sending:>5} sending"
                if backlog.pending or backlog.sending:
                    line += f"  oldest {_duration(backlog.oldest_age_seconds)}"
                out(warn(line) if backlog.oldest_age_seconds > 3600 else line)

        out("")
        deadlines = read.deadlines
        if deadlines is None:
            out(bad(f"Deadlines: unreadable ({read.errors.get('deadlines')})"))
        else:
            out(f"Deadlines: {deadlines.open} open, {deadlines.overdue} overdue")
            lag = f"Sweeper lag: {_duration(deadlines.sweeper_lag_seconds)}"
            out(bad(lag) if deadlines.sweeper_lag_seconds > late_after else lag)
            out(self._last_sweep(deadlines.last_sweep, now, late_after))

        out("")
        if read.logins is None:
            out(bad(f"Logins: unreadable ({read.errors.get('logins')})"))
        else:
            line = (
                f"Failed logins in the last hour: {read.logins.failed_last_hour}; "
                f"accounts locked: {read.logins.locked_last_hour}"
            )
            out(warn(line) if read.logins.locked_last_hour else line)

        out("")
        rollups = read.rollups
        if rollups is None:
            out(bad(f"Rollups: unreadable ({read.errors.get('rollups')})"))
        else:
            checked = (
                f"{rollups.last_check_at:%Y-%m-%d %H:%M}" if rollups.last_check_at else "never"
            )
            line = (
                f"Rollups: {rollups.deltas_pending} changes to fold; last checked {checked}, "
                f"{rollups.last_check_differences} differences"
            )
            out(bad(line) if rollups.last_check_differences else line)
        if not ready:
            raise SystemExit(1)

    def _last_sweep(self, at: datetime | None, now: datetime, late_after: int) -> str:
        if at is None:
            return self.style.WARNING("Last sweep: never recorded")
        age = (now - at).total_seconds()
        line = f"Last sweep: {timezone.localtime(at):%Y-%m-%d %H:%M:%S} ({_duration(age)} ago)"
        return self.style.ERROR(line) if age > late_after else line
