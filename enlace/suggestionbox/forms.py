"""Forms of the suggestion boxes: an opening, a corrected count, and the transcription rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.cases.actions import Citizen
from enlace.cases.forms import TypeAheadInput
from enlace.cases.rules import normalise_dui, normalise_phone
from enlace.catalogues.models import OpinionType
from enlace.core import dates
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.suggestionbox.actions import MIN_WITNESSES, TranscribedForm, Witness

BATCH_SIZE = 10


def _dependency(value: str) -> Dependency:
    dependency = resolve_dependency(value.strip()) if value.strip() else None
    if dependency is None:
        raise ValidationError(
            _("There is no centre called “%(value)s”. Choose one from the list."),
            params={"value": value},
        )
    return dependency


class OpeningForm(forms.Form):
    dependency = forms.CharField(label=_("Centre"), widget=TypeAheadInput("dependency-options"))
    opened_on = dates.DateField(
        label=_("Opened on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        help_text=_("One per line: name, role. At least two."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    forms_found = forms.IntegerField(label=_("Forms found"), min_value=0)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_dependency(self) -> Dependency:
        return _dependency(self.cleaned_data["dependency"])

    def clean_witnesses(self) -> list[Witness]:
        witnesses = []
        for line in self.cleaned_data["witnesses"].splitlines():
            if not line.strip():
                continue
            name, _comma, role = line.partition(",")
            if not name.strip() or not role.strip():
                raise ValidationError(
                    _("Write each witness as “name, role”: %(line)s"), params={"line": line}
                )
            witnesses.append(Witness(name=name.strip(), role=role.strip()))
        if len(witnesses) < MIN_WITNESSES:
            raise ValidationError(_("An opening needs at least two witnesses."))
        return witnesses


class CorrectionForm(forms.Form):
    forms_found = forms.IntegerField(label=_("Forms found"), min_value=0)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class FormRow(forms.Form):
    """One form of the box, as typed. A row without text is skipped."""

    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    opinion_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=OpinionType.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("To classify"),
    )
    dependency = forms.CharField(
        label=_("Centre"), required=False, widget=TypeAheadInput("dependency-options")
    )
    description = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    citizen_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    citizen_phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    citizen_dui = forms.CharField(label=_("DUI"), required=False, max_length=12)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opinion_type"].queryset = OpinionType.objects.active()  # type: ignore[attr-defined]

    def clean_citizen_phone(self) -> str:
        value: str = self.cleaned_data["citizen_phone"].strip()
        return normalise_phone(value) if value else ""

    def clean_citizen_dui(self) -> str:
        value: str = self.cleaned_data["citizen_dui"].strip()
        return normalise_dui(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = any(data.get(name) for name in ("citizen_name", "citizen_phone", "citizen_dui"))
        if not (data.get("description") or "").strip():
            if typed or data.get("opinion_type"):
                self.add_error("description", _("Write the text of the form."))
            return data
        if "dependency" not in self.errors:
            try:
                data["dependency"] = _dependency(data.get("dependency") or "")
            except ValidationError as error:
                self.add_error("dependency", error)
        return data

    def transcribed(self) -> TranscribedForm | None:
        data = self.cleaned_data
        if not (data.get("description") or "").strip():
            return None
        return TranscribedForm(
            number=data["number"],
            description=data["description"].strip(),
            dependency=data["dependency"],
            opinion_type=data["opinion_type"].code if data.get("opinion_type") else "",
            citizen=Citizen(
                name=data["citizen_name"].strip(),
                phone=data["citizen_phone"],
                dui=data["citizen_dui"],
            ),
        )


FormRows = forms.formset_factory(FormRow, extra=0, max_num=BATCH_SIZE, absolute_max=BATCH_SIZE)
