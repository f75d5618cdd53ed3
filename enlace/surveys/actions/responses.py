"""Responses: answered all at once (a citizen's questionnaire, another system through the API,
the portal's rating) or question by question as an interviewer or a visitor goes (each answer
saved as it is given, so a lost connection loses at most the one being typed); reviewed before
they count where the study asks so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.surveys import rules
from enlace.surveys.history import StudyAction, study_history
from enlace.surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseMode,
    ResponseStatus,
    ReviewState,
    Study,
    StudyCentre,
    StudyEvent,
    StudyKind,
    StudyStatus,
)


class InvalidAnswers(BusinessError):
    """Several answers were wrong: one error per question code, all shown at once."""

    def __init__(self, errors: Sequence[BusinessError]):
        super().__init__(_("Some answers need attention."), code="invalid_answers")
        self.errors = list(errors)

    def by_field(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for error in self.errors:
            found.setdefault(error.field or "", str(error))
        return found


@dataclass
class Questionnaire:
    """A version's questions in order with their options, read once."""

    questions: list[Question]
    options: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, version_id: int) -> Questionnaire:
        questions = list(
            Question.objects.filter(version_id=version_id)
            .select_related("section")
            .prefetch_related("options")
            .order_by("section__position", "position", "id")
        )
        options = {q.pk: [(o.value, o.label) for o in q.options.all()] for q in questions}
        return cls(questions=questions, options=options)

    @classmethod
    def published(cls, version_id: int) -> Questionnaire:
        """The questionnaire of a published version: frozen (no action changes one), so read
        once per process and kept (`_PUBLISHED`, a few hundred versions at most). Its objects
        are shared: read them, never change them."""
        found = _PUBLISHED.get(version_id)
        if found is None:
            found = cls.of(version_id)
            if len(_PUBLISHED) >= 256:
                _PUBLISHED.clear()
            _PUBLISHED[version_id] = found
        return found

    @property
    def by_code(self) -> dict[str, Question]:
        return {question.code: question for question in self.questions}

    @property
    def by_id(self) -> dict[int, Question]:
        return {question.pk: question for question in self.questions}


# The questionnaires of published versions read so far in this process, by version id.
_PUBLISHED: dict[int, Questionnaire] = {}


def forget_questionnaires() -> None:
    """Empty the cache of published questionnaires (tests whose database reuses ids)."""
    _PUBLISHED.clear()


def check_open(study: Study, dependency_id: int) -> None:
    # Read afresh, in one query: the study may have closed since the caller loaded it.
    status, at_centre = Study.objects.filter(pk=study.pk).annotate(
        at_centre=Exists(
            StudyCentre.objects.filter(study=OuterRef("pk"), dependency_id=dependency_id)
        )
    ).values_list("status", "at_centre").first() or ("", False)
    if status != StudyStatus.FIELDWORK:
        raise BusinessError(_("This study is not taking responses."), code="study_closed")
    today = timezone.localdate()
    if not study.continuous and not study.period_start <= today <= study.period_end:
        raise BusinessError(_("This study is not taking responses."), code="study_closed")
    if not at_centre:
        raise BusinessError(_("That centre is not part of this study."), field="dependency")


def clean_all(
    questionnaire: Questionnaire,
    raw: Mapping[str, Sequence[str]],
    uploads: Mapping[str, UploadedFile[Any]] | None = None,
) -> dict[int, list[rules.Value]]:
    """Every answer checked, all errors gathered; the answers to hidden questions dropped."""
    uploads = uploads or {}
    values: dict[int, list[rules.Value]] = {}
    errors: list[BusinessError] = []
    unknown = set(raw) - set(questionnaire.by_code)
    if unknown:
        errors.append(
            BusinessError(
                _("Unknown question: %(code)s.") % {"code": ", ".join(sorted(unknown))},
                field=sorted(unknown)[0],
            )
        )
    for question in questionnaire.questions:
        try:
            values[question.pk] = rules.clean_values(
                question,
                raw.get(question.code, ()),
                options=questionnaire.options.get(question.pk, ()),
                upload=uploads.get(question.code),
            )
        except BusinessError as error:
            errors.append(error)
    by_id = questionnaire.by_id
    shown = {pk: items for pk, items in values.items() if rules.is_shown(by_id[pk], values, by_id)}
    wrong = {error.field for error in errors}
    errors.extend(
        error
        for error in rules.check_required(questionnaire.questions, shown)
        if error.field not in wrong
    )
    if errors:
        raise InvalidAnswers(errors)
    return shown


def _rows(response: Response, values: Mapping[int, Sequence[rules.Value]]) -> list[Answer]:
    return [
        Answer(
            response=response,
            question_id=question_id,
            choice=value.choice,
            number=value.number,
            date=value.date,
            text=value.text,
        )
        for question_id, items in values.items()
        for value in items
        if value.photo is None
    ]


def _save_photos(response: Response, values: Mapping[int, Sequence[rules.Value]]) -> None:
    for question_id, items in values.items():
        for value in items:
            if value.photo is not None:
                answer = Answer(response=response, question_id=question_id)
                answer.photo.save(value.photo.name or "foto", value.photo, save=False)
                answer.save()


@dataclass(frozen=True)
class Origin:
    """Where a complete response came from."""

    mode: str
    invitation: Invitation | None = None
    device_key: str = ""
    idempotency_key: str = ""
    case_id: int | None = None
    interviewer: User | None = None


def do_submit_response(
    study: Study,
    dependency: Dependency,
    raw: Mapping[str, Sequence[str]],
    *,
    origin: Origin,
    uploads: Mapping[str, UploadedFile[Any]] | None = None,
) -> Response:
    """A whole response at once: checked entirely before anything is stored, then stored in one
    transaction. An invitation answers once; a device once a day per study; an Idempotency-Key
    once (the same key again returns the first response)."""
    check_open(study, dependency.pk)
    questionnaire = Questionnaire.published(study.version_id)
    values = clean_all(questionnaire, raw, uploads)
    now = timezone.now()
    try:
        with transaction.atomic():
            if origin.idempotency_key:
                earlier = Response.objects.filter(
                    study=study, idempotency_key=origin.idempotency_key
                ).first()
                if earlier is not None:
                    return earlier
            if origin.invitation is not None:
                invitation = Invitation.objects.select_for_update().get(pk=origin.invitation.pk)
                # Answered once: `responded_at` is set with the response, in one transaction
                # (and the response's unique invitation refuses a second one regardless).
                if invitation.responded_at is not None:
                    raise BusinessError(
                        _("This invitation has already been answered. Thank you."),
                        code="invitation_used",
                    )
                if invitation.expires_at < now:
                    raise BusinessError(
                        _("This invitation has expired."), code="invitation_expired"
                    )
                invitation.responded_at = now
                invitation.remind_at = None
                invitation.address = ""
                invitation.save(update_fields=["responded_at", "remind_at", "address"])
            response = Response.objects.create(
                study=study,
                version_id=study.version_id,
                dependency=dependency,
                mode=origin.mode,
                status=ResponseStatus.SUBMITTED,
                invitation=origin.invitation,
                case_id=origin.case_id,
                interviewer=origin.interviewer,
                device_key=origin.device_key,
                idempotency_key=origin.idempotency_key,
                started_at=now,
                submitted_at=now,
                day=timezone.localdate(now),
            )
            Answer.objects.bulk_create(_rows(response, values))
            _save_photos(response, values)
    except IntegrityError:
        if origin.idempotency_key:
            earlier = Response.objects.filter(
                study=study, idempotency_key=origin.idempotency_key
            ).first()
            if earlier is not None:
                return earlier
        if origin.device_key:
            raise BusinessError(
                _("This device has already answered today. Thank you."), code="device_used"
            ) from None
        raise BusinessError(
            _("This invitation has already been answered. Thank you."), code="invitation_used"
        ) from None
    return response


def do_start_response(
    study: Study,
    dependency: Dependency,
    *,
    mode: str,
    interviewer: User,
    case_id: int | None = None,
) -> Response:
    """An interview or a visit begins: an empty response, saved answer by answer."""
    check_open(study, dependency.pk)
    now = timezone.now()
    return Response.objects.create(
        study=study,
        version_id=study.version_id,
        dependency=dependency,
        mode=mode,
        interviewer=interviewer,
        case_id=case_id,
        started_at=now,
        day=timezone.localdate(now),
    )


def _in_progress(response: Response) -> Response:
    locked = Response.objects.select_for_update().select_related("study").get(pk=response.pk)
    if locked.status != ResponseStatus.IN_PROGRESS:
        raise BusinessError(_("This response has been submitted and can no longer change."))
    if locked.study.status != StudyStatus.FIELDWORK:
        raise BusinessError(_("This study is not taking responses."), code="study_closed")
    return locked


def _locked_for(response: Response, acting_user: User) -> Response:
    locked = _in_progress(response)
    if locked.interviewer_id not in (None, acting_user.pk):
        raise BusinessError(_("Another person is filling in this response."))
    return locked


def _replace(locked: Response, values: Mapping[int, Sequence[rules.Value]]) -> None:
    """These questions' answers replaced (a photo is added to the earlier ones): one DELETE and
    one INSERT whatever the number of questions."""
    replaced = [pk for pk, items in values.items() if not any(v.photo is not None for v in items)]
    Answer.objects.filter(response=locked, question_id__in=replaced, photo="").delete()
    Answer.objects.bulk_create(_rows(locked, values))
    _save_photos(locked, values)
    Response.objects.filter(pk=locked.pk).update(updated_at=timezone.now())


def do_save_answer(
    response: Response,
    question: Question,
    raw: Sequence[str],
    *,
    upload: UploadedFile[Any] | None = None,
    acting_user: User,
) -> list[rules.Value]:
    """One answer of an interview or visit, replacing the earlier one (autosave). A photo is
    added to the earlier ones; an empty answer clears the question (not its photos)."""
    if question.version_id != response.version_id:
        raise BusinessError(_("That question is not part of this questionnaire."))
    options = [(o.value, o.label) for o in question.options.all()]
    values = rules.clean_values(question, raw, options=options, upload=upload)
    with transaction.atomic():
        _replace(_locked_for(response, acting_user), {question.pk: values})
    return values


def do_save_answers(
    response: Response,
    raw: Mapping[str, Sequence[str]],
    *,
    uploads: Mapping[str, UploadedFile[Any]] | None = None,
    acting_user: User,
) -> dict[str, str]:
    """Every question of the form at once (the interview's "submit", which works without the
    page's script): the valid answers stored in one transaction, the errors by question code
    returned."""
    questionnaire = Questionnaire.published(response.version_id)
    uploads = uploads or {}
    values: dict[int, list[rules.Value]] = {}
    errors: dict[str, str] = {}
    for question in questionnaire.questions:
        try:
            values[question.pk] = rules.clean_values(
                question,
                raw.get(question.code, ()),
                options=questionnaire.options.get(question.pk, ()),
                upload=uploads.get(question.code),
            )
        except BusinessError as error:
            errors[question.code] = str(error)
    with transaction.atomic():
        _replace(_locked_for(response, acting_user), values)
    return errors


def stored_values(response: Response) -> dict[int, list[rules.Value]]:
    values: dict[int, list[rules.Value]] = {}
    for answer in response.answers.all():
        values.setdefault(answer.question_id, []).append(
            rules.Value(
                choice=answer.choice,
                number=answer.number,
                date=answer.date,
                text=answer.text or ("photo" if answer.photo else ""),
            )
        )
    return values


def do_finish_response(response: Response, *, acting_user: User) -> Response:
    """Submit an interview or a visit: every required question that is shown answered; the
    answers to questions hidden by their condition are dropped. A monitoring visit plans the
    centre's next one."""
    with transaction.atomic():
        locked = _in_progress(response)
        questionnaire = Questionnaire.of(locked.version_id)
        values = stored_values(locked)
        by_id = questionnaire.by_id
        hidden = [
            pk for pk in values if pk in by_id and not rules.is_shown(by_id[pk], values, by_id)
        ]
        errors = rules.check_required(
            questionnaire.questions, {k: v for k, v in values.items() if k not in hidden}
        )
        if errors:
            raise InvalidAnswers(errors)
        Answer.objects.filter(response=locked, question_id__in=hidden).delete()
        now = timezone.now()
        locked.status = ResponseStatus.SUBMITTED
        locked.submitted_at = now
        locked.day = timezone.localdate(now)
        locked.interviewer = locked.interviewer or acting_user
        locked.save(update_fields=["status", "submitted_at", "day", "interviewer", "updated_at"])
        study = locked.study
        if study.kind == StudyKind.MONITORING and study.visit_every_days:
            following = locked.day + timedelta(days=study.visit_every_days)
            if (
                following <= study.period_end
                and not Response.objects.filter(
                    study=study,
                    dependency_id=locked.dependency_id,
                    status=ResponseStatus.IN_PROGRESS,
                ).exists()
            ):
                Response.objects.create(
                    study=study,
                    version_id=study.version_id,
                    dependency_id=locked.dependency_id,
                    mode=ResponseMode.VISIT,
                    planned_on=following,
                    started_at=now,
                    day=following,
                )
    return locked


def do_review_response(
    response: Response, *, state: str, note: str = "", acting_user: User
) -> Response:
    if state not in ReviewState.values or state == ReviewState.RECEIVED:
        raise BusinessError(_("Choose accepted, has issues or rejected."), field="state")
    if state in (ReviewState.HAS_ISSUES, ReviewState.REJECTED) and not note.strip():
        raise BusinessError(_("Say what is wrong with the response."), field="note")
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != ResponseStatus.SUBMITTED:
            raise BusinessError(_("Only a submitted response is reviewed."))
        before = locked.review_state
        locked.review_state = state
        locked.review_note = note.strip()[:500]
        locked.reviewed_by = acting_user
        locked.reviewed_at = timezone.now()
        locked.save(
            update_fields=[
                "review_state",
                "review_note",
                "reviewed_by",
                "reviewed_at",
                "updated_at",
            ]
        )
        study_history.add(
            StudyEvent(
                study_id=locked.study_id,
                response=locked,
                actor=acting_user,
                at=locked.reviewed_at,
                action=StudyAction.REVIEWED,
                note=f"{before} → {state}: {locked.review_note}"[:500],
            )
        )
    return locked
