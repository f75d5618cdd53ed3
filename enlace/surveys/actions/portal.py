"""The portal's rating of an answer, as one continuous study in the results.

The portal asks the citizen who reads their answer how their experience was (enlace/portal).
Those ratings are one study here: the instrument `valoracion-portal` ("Valoración de la
respuesta (portal)": one Friends-and-Family question `experiencia`, and the comment
`comentario`), and a continuous study of it by the method "after a case is answered", in
fieldwork at every active care centre. It never closes and invites nobody: each rating is its
case's response (mode "portal", one per case: its `idempotency_key` is "portal:<case id>",
unique per study), written by the portal's rating action in its transaction.

- `do_ensure_portal_study` makes the instrument and the study, and adds the care centres opened
  since (idempotent; `manage.py load_portal_study` runs it, and `make setup`).
- `do_record_portal_rating` writes or rewrites the case's response when the citizen rates or
  changes their rating.
- `do_backfill_portal_ratings` adds the ratings given before the study existed.

A case without a centre, or whose centre is not in the study (not a care centre), has no
response: its rating stays on the portal only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from django.db import IntegrityError, transaction
from django.utils import timezone

from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.surveys.actions.responses import Questionnaire, clean_all
from enlace.surveys.history import StudyAction, study_history
from enlace.surveys.models import (
    Answer,
    FriendsAndFamily,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Question,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseStatus,
    Section,
    Study,
    StudyCentre,
    StudyEvent,
    StudyKind,
    StudyMethod,
    StudyStatus,
    VersionStatus,
)
from enlace.surveys.rules import LONG_TEXT_MAX

# The instrument's and its questions' codes: stable, results and trends follow them.
PORTAL_INSTRUMENT = "valoracion-portal"
EXPERIENCE = "experiencia"
COMMENT = "comentario"
# Written in Spanish: the instrument is data, shown to staff and in results as designed.
INSTRUMENT_NAME = "Valoración de la respuesta (portal)"
STUDY_NAME = "Valoración de la respuesta en el portal (continua)"
EXPERIENCE_TEXT = "En general, ¿cómo fue su experiencia con la respuesta a su caso?"
COMMENT_TEXT = "Comentario"
BATCH = 1000


def portal_study() -> Study | None:
    """The continuous study of the portal's ratings, if it was made."""
    return (
        Study.objects.filter(continuous=True, version__instrument__code=PORTAL_INSTRUMENT)
        .order_by("id")
        .first()
    )


def _key(case_id: int) -> str:
    return f"portal:{case_id}"


def _instrument_version() -> InstrumentVersion:
    instrument, created = Instrument.objects.get_or_create(
        code=PORTAL_INSTRUMENT,
        defaults={
            "name": INSTRUMENT_NAME,
            "kind": InstrumentKind.QUESTIONNAIRE,
            "description": "La calificación que el ciudadano da a la respuesta de su caso "
            "en el portal de seguimiento.",
        },
    )
    published = instrument.versions.filter(status=VersionStatus.PUBLISHED).order_by("number")
    version = published.first()
    if version is not None:
        return version
    if not created:
        raise BusinessError(
            "The instrument valoracion-portal exists without a published version: publish it."
        )
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=1,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        change_note="Creada para las calificaciones del portal.",
    )
    section = Section.objects.create(version=version, position=1, title="Valoración")
    Question.objects.create(
        version=version,
        section=section,
        position=1,
        code=EXPERIENCE,
        text=EXPERIENCE_TEXT,
        kind=QuestionKind.FFT,
        required=True,
    )
    Question.objects.create(
        version=version,
        section=section,
        position=2,
        code=COMMENT,
        text=COMMENT_TEXT,
        kind=QuestionKind.LONG_TEXT,
    )
    return version


@dataclass(frozen=True)
class Ensured:
    study: Study
    created: bool
    centres_added: int


def do_ensure_portal_study(*, start: date | None = None) -> Ensured:
    """The portal's instrument and continuous study, made if missing, with every active care
    centre; `start` (the first rating's day) moves the period's start back if earlier."""
    today = timezone.localdate()
    start = start or today
    with transaction.atomic():
        version = _instrument_version()
        study = (
            Study.objects.select_for_update()
            .filter(continuous=True, version__instrument__code=PORTAL_INSTRUMENT)
            .order_by("id")
            .first()
        )
        created = study is None
        now = timezone.now()
        if study is None:
            study = Study.objects.create(
                name=STUDY_NAME,
                kind=StudyKind.SATISFACTION,
                version=version,
                method=StudyMethod.AFTER_CASE,
                period_start=min(start, today),
                period_end=dates.LATEST,
                status=StudyStatus.FIELDWORK,
                continuous=True,
                opened_at=now,
            )
            for action in (StudyAction.CREATED, StudyAction.FIELDWORK):
                study_history.add(StudyEvent(study=study, at=now, action=action))
        elif start < study.period_start:
            study.period_start = start
            study.save(update_fields=["period_start"])
        present = set(study.centres.values_list("dependency_id", flat=True))
        missing = (
            Dependency.objects.active()
            .care_centres()
            .exclude(pk__in=present)
            .values_list("pk", flat=True)
        )
        added = StudyCentre.objects.bulk_create(
            StudyCentre(study=study, dependency_id=pk, target=0, qr_token=secrets.token_urlsafe(12))
            for pk in missing
        )
        if added and not created:
            study_history.add(
                StudyEvent(
                    study=study,
                    at=now,
                    action=StudyAction.CHANGED,
                    note=f"+{len(added)} centres",
                )
            )
    return Ensured(study=study, created=created, centres_added=len(added))


def _answers(
    response: Response, questions: dict[str, int], experience: str, comment: str
) -> list[Answer]:
    rows = [Answer(response=response, question_id=questions[EXPERIENCE], choice=experience)]
    if comment:
        rows.append(Answer(response=response, question_id=questions[COMMENT], text=comment))
    return rows


def do_record_portal_rating(
    case_id: int,
    dependency_id: int | None,
    *,
    experience: str,
    comment: str = "",
    rated_at: datetime,
) -> Response | None:
    """The case's response in the portal's study, written or rewritten from its rating
    (`experience`: a Friends-and-Family code). None, and no response, when there is no such
    study or the case's centre is not in it. Runs in the caller's transaction (the rating's)."""
    study = portal_study()
    if study is None or study.status != StudyStatus.FIELDWORK:
        return None
    with transaction.atomic():
        existing = (
            Response.objects.select_for_update()
            .filter(study=study, idempotency_key=_key(case_id))
            .first()
        )
        in_study = (
            dependency_id is not None
            and StudyCentre.objects.filter(study=study, dependency_id=dependency_id).exists()
        )
        if not in_study:
            if existing is not None:  # the case moved out of the study's centres
                existing.delete()
            return None
        assert dependency_id is not None
        questionnaire = Questionnaire.published(study.version_id)
        clean_all(questionnaire, {EXPERIENCE: [experience], COMMENT: [comment]})
        day = timezone.localdate(rated_at)
        if existing is None:
            response = Response.objects.create(
                study=study,
                version_id=study.version_id,
                dependency_id=dependency_id,
                mode=ResponseMode.PORTAL,
                status=ResponseStatus.SUBMITTED,
                case_id=case_id,
                idempotency_key=_key(case_id),
                started_at=rated_at,
                submitted_at=rated_at,
                day=day,
            )
        else:
            response = existing
            response.dependency_id = dependency_id
            response.submitted_at = rated_at
            response.day = day
            response.save(update_fields=["dependency", "submitted_at", "day", "updated_at"])
            response.answers.all().delete()
        questions = {q.code: q.pk for q in questionnaire.questions}
        Answer.objects.bulk_create(_answers(response, questions, experience, comment.strip()))
    return response


@dataclass(frozen=True)
class Rating:
    """A rating given on the portal, for the backfill."""

    case_id: int
    dependency_id: int | None
    experience: str  # a Friends-and-Family code
    comment: str
    rated_at: datetime


def do_backfill_portal_ratings(ratings: Iterable[Rating]) -> int:
    """Add the responses of the ratings that have none (given before the study existed, or
    loaded in bulk); those already there are left as they are. Returns how many were added.
    In batches of a thousand: one INSERT of responses and one of answers per batch."""
    study = portal_study()
    if study is None:
        return 0
    centres = set(study.centres.values_list("dependency_id", flat=True))
    questions = dict(Question.objects.filter(version_id=study.version_id).values_list("code", "pk"))
    allowed = set(FriendsAndFamily.values)
    added = 0
    rows = iter(ratings)
    while batch := list(islice(rows, BATCH)):
        wanted = [
            rating
            for rating in batch
            if rating.dependency_id is not None
            and rating.dependency_id in centres
            and rating.experience in allowed
        ]
        if not wanted:
            continue
        with transaction.atomic():
            have = set(
                Response.objects.filter(
                    study=study, idempotency_key__in=[_key(r.case_id) for r in wanted]
                ).values_list("idempotency_key", flat=True)
            )
            new = [rating for rating in wanted if _key(rating.case_id) not in have]
            try:
                made = Response.objects.bulk_create(
                    Response(
                        study=study,
                        version_id=study.version_id,
                        dependency_id=rating.dependency_id or 0,  # never 0: filtered above
                        mode=ResponseMode.PORTAL,
                        status=ResponseStatus.SUBMITTED,
                        case_id=rating.case_id,
                        idempotency_key=_key(rating.case_id),
                        started_at=rating.rated_at,
                        submitted_at=rating.rated_at,
                        day=timezone.localdate(rating.rated_at),
                    )
                    for rating in new
                )
            except IntegrityError:
                raise BusinessError(
                    "A rating was recorded while the backfill ran: run it again."
                ) from None
            Answer.objects.bulk_create(
                answer
                for response, rating in zip(made, new, strict=True)
                for answer in _answers(
                    response,
                    questions,
                    rating.experience,
                    rating.comment.replace("\x00", "").strip()[:LONG_TEXT_MAX],
                )
            )
            added += len(made)
    return added
