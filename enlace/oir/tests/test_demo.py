"""The demo requests: about thirty across every state, real due dates, and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from enlace.oir.models import Appeal, InformationRequest, RequestItem, ResolutionDocument
from enlace.oir.queries import bounds_today, deadline_state

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_requests_across_states_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", opinions=20, inquiries=20, seed_semester=False, stdout=StringIO())
    count = InformationRequest.objects.count()
    assert 25 <= count <= 35
    statuses = set(InformationRequest.objects.values_list("status", flat=True))
    assert {"in_process", "extended", "clarification", "resolved", "notified"} <= statuses
    outcomes = set(RequestItem.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == {
        "delivered", "partial", "reserved", "confidential", "nonexistent", "not_competent",
        "withdrawn",
    }  # fmt: skip
    states = dict(
        InformationRequest.objects.annotate(s=deadline_state(bounds_today()))
        .values_list("s")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert states.get("overdue", 0) + states.get("very_overdue", 0) >= 2
    assert Appeal.objects.count() >= 1
    resolved = InformationRequest.objects.filter(resolved_on__isnull=False).count()
    assert ResolutionDocument.objects.count() == resolved
    numbers = list(InformationRequest.objects.values_list("year", "sequence"))
    assert len(set(numbers)) == len(numbers)

    call_command("seed_demo", seed_semester=False, stdout=StringIO())
    assert InformationRequest.objects.count() == count
