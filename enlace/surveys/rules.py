"""The rules of an answer, without the database: what a question accepts, whether it is shown
(its condition on an earlier answer), and whether a version may be published.

Every function raises `BusinessError` with a message in the request's language and the field it
concerns (the question's code), so a form, the API and the public questionnaire show the same
words."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from enlace.core.dates import OUT_OF_RANGE, in_range
from enlace.core.errors import BusinessError
from enlace.surveys.models import (
    CHOICE_KINDS,
    FriendsAndFamily,
    InstrumentKind,
    Question,
    QuestionKind,
    YesNo,
)

# How long a short text and a long text may be.
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
# The choices every question of a fixed kind offers (the designer gives the others).
FIXED_CHOICES: dict[str, list[str]] = {
    QuestionKind.FFT: list(FriendsAndFamily.values),
    QuestionKind.YES_NO: list(YesNo.values),
}
SCALE_RANGE = (1, 5)
NPS_RANGE = (0, 10)


@dataclass(frozen=True)
class Value:
    """One stored answer value (a row of Answer)."""

    choice: str = ""
    number: Decimal | None = None
    date: datetime.date | None = None
    text: str = ""
    photo: UploadedFile[Any] | None = field(default=None, compare=False)

    def key(self) -> str:
        """What a condition compares: the code, or the number written without decimals."""
        if self.choice:
            return self.choice
        if self.number is not None:
            return format(self.number.normalize(), "f")
        return ""


def choices_of(question: Question, options: Iterable[tuple[str, str]] = ()) -> list[str]:
    fixed = FIXED_CHOICES.get(question.kind)
    if fixed is not None:
        return list(fixed)
    return [value for value, _label in options]


def _number(question: Question, raw: str) -> Decimal:
    try:
        number = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise BusinessError(_("Write a number."), field=question.code) from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise BusinessError(_("Write a number."), field=question.code)
    if question.kind in (QuestionKind.SCALE, QuestionKind.NPS):
        low, high = SCALE_RANGE if question.kind == QuestionKind.SCALE else NPS_RANGE
        if number != number.to_integral_value() or not low <= number <= high:
            raise BusinessError(
                _("Choose a value from %(low)s to %(high)s.") % {"low": low, "high": high},
                field=question.code,
            )
        return number.quantize(Decimal(1))
    if question.min_value is not None and number < question.min_value:
        raise BusinessError(
            _("The smallest number accepted is %(value)s.") % {"value": question.min_value},
            field=question.code,
        )
    if question.max_value is not None and number > question.max_value:
        raise BusinessError(
            _("The largest number accepted is %(value)s.") % {"value": question.max_value},
            field=question.code,
        )
    return number.quantize(Decimal("0.01"))


def _date(question: Question, raw: str) -> datetime.date:
    try:
        value = datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise BusinessError(_("Write a date (day/month/year)."), field=question.code) from None
    if not in_range(value):
        raise BusinessError(OUT_OF_RANGE, field=question.code)
    return value


def _photo(question: Question, upload: UploadedFile[Any]) -> UploadedFile[Any]:
    if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise BusinessError(
            _("The photo is larger than %(mb)s MB.")
            % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            field=question.code,
        )
    try:
        forms.ImageField().clean(upload)
    except ValidationError:
        raise BusinessError(
            _("The file is not an image (JPEG, PNG, …)."), field=question.code
        ) from None
    upload.seek(0)
    return upload


def clean_values(
    question: Question,
    raw: Sequence[str],
    *,
    options: Iterable[tuple[str, str]] = (),
    upload: UploadedFile[Any] | None = None,
) -> list[Value]:
    """The values to store for what was sent (`raw`: the form's list for the question, empty
    strings ignored). An empty list means not answered; a wrong value raises BusinessError."""
    given = [item.strip() for item in raw if item is not None and item.strip()]
    kind = question.kind
    if kind == QuestionKind.PHOTO:
        return [Value(photo=_photo(question, upload))] if upload is not None else []
    if not given:
        return []
    if kind != QuestionKind.MULTIPLE and len(given) > 1:
        raise BusinessError(_("Give one answer only."), field=question.code)
    if kind in CHOICE_KINDS:
        allowed = choices_of(question, options)
        unknown = [item for item in given if item not in allowed]
        if unknown:
            raise BusinessError(_("Choose one of the options offered."), field=question.code)
        return [Value(choice=item) for item in dict.fromkeys(given)]
    item = given[0]
    if kind in (QuestionKind.SCALE, QuestionKind.NPS, QuestionKind.NUMBER):
        return [Value(number=_number(question, item))]
    if kind == QuestionKind.DATE:
        return [Value(date=_date(question, item))]
    limit = SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
    if len(item) > limit:
        raise BusinessError(
            _("Write at most %(count)s characters.") % {"count": limit}, field=question.code
        )
    if "\x00" in item:
        raise BusinessError(
            _("The text holds a character that is not allowed."), field=question.code
        )
    return [Value(text=item)]


def is_shown(
    question: Question, answers: Mapping[int, Sequence[Value]], by_id: Mapping[int, Question]
) -> bool:
    """Whether the question is asked, given the answers so far: a question with a condition
    is shown when the earlier question is itself shown and one of its values is in the list."""
    seen: set[int] = set()
    current = question
    while current.condition_question_id is not None:
        if current.pk in seen:  # a loop cannot be published; never hang on one
            return False
        seen.add(current.pk)
        wanted = {str(value) for value in current.condition_values}
        given = {value.key() for value in answers.get(current.condition_question_id, ())}
        if not wanted & given:
            return False
        parent = by_id.get(current.condition_question_id)
        if parent is None:
            return False
        current = parent
    return True


def check_required(
    questions: Sequence[Question], answers: Mapping[int, Sequence[Value]]
) -> list[BusinessError]:
    """The required questions left empty that are shown (a hidden one is never required)."""
    by_id = {question.pk: question for question in questions}
    return [
        BusinessError(_("Answer this question."), field=question.code)
        for question in questions
        if question.required and not answers.get(question.pk) and is_shown(question, answers, by_id)
    ]


def publication_problems(
    kind: str,
    questions: Sequence[Question],
    options_by_question: Mapping[int, Sequence[tuple[str, str]]],
) -> list[str]:
    """What stops a draft from being published, in words for its designer."""
    problems: list[str] = []
    if not questions:
        problems.append(_("The instrument has no question."))
    position = {question.pk: index for index, question in enumerate(questions)}
    by_id = {question.pk: question for question in questions}
    for question in questions:
        label = question.code
        if (
            question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
            and len(options_by_question.get(question.pk, ())) < 2
        ):
            problems.append(_("%(code)s: give at least two options.") % {"code": label})
        if (
            kind == InstrumentKind.CHECKLIST
            and question.kind == QuestionKind.YES_NO
            and (question.weight is None or question.weight <= 0)
        ):
            problems.append(
                _("%(code)s: a checklist item needs a weight above zero.") % {"code": label}
            )
        if question.critical and question.kind != QuestionKind.YES_NO:
            problems.append(_("%(code)s: only a yes / no item can be critical.") % {"code": label})
        if question.condition_question_id is not None:
            parent = by_id.get(question.condition_question_id)
            if parent is None or position[parent.pk] >= position[question.pk]:
                problems.append(
                    _("%(code)s: its condition must be on an earlier question.") % {"code": label}
                )
            elif not question.condition_values:
                problems.append(_("%(code)s: say which answers show it.") % {"code": label})
        if (
            question.kind == QuestionKind.NUMBER
            and question.min_value is not None
            and question.max_value is not None
            and question.min_value > question.max_value
        ):
            problems.append(
                _("%(code)s: the smallest number is above the largest.") % {"code": label}
            )
    if kind == InstrumentKind.CHECKLIST and not any(
        question.kind == QuestionKind.YES_NO for question in questions
    ):
        problems.append(_("A checklist needs at least one yes / no item."))
    return problems
