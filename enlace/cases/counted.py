"""What a case counts as in the reports: the attributes the reports group by, and whether it
counts at all.

The rollups (enlace/cases/rollups.py) keep, per day, how many cases count as each combination;
`Case.save()` compares what a case counted as when it was loaded with what it counts as once
saved and appends the difference (enlace/cases/models.py, `RollupDelta`). This module holds only
the rule, so the model and the rollups share it without importing each other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from django.utils import timezone

from enlace.cases.lifecycle import CaseStatus

# A case registered by mistake or merged into another is counted by no report.
NOT_COUNTED = (CaseStatus.VOID, CaseStatus.MERGED)
# An opinion is answered once its answer went to the citizen (and closed after it).
ANSWERED_STATUSES = (CaseStatus.ANSWERED, CaseStatus.CLOSED)

# The case's columns (attnames) a report's figure depends on, in the order `counted_as` takes.
COUNTED_FIELDS = (
    "received_at",
    "status",
    "kind",
    "channel_id",
    "dependency_id",
    "level_of_care",
    "opinion_type_id",
    "limitante_id",
    "topic_id",
)
# The same by field name, as `save(update_fields=...)` may give them.
COUNTED_NAMES = frozenset(
    {*COUNTED_FIELDS, "channel", "dependency", "opinion_type", "limitante", "topic"}
)
NONE = 0  # a rollup's id for "no centre", "no type", ...: 0 rather than NULL, so it is unique


class Counted(NamedTuple):
    """One case's place in the rollups (a `RollupDelta` row's key)."""

    day: date  # received, in local time
    kind: str
    channel_id: int
    dependency_id: int
    level_of_care: str
    opinion_type_id: int
    limitante_id: int
    topic_id: int
    answered: bool


def counted_as(values: tuple[Any, ...]) -> Counted | None:
    """The key of a case whose COUNTED_FIELDS hold `values`; None when no report counts it."""
    received_at, status, kind, channel_id, dependency_id, level, type_id, limitante, topic = values
    if status in NOT_COUNTED or received_at is None:
        return None
    day = timezone.localdate(received_at) if isinstance(received_at, datetime) else received_at
    return Counted(
        day=day,
        kind=kind,
        channel_id=channel_id or NONE,
        dependency_id=dependency_id or NONE,
        level_of_care=level or "",
        opinion_type_id=type_id or NONE,
        limitante_id=limitante or NONE,
        topic_id=topic or NONE,
        answered=status in ANSWERED_STATUSES,
    )
