"""Every history row of a case is written through the one event function
(enlace/cases/history.py), so every subscriber sees it: the webhooks' outbox, the
notifications'. The three writers that once wrote their rows around it (a reply on the
citizen's platform, a refused attachment, the citizen's rating) included."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enlace.cases.history import case_history
from enlace.cases.models import EventKind
from enlace.cases.sweeper import sweep_deadlines
from enlace.channels.actions import do_send_reply
from enlace.channels.meta.tests.conftest import PROGRAM
from enlace.channels.meta.tests.test_processing import image_payload, receive
from enlace.notifications.subscribers import on_case_events as mail_subscriber
from enlace.oir.history import request_history
from enlace.portal.actions import do_rate_case
from enlace.portal.models import Satisfaction
from enlace.webhooks.outbox import on_case_events as webhook_subscriber


@pytest.fixture
def seen():
    """The rows a subscriber registered now is told of, with their context."""
    rows = []

    def subscriber(events, context):
        rows.extend((event, dict(context)) for event in events)

    case_history.subscribe(subscriber)
    yield rows
    case_history.unsubscribe(subscriber)


def test_the_outboxes_subscribe_to_the_histories():
    assert webhook_subscriber in case_history.subscribers()
    assert mail_subscriber in case_history.subscribers()
    assert any(
        hook.__module__ == mail_subscriber.__module__ for hook in request_history.subscribers()
    )


def test_a_refused_attachment_a_platform_reply_and_a_rating_reach_the_subscribers(
    db, graph, seen, resolution
):
    graph.media("1003383421387256", PROGRAM)  # a program sent as a photo: refused
    [message] = receive("whatsapp", image_payload())
    case = message.case
    refused = [event for event, _context in seen if event.kind == EventKind.COMMENTED]
    assert len(refused) == 1
    assert refused[0].case == case
    assert refused[0].note.startswith("Se rechazó un adjunto enviado por el ciudadano")

    do_send_reply(case, "Su receta está lista", acting_user=resolution)
    [sent] = [event for event, _context in seen if event.kind == EventKind.MESSAGE_SENT]
    assert (sent.case, sent.actor, sent.note) == (case, resolution, "Su receta está lista")

    do_rate_case(case, Satisfaction.GOOD, "Gracias")
    rated = [event for event, _context in seen if "satisfaction" in (event.changes or {})]
    assert len(rated) == 1
    assert rated[0].case == case
    # Each row is in the database, as written, once.
    assert case.events.filter(pk__in=[refused[0].pk, sent.pk, rated[0].pk]).count() == 3


def test_the_sweeper_gives_its_rows_the_deadline_and_a_cache(db, make_case, seen):
    case = make_case()
    later = timezone.now() + timedelta(days=60)
    sweep_deadlines(now=later)
    deadline_kinds = (
        EventKind.DEADLINE_REMINDER,
        EventKind.DEADLINE_MISSED,
        EventKind.DEADLINE_ESCALATED,
    )
    swept = [(event, context) for event, context in seen if event.kind in deadline_kinds]
    assert swept, "the sweeper wrote rows for an overdue case"
    for _event, context in swept:
        assert context["deadline"].case_id == case.pk
        assert isinstance(context["cache"], dict)
