"""`make run`'s demo studies (issue 16): a satisfaction survey by phone across ten centres with
about 3,000 responses and an earlier closed round, a mystery-shopper round, and monitoring visits
whose findings are improvement opportunities.

`seed_demo` runs once for the module (few cases, no semester), in a transaction rolled back when
the module ends; each test runs inside it in a savepoint.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from enlace.improvements.models import (
    ImprovementOpportunity,
    ImprovementSource,
    ImprovementStatus,
)
from enlace.surveys import rules
from enlace.surveys.actions.responses import Questionnaire, stored_values
from enlace.surveys.models import (
    Answer,
    Finding,
    Instrument,
    InstrumentVersion,
    Response,
    ResponseMode,
    ResponseStatus,
    ReviewState,
    Study,
    StudyEvent,
    StudyKind,
    StudyStatus,
    counted_responses_q,
)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_directory", verbosity=0)
        call_command("load_catalogues", verbosity=0)
        out = io.StringIO()
        call_command(
            "seed_demo",
            "--opinions",
            "20",
            "--inquiries",
            "20",
            "--no-seed-semester",
            "--force",
            stdout=out,
        )
        yield out.getvalue()
        transaction.set_rollback(True)


def satisfaction(status: str) -> Study:
    return Study.objects.get(kind=StudyKind.SATISFACTION, status=status, continuous=False)


def counted(study: Study):
    return Response.objects.filter(study=study).filter(counted_responses_q())


def test_the_summary_names_the_studies(seeded, db):
    assert "Demo studies: 4 created" in seeded


def test_the_survey_in_fieldwork_has_ten_centres_and_about_3000_responses(seeded, db):
    study = satisfaction(StudyStatus.FIELDWORK)
    assert study.centres.count() == 10
    assert 2_700 <= counted(study).count() <= 3_300
    today = timezone.localdate()
    assert study.period_start < today < study.period_end
    assert not counted(study).filter(day__gt=today).exists()
    assert not counted(study).exclude(mode=ResponseMode.INTERVIEW).exists()
    assert not counted(study).exclude(interviewer__role="agent").exists()
    assert counted(study).values("interviewer").distinct().count() >= 2
    assert counted(study).values("day").distinct().count() >= 20


def test_centres_differ_and_two_are_small(seeded, db):
    study = satisfaction(StudyStatus.FIELDWORK)
    per_centre = dict(
        counted(study).values_list("dependency__code").annotate(n=Count("id")).order_by()
    )
    assert len(per_centre) == 10
    assert sorted(per_centre.values())[0] < 5
    assert 5 <= sorted(per_centre.values())[1] < 30
    levels = set(study.centres.values_list("dependency__level_of_care", flat=True))
    assert levels == {"hospital", "unidad_medica", "clinica_comunal"}
    # Some centres are better than others: share of 4-5 on staff's treatment, by centre.
    shares = []
    for code, total in per_centre.items():
        if total < 30:
            continue
        good = Answer.objects.filter(
            response__in=counted(study).filter(dependency__code=code),
            question__code="trato-personal",
            number__gte=4,
        ).count()
        shares.append(good / total)
    assert max(shares) - min(shares) > 0.2


def test_a_handful_are_rejected_and_a_few_hundred_have_comments(seeded, db):
    study = satisfaction(StudyStatus.FIELDWORK)
    rejected = study.responses.filter(review_state=ReviewState.REJECTED)
    assert 3 <= rejected.count() <= 15
    assert not rejected.filter(review_note="").exists()
    assert study.events.filter(action="reviewed").count() >= rejected.count()
    comments = Answer.objects.filter(response__study=study, question__code="comentario").exclude(
        text=""
    )
    assert 150 <= comments.count() <= 600
    assert comments.values("text").distinct().count() >= 40


def test_answers_have_the_shape_the_actions_store(seeded, db):
    """Every shown required question answered, the follow-up only after a "no", values within
    their question's rules."""
    study = satisfaction(StudyStatus.FIELDWORK)
    questionnaire = Questionnaire.of(study.version_id)
    by_id = questionnaire.by_id
    sample = counted(study).order_by("id")[::97]
    assert len(sample) > 20
    for response in sample:
        values = stored_values(response)
        assert rules.check_required(questionnaire.questions, values) == []
        for question_id in values:
            assert rules.is_shown(by_id[question_id], values, by_id)
        for question_id, items in values.items():
            question = by_id[question_id]
            raw = [item.key() or item.text for item in items]
            cleaned = rules.clean_values(
                question, raw, options=questionnaire.options.get(question_id, ())
            )
            assert cleaned == items
    follow_ups = Answer.objects.filter(response__study=study, question__code="motivo-incompleto")
    assert follow_ups.exists()
    assert not follow_ups.exclude(
        response__answers__question__code="medicamento-completo",
        response__answers__choice="no",
    ).exists()


def test_an_earlier_closed_round_on_version_one_keeps_the_codes(seeded, db):
    earlier = satisfaction(StudyStatus.CLOSED)
    current = satisfaction(StudyStatus.FIELDWORK)
    assert earlier.version.number == 1
    assert current.version.number == 2
    assert earlier.period_end < current.period_start
    assert earlier.closed_at is not None
    assert counted(earlier).count() > 500
    codes = set(earlier.version.questions.values_list("code", flat=True))
    assert codes == set(current.version.questions.values_list("code", flat=True))
    changed = [
        code
        for code in codes
        if earlier.version.questions.get(code=code).text
        != current.version.questions.get(code=code).text
    ]
    assert changed == ["tiempo-espera"]
    assert current.version.change_note


def test_a_mystery_shopper_round_with_reviews_and_a_critical_failure(seeded, db):
    study = Study.objects.get(kind=StudyKind.MYSTERY_SHOPPER)
    assert study.requires_review
    assert study.version.instrument.is_checklist
    assert study.version.questions.filter(critical=True).count() == 2
    visits = study.responses.all()
    assert visits.count() == study.centres.count() == 6
    assert not visits.exclude(status=ResponseStatus.SUBMITTED).exists()
    assert visits.filter(review_state=ReviewState.ACCEPTED).count() >= 4
    failed = visits.filter(
        review_state=ReviewState.ACCEPTED,
        answers__question__critical=True,
        answers__choice="no",
    ).distinct()
    assert failed.count() == 1


def test_monitoring_findings_are_improvement_opportunities(seeded, db):
    study = Study.objects.get(kind=StudyKind.MONITORING)
    assert study.visit_every_days == 30
    assert study.centres.count() == 4
    found = Finding.objects.filter(response__study=study)
    assert found.count() >= 4
    opportunities = ImprovementOpportunity.objects.filter(finding__in=found)
    assert set(opportunities.values_list("source", flat=True)) == {
        ImprovementSource.MONITORING_VISIT
    }
    assert not opportunities.filter(owner__isnull=True).exists()
    assert not opportunities.filter(due_on__isnull=True).exists()
    # A later visit found one solved; its opportunity is done.
    solved = found.filter(solved=True)
    assert solved.exists()
    assert set(solved.values_list("improvement__status", flat=True)) == {ImprovementStatus.DONE}
    for finding in solved:
        assert finding.checked_by.day > finding.response.day
    # Each centre's next visit is planned, 30 days after its last one.
    today = timezone.localdate()
    for row in study.centres.all():
        visits = study.responses.filter(dependency=row.dependency)
        planned = visits.get(status=ResponseStatus.IN_PROGRESS)
        last = visits.filter(status=ResponseStatus.SUBMITTED).order_by("-day").first()
        assert last is not None
        assert planned.planned_on == last.day + timedelta(days=30)
        assert planned.planned_on >= today
        assert not last.answers.filter(question__kind="yes_no").filter(choice="").exists()


def test_running_seed_demo_again_adds_nothing(seeded, db):
    models = (
        Instrument,
        InstrumentVersion,
        Study,
        Response,
        Answer,
        Finding,
        StudyEvent,
        ImprovementOpportunity,
    )
    before = {model: model.objects.count() for model in models}
    out = io.StringIO()
    call_command("seed_demo", "--no-seed-semester", "--force", stdout=out)
    assert "Demo studies: already there, none added." in out.getvalue()
    assert {model: model.objects.count() for model in models} == before
