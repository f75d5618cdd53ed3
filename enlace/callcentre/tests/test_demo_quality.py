"""`make run`'s demo quality evaluations (enlace/demo/quality.py): the evaluation form made
through the surveys' design actions, about sixty evaluations of the demo calls with five
calibration pairs, fast, added once, and seen in the figures."""

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import make_user
from enlace.accounts.models import Role
from enlace.callcentre.figures import Period, call_figures
from enlace.callcentre.models import Evaluation, EvaluationAnswer
from enlace.callcentre.quality_queries import agent_scores, calibration
from enlace.demo.calls import seed_calls
from enlace.demo.quality import CODE, ITEMS, seed_quality
from enlace.surveys.models import Instrument

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 5, 6, 11, 0, tzinfo=ZoneInfo("America/El_Salvador"))
MONTH = Period(date(2025, 4, 1), date(2025, 5, 6))


@pytest.fixture
def demo_calls(db):
    for name in ("agente", "agente2", "agente3"):
        make_user(name, Role.AGENT)
    make_user("supervisor", Role.CALL_SUPERVISOR)
    make_user("resolucion", Role.RESOLUTION)
    seed_calls(now=NOW)


def test_the_demo_evaluations_are_seeded_fast_and_once(demo_calls):
    started = time.monotonic()
    seeded = seed_quality(now=NOW)
    assert time.monotonic() - started < 3
    instrument = Instrument.objects.get(code=CODE)
    version = instrument.versions.get()
    assert version.status == "published"
    assert version.questions.count() == len(ITEMS) == 8
    assert version.questions.filter(critical=True).count() == 2
    assert seeded.evaluations == Evaluation.objects.count() == 60
    assert EvaluationAnswer.objects.count() == 60 * 8
    assert (
        0 < seeded.acknowledged == Evaluation.objects.filter(acknowledged_at__isnull=False).count()
    )
    assert "Demo quality evaluations" in seeded.line()
    again = seed_quality(now=NOW)
    assert (again.made_form, again.evaluations) == (False, 0)
    assert Evaluation.objects.count() == 60


def test_the_demo_evaluations_have_figures_worth_looking_at(demo_calls):
    seed_quality(now=NOW)
    assert not Evaluation.objects.filter(evaluated_at__gt=NOW).exists()
    assert not Evaluation.objects.filter(evaluator_id__in=agent_ids()).exists()
    assert not Evaluation.objects.filter(agent__username="supervisor").exists()
    scores = agent_scores(Evaluation.objects.all())
    assert {row.name for row in scores} == {"agente", "agente2", "agente3"}
    assert sum(row.failed for row in scores) > 0
    assert all(row.mean is not None and 40 < float(row.mean) <= 100 for row in scores)
    pairs = calibration(Period(date(2025, 1, 1), date(2025, 12, 31))).pairs
    assert len(pairs) == 5
    assert {(p.first.evaluator, p.second.evaluator) for p in pairs} == {
        ("supervisor", "resolucion")
    }
    figures = call_figures(MONTH)
    assert figures.assessed["quality_score"].value is not None
    assert figures.assessed["quality_score"].target is not None


def agent_ids():
    from enlace.accounts.models import User

    return User.objects.filter(username__startswith="agente").values("pk")
