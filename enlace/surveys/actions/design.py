"""Designing instruments: a draft version is edited question by question; publishing freezes
it; a change after that is a new draft, copied from the last published version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.surveys import rules
from enlace.surveys.models import (
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Option,
    Question,
    QuestionKind,
    Section,
    VersionStatus,
)


def _editable(version: InstrumentVersion) -> InstrumentVersion:
    """The version, locked for the change, if it is still a draft."""
    locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise BusinessError(
            _("A published version cannot change: make a new version to change it.")
        )
    return locked


def do_create_instrument(
    *, name: str, kind: str, description: str = "", code: str = "", acting_user: User
) -> Instrument:
    name = name.strip()
    if not name:
        raise BusinessError(_("Give the instrument a name."), field="name")
    if kind not in InstrumentKind.values:
        raise BusinessError(_("Choose the kind of instrument."), field="kind")
    code = slugify(code or name)[:40]
    if not code:
        raise BusinessError(_("Give the instrument a code."), field="code")
    with transaction.atomic():
        if Instrument.objects.filter(code=code).exists():
            raise BusinessError(_("Another instrument has that code."), field="code")
        instrument = Instrument.objects.create(
            code=code, name=name, kind=kind, description=description.strip(), created_by=acting_user
        )
        version = InstrumentVersion.objects.create(instrument=instrument, number=1)
        Section.objects.create(version=version, position=1, title=_("General"))
    return instrument


def do_save_section(
    version: InstrumentVersion,
    *,
    title: str,
    description: str = "",
    section: Section | None = None,
) -> Section:
    if not title.strip():
        raise BusinessError(_("Give the section a title."), field="title")
    with transaction.atomic():
        _editable(version)
        if section is None:
            last = version.sections.aggregate(last=Max("position"))["last"] or 0
            return Section.objects.create(
                version=version, position=last + 1, title=title.strip(), description=description
            )
        if section.version_id != version.pk:
            raise BusinessError(_("That section belongs to another version."))
        section.title = title.strip()
        section.description = description.strip()
        section.save(update_fields=["title", "description"])
        return section


def do_delete_section(section: Section) -> None:
    with transaction.atomic():
        version = _editable(section.version)
        if version.sections.count() == 1:
            raise BusinessError(_("An instrument keeps at least one section."))
        if section.questions.exists():
            raise BusinessError(_("Move or delete the section's questions first."))
        section.delete()


@dataclass(frozen=True)
class QuestionSpec:
    """What the designer gives for a question."""

    code: str
    text: str
    kind: str
    section: Section
    help_text: str = ""
    required: bool = False
    low_label: str = ""
    high_label: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    weight: Decimal | None = None
    critical: bool = False
    condition_question: Question | None = None
    condition_values: Sequence[str] = ()
    # (code, label) for a single or multiple choice; ignored for the other kinds.
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)


def _check_spec(version: InstrumentVersion, spec: QuestionSpec, question: Question | None) -> str:
    code = slugify(spec.code)[:40]
    if not code:
        raise BusinessError(_("Give the question a code (letters, digits, dashes)."), field="code")
    if not spec.text.strip():
        raise BusinessError(_("Write the question."), field="text")
    if spec.kind not in QuestionKind.values:
        raise BusinessError(_("Choose the kind of question."), field="kind")
    if spec.section.version_id != version.pk:
        raise BusinessError(_("That section belongs to another version."), field="section")
    taken = version.questions.filter(code=code)
    if question is not None:
        taken = taken.exclude(pk=question.pk)
    if taken.exists():
        raise BusinessError(_("Another question of this version has that code."), field="code")
    if spec.weight is not None and spec.weight < 0:
        raise BusinessError(_("A weight cannot be negative."), field="weight")
    if spec.condition_question is not None:
        parent = spec.condition_question
        if parent.version_id != version.pk or (question is not None and parent.pk == question.pk):
            raise BusinessError(
                _("The condition must be on another question of this version."),
                field="condition_question",
            )
        allowed = rules.choices_of(parent, [(o.value, o.label) for o in parent.options.all()])
        if parent.kind in (QuestionKind.SCALE, QuestionKind.NPS):
            low, high = rules.SCALE_RANGE if parent.kind == QuestionKind.SCALE else rules.NPS_RANGE
            allowed = [str(n) for n in range(low, high + 1)]
        if not allowed:
            raise BusinessError(
                _("A condition can only be on a question with options or a scale."),
                field="condition_question",
            )
        wrong = [value for value in spec.condition_values if value not in allowed]
        if wrong or not spec.condition_values:
            raise BusinessError(
                _("Choose the answers of the earlier question that show this one."),
                field="condition_values",
            )
    if spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        codes = [slugify(value)[:40] for value, _label in spec.options]
        if any(not value for value in codes) or any(
            not label.strip() for _v, label in spec.options
        ):
            raise BusinessError(_("Every option needs a code and a label."), field="options")
        if len(set(codes)) != len(codes):
            raise BusinessError(_("Two options have the same code."), field="options")
    return code


def do_save_question(
    version: InstrumentVersion, spec: QuestionSpec, *, question: Question | None = None
) -> Question:
    """Add a question at the end of its section, or change one, with its options."""
    with transaction.atomic():
        _editable(version)
        code = _check_spec(version, spec, question)
        if question is None:
            last = spec.section.questions.aggregate(last=Max("position"))["last"] or 0
            question = Question(version=version, position=last + 1)
        elif question.version_id != version.pk:
            raise BusinessError(_("That question belongs to another version."))
        elif question.section_id != spec.section.pk:
            last = spec.section.questions.aggregate(last=Max("position"))["last"] or 0
            question.position = last + 1
        question.section = spec.section
        question.code = code
        question.text = spec.text.strip()
        question.help_text = spec.help_text.strip()
        question.kind = spec.kind
        question.required = spec.required
        question.low_label = spec.low_label.strip()
        question.high_label = spec.high_label.strip()
        question.min_value = spec.min_value if spec.kind == QuestionKind.NUMBER else None
        question.max_value = spec.max_value if spec.kind == QuestionKind.NUMBER else None
        question.weight = spec.weight
        question.critical = spec.critical
        question.condition_question = spec.condition_question
        question.condition_values = list(spec.condition_values) if spec.condition_question else []
        question.save()
        question.options.all().delete()
        if spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            Option.objects.bulk_create(
                Option(
                    question=question,
                    position=index,
                    value=slugify(value)[:40],
                    label=label.strip(),
                )
                for index, (value, label) in enumerate(spec.options, start=1)
            )
    return question


def do_delete_question(question: Question) -> None:
    with transaction.atomic():
        _editable(question.version)
        question.dependents.update(condition_question=None, condition_values=[])
        question.delete()


def do_move_question(question: Question, *, up: bool) -> None:
    """Swap the question with its neighbour in the section."""
    with transaction.atomic():
        _editable(question.version)
        siblings = list(question.section.questions.order_by("position", "id"))
        index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, item in enumerate(siblings, start=1):
            if item.position != position:
                Question.objects.filter(pk=item.pk).update(position=position)


def ordered_questions(version: InstrumentVersion) -> list[Question]:
    return list(
        version.questions.select_related("section").order_by("section__position", "position", "id")
    )


def do_publish_version(
    version: InstrumentVersion, *, change_note: str = "", acting_user: User
) -> InstrumentVersion:
    with transaction.atomic():
        locked = _editable(version)
        questions = ordered_questions(locked)
        options: dict[int, list[tuple[str, str]]] = {}
        for option in Option.objects.filter(question__version=locked).order_by("position"):
            options.setdefault(option.question_id, []).append((option.value, option.label))
        problems = rules.publication_problems(locked.instrument.kind, questions, options)
        if problems:
            raise BusinessError(" ".join(problems))
        locked.status = VersionStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = acting_user
        locked.change_note = change_note.strip()[:300]
        locked.save(update_fields=["status", "published_at", "published_by", "change_note"])
    return locked


def do_new_version(instrument: Instrument) -> InstrumentVersion:
    """A draft copied from the latest version: same sections, questions (same codes), options
    and conditions."""
    with transaction.atomic():
        Instrument.objects.select_for_update().get(pk=instrument.pk)
        latest = instrument.versions.order_by("-number").first()
        if latest is not None and latest.is_draft:
            raise BusinessError(_("This instrument already has a draft version."))
        number = (latest.number if latest else 0) + 1
        try:
            draft = InstrumentVersion.objects.create(instrument=instrument, number=number)
        except IntegrityError:
            raise BusinessError(_("This instrument already has a draft version.")) from None
        if latest is None:
            Section.objects.create(version=draft, position=1, title=_("General"))
            return draft
        sections = {}
        for section in latest.sections.order_by("position"):
            sections[section.pk] = Section.objects.create(
                version=draft,
                position=section.position,
                title=section.title,
                description=section.description,
            )
        copies: dict[int, Question] = {}
        old = ordered_questions(latest)
        for question in old:
            copy = Question.objects.create(
                version=draft,
                section=sections[question.section_id],
                position=question.position,
                code=question.code,
                text=question.text,
                help_text=question.help_text,
                kind=question.kind,
                required=question.required,
                low_label=question.low_label,
                high_label=question.high_label,
                min_value=question.min_value,
                max_value=question.max_value,
                weight=question.weight,
                critical=question.critical,
                condition_values=question.condition_values,
            )
            copies[question.pk] = copy
            Option.objects.bulk_create(
                Option(question=copy, position=o.position, value=o.value, label=o.label)
                for o in question.options.all()
            )
        for question in old:
            if question.condition_question_id in copies:
                Question.objects.filter(pk=copies[question.pk].pk).update(
                    condition_question=copies[question.condition_question_id]
                )
    return draft
