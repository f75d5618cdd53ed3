from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User
from enlace.core import dates
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.improvements.models import ImprovementSource, ImprovementStatus


class OwnerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class ImprovementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(label=_("Source"), choices=ImprovementSource.choices)
    dependency = forms.CharField(
        label=_("Centre"),
        widget=forms.TextInput(attrs={"list": "dependency-options", "autocomplete": "off"}),
    )
    owner = OwnerField(label=_("Owner"), queryset=User.objects.none(), required=False)
    action_plan = forms.CharField(
        label=_("Action plan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = dates.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cases = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, fixed_dependency: Dependency | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fixed_dependency = fixed_dependency
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "first_name", "username"
        )
        if fixed_dependency is not None:
            self.fields["dependency"].disabled = True
            self.fields["dependency"].initial = fixed_dependency.label

    def clean_dependency(self) -> Dependency:
        if self.fixed_dependency is not None:
            return self.fixed_dependency
        value = self.cleaned_data["dependency"]
        dependency = resolve_dependency(value)
        if dependency is None:
            raise forms.ValidationError(
                _("There is no centre called “%(value)s”. Choose one from the list."),
                params={"value": value},
            )
        return dependency

    def case_ids(self) -> list[int]:
        raw = self.cleaned_data.get("cases") or ""
        return [int(part) for part in raw.split(",") if part.strip().isdigit()]


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImprovementStatus.choices)
    owner = OwnerField(label=_("Owner"), queryset=User.objects.none(), required=False)
    action_plan = forms.CharField(
        label=_("Action plan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = dates.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "first_name", "username"
        )
