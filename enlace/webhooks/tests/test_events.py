"""Which history rows are announced, and as which event type. Pure: no database."""

import pytest

from enlace.cases.models import EventKind
from enlace.webhooks.events import EventType, event_type_for


@pytest.mark.parametrize(
    ("kind", "to_status", "expected"),
    [
        (EventKind.REGISTERED, "received", EventType.CREATED),
        (EventKind.ASSIGNED, "assigned", EventType.ASSIGNED),
        (EventKind.ANSWERED, "answered", EventType.ANSWERED),
        (EventKind.CLOSED, "closed", EventType.CLOSED),
        (EventKind.DEADLINE_MISSED, "", EventType.OVERDUE),
        # Leaving the open cases by a merge or a void is a close for a system that follows them.
        (EventKind.MERGED, "merged", EventType.CLOSED),
        (EventKind.VOIDED, "void", EventType.CLOSED),
        # The case a duplicate was merged into carries on: nothing to announce.
        (EventKind.MERGED, "", None),
        (EventKind.COMMENTED, "", None),
        (EventKind.DEADLINE_REMINDER, "", None),
        (EventKind.DEADLINE_ESCALATED, "", None),
        (EventKind.ACKNOWLEDGED, "acknowledged", None),
        (EventKind.REOPENED, "reopened", None),
        (EventKind.CITIZEN_MESSAGE, "", None),
        (EventKind.IMPORTED, "", None),
    ],
)
def test_event_types(kind, to_status, expected):
    assert event_type_for(kind, to_status) == expected


def test_there_are_six_event_types():
    assert EventType.values == [
        "case.created",
        "case.assigned",
        "case.answered",
        "case.closed",
        "case.overdue",
        "campaign.finished",
    ]
