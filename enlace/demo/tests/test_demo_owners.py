"""`make run`'s demo gives the open cases of the demo centres to their liaisons and some others
to the resolution section, so each finds their own queue; one note mentions the liaison of the
Hospital General, whose bell rings. Run again, it gives nothing twice."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from enlace.accounts.models import User
from enlace.cases.lifecycle import OPEN_STATUSES
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.notifications.models import Alert


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_directory", verbosity=0)
        call_command("load_catalogues", verbosity=0)
        out = io.StringIO()
        call_command(
            "seed_demo",
            "--opinions",
            "120",
            "--inquiries",
            "20",
            "--no-seed-semester",
            "--force",
            stdout=out,
        )
        yield out.getvalue()
        transaction.set_rollback(True)


def test_each_demo_centres_liaison_owns_its_open_cases(seeded, db):
    assert "Demo owners:" in seeded
    liaison = User.objects.get(username="enlace.hg")
    hg_open = Case.objects.filter(dependency__code="HG", status__in=sorted(OPEN_STATUSES))
    owned = Case.objects.filter(owner=liaison)
    assert owned.exists()
    assert set(owned.values_list("dependency__code", flat=True)) == {"HG"}
    assert owned.count() <= hg_open.count()
    # Each owner was given the case in a history row.
    given = CaseEvent.objects.filter(kind=EventKind.OWNER_SET).count()
    assert given == Case.objects.filter(owner__isnull=False).count()
    assert Case.objects.filter(owner__username="resolucion").exists()


def test_the_liaisons_queue_and_bell_have_something_to_show(seeded, db, client):
    liaison = User.objects.get(username="enlace.hg")
    client.force_login(liaison)
    queue = client.get(reverse("cases:queue"))
    assert queue.status_code == 200
    assert queue.context["cases"]
    assert Alert.objects.filter(user=liaison, kind="mention", read_at__isnull=True).exists()
    assert "Avisos, " in queue.content.decode()


def test_seeding_again_gives_nothing_twice(seeded, db):
    before = CaseEvent.objects.filter(kind=EventKind.OWNER_SET).count()
    out = io.StringIO()
    call_command("seed_demo", "--no-seed-semester", "--force", stdout=out)
    assert "none given" in out.getvalue()
    assert CaseEvent.objects.filter(kind=EventKind.OWNER_SET).count() == before
