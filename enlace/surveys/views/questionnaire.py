"""A version's questions laid out for a form: each with its control's choices, the values
already given and its error. The preview, the interviewer's form and a response's page render
it with `surveys/_question.html`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from enlace.surveys import rules
from enlace.surveys.actions.responses import Questionnaire
from enlace.surveys.models import (
    FriendsAndFamily,
    Question,
    QuestionKind,
    Section,
    YesNo,
)


@dataclass
class Item:
    question: Question
    control: str  # radio, checkbox, number, date, text, textarea, file
    choices: list[tuple[str, str, bool]] = field(default_factory=list)
    value: str = ""
    photos: int = 0
    error: str = ""
    shown: bool = True
    # "code of the earlier question" and "values that show it", for the page's script.
    show_if: str = ""
    show_values: str = ""


@dataclass
class SectionItems:
    section: Section
    items: list[Item]


def _choices(question: Question, options: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.SCALE:
        labels = {1: question.low_label, 5: question.high_label}
        return [(str(n), f"{n} · {labels[n]}" if labels.get(n) else str(n)) for n in range(1, 6)]
    if question.kind == QuestionKind.NPS:
        return [(str(n), str(n)) for n in range(0, 11)]
    if question.kind == QuestionKind.FFT:
        return [(str(value), str(label)) for value, label in FriendsAndFamily.choices]
    if question.kind == QuestionKind.YES_NO:
        return [(str(value), str(label)) for value, label in YesNo.choices]
    return list(options)


CONTROL = {
    QuestionKind.SCALE: "radio",
    QuestionKind.NPS: "radio",
    QuestionKind.FFT: "radio",
    QuestionKind.YES_NO: "radio",
    QuestionKind.SINGLE: "radio",
    QuestionKind.MULTIPLE: "checkbox",
    QuestionKind.NUMBER: "number",
    QuestionKind.DATE: "date",
    QuestionKind.SHORT_TEXT: "text",
    QuestionKind.LONG_TEXT: "textarea",
    QuestionKind.PHOTO: "file",
}


def questionnaire_items(
    version_id: int,
    values: Mapping[int, Sequence[rules.Value]],
    errors: Mapping[str, str] | None = None,
    *,
    raw: Mapping[str, Sequence[str]] | None = None,
) -> list[SectionItems]:
    """The sections and their items; `raw` (what was typed, on an error) wins over `values`."""
    errors = errors or {}
    questionnaire = Questionnaire.of(version_id)
    by_id = questionnaire.by_id
    sections: dict[int, SectionItems] = {}
    for question in questionnaire.questions:
        given = values.get(question.pk, ())
        typed = list(raw.get(question.code, ())) if raw is not None else None
        keys = set(typed) if typed is not None else {value.key() for value in given}
        item = Item(
            question=question,
            control=CONTROL[QuestionKind(question.kind)],
            choices=[
                (value, label, value in keys)
                for value, label in _choices(question, questionnaire.options.get(question.pk, ()))
            ],
            error=errors.get(question.code, ""),
            shown=rules.is_shown(question, values, by_id),
        )
        if typed is not None:
            item.value = typed[0] if typed else ""
        elif given:
            first = given[0]
            if first.date is not None:
                item.value = first.date.isoformat()
            elif first.number is not None:
                item.value = first.key()
            elif question.kind == QuestionKind.PHOTO:
                item.photos = len(given)
            else:
                item.value = first.text
        if question.condition_question_id is not None:
            parent = by_id.get(question.condition_question_id)
            item.show_if = parent.code if parent is not None else ""
            item.show_values = " ".join(str(v) for v in question.condition_values)
        if question.section_id not in sections:
            sections[question.section_id] = SectionItems(section=question.section, items=[])
        sections[question.section_id].items.append(item)
    return list(sections.values())


def answer_text(question: Question, values: Sequence[rules.Value]) -> str:
    """An answer as words, for a response's page."""
    if not values:
        return "—"
    labels = dict(_choices(question, [(o.value, o.label) for o in question.options.all()]))
    if question.kind == QuestionKind.PHOTO:
        return _("%(count)s photo(s)") % {"count": len(values)}
    words = []
    for value in values:
        if value.choice:
            words.append(labels.get(value.choice, value.choice))
        elif value.number is not None:
            words.append(labels.get(value.key(), value.key()))
        elif value.date is not None:
            words.append(value.date.strftime("%d/%m/%Y"))
        else:
            words.append(value.text)
    return ", ".join(words)
