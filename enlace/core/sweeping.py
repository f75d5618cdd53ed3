"""The sweeper's jobs, registered by the apps that own them.

Time-based work is data plus a sweeper: rows carry the moment they must be looked at again, and
`manage.py sweep` runs every registered job, in order, once a minute. A lower layer never
imports the jobs of a higher one: each app registers its own in `AppConfig.ready()`:

    sweeping.register("cases.deadlines", sweep_deadlines_job, order=10)

A job takes the moment the sweep runs for and returns its counts by label ("reminded": 3); the
command prints the labels of every job (and says nothing when all are zero).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from enlace.core import requestid

Counts = Mapping[str, int]


@dataclass(frozen=True)
class SweepJob:
    name: str
    run: Callable[[datetime], Counts]
    order: int


_JOBS: dict[str, SweepJob] = {}


def register(name: str, run: Callable[[datetime], Counts], *, order: int = 50) -> None:
    """Add (or replace) the job `name`; jobs run by `order`, then name."""
    _JOBS[name] = SweepJob(name, run, order)


def jobs() -> list[SweepJob]:
    return sorted(_JOBS.values(), key=lambda job: (job.order, job.name))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every job once for `now`; their counts by label, in the order the jobs gave them."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    # One id per round, like a request's: on its log lines and on the tasks it re-queues.
    with requestid.bound(f"sweep-{requestid.new_id()[:16]}"):
        for job in jobs():
            for label, count in job.run(now).items():
                counts[label] = counts.get(label, 0) + count
    return counts
