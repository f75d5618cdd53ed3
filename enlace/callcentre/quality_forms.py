"""Forms of the quality evaluations: the evaluation of a call or a written answer (an item's
yes / no / n.a. and note each, the overall comment), the agent's acknowledgement, and how many
calls to draw for the sample. The page's period and agent are the figures' form
(forms.FiguresForm)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.callcentre.quality_actions import NOTE_LIMIT, ItemValue, item_field
from enlace.callcentre.quality_queries import SAMPLE_MAX, SAMPLE_SIZE
from enlace.surveys.models import InstrumentVersion, Question, YesNo


def note_field(question_id: int) -> str:
    return f"note-{question_id}"


def form_label(version: InstrumentVersion) -> str:
    return f"{version.instrument.name} (v{version.number})"


@dataclass(frozen=True)
class ItemRow:
    """An item of the form as the page shows it: the question (text, weight, critical) and its
    two fields."""

    question: Question
    value: forms.BoundField
    note: forms.BoundField


class EvaluationForm(forms.Form):
    """Every item of the evaluation form answered yes, no or not applicable, each with an
    optional note; an overall comment. `version` says which form the items are of."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item_field(item.pk)] = forms.ChoiceField(
                label=item.text, choices=YesNo.choices, widget=forms.RadioSelect
            )
            self.fields[note_field(item.pk)] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_LIMIT
            )

    def rows(self) -> list[ItemRow]:
        return [
            ItemRow(item, self[item_field(item.pk)], self[note_field(item.pk)])
            for item in self.items
        ]

    def answers(self) -> dict[int, ItemValue]:
        data = self.cleaned_data
        return {
            item.pk: ItemValue(data[item_field(item.pk)], data.get(note_field(item.pk), ""))
            for item in self.items
        }


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Your reply (optional)"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SampleForm(forms.Form):
    """How many of the agent's calls not yet evaluated to draw at random."""

    sample = forms.IntegerField(
        label=_("Calls to draw"), min_value=1, max_value=SAMPLE_MAX, initial=SAMPLE_SIZE
    )


class CaseCodeForm(forms.Form):
    """A written answer to evaluate, by its case's tracking code."""

    code = forms.CharField(label=_("Tracking code"), max_length=20)
