"""The forms of the participation records: what a person types, checked, in their language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.core import dates
from enlace.core.forms import AccessibleForm
from enlace.directory.models import Department, Dependency, Municipality, Region
from enlace.participation.models import (
    AUDIENCE_BANDS,
    InformationMedium,
    Mechanism,
)
from enlace.participation.rules import municipality_key

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(AccessibleForm):
    mechanism = forms.ModelChoiceField(
        label=gettext_lazy("Mechanism"), queryset=Mechanism.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    starts_on = dates.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = dates.DateField(
        label=gettext_lazy("Ends on"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Empty: the same day."),
    )
    department = forms.ChoiceField(
        label=gettext_lazy("Department"), choices=[("", "—"), *Department.choices]
    )
    municipality = forms.CharField(label=gettext_lazy("Municipality"), max_length=100)
    venue = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    region = forms.ChoiceField(
        label=gettext_lazy("Zone"),
        choices=[("", gettext_lazy("The department's zone")), *Region.choices],
        required=False,
    )
    centres = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Supporting centres"),
        queryset=Dependency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    attendance = forms.IntegerField(
        label=gettext_lazy("Attendance"), min_value=0, max_value=10_000_000, required=False
    )
    services = forms.IntegerField(
        label=gettext_lazy("Services given"), min_value=0, max_value=10_000_000, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mechanism_field = self.fields["mechanism"]
        assert isinstance(mechanism_field, forms.ModelChoiceField)
        mechanism_field.queryset = Mechanism.objects.filter(is_active=True, has_events=True)
        centres_field = self.fields["centres"]
        assert isinstance(centres_field, forms.ModelMultipleChoiceField)
        centres_field.queryset = Dependency.objects.care_centres().active().order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if isinstance(start, date):
            if end is None:
                data["ends_on"] = start
            elif isinstance(end, date) and end < start:
                self.add_error("ends_on", _("The event ends before it starts."))
            if start > timezone.localdate():
                self.add_error("starts_on", _("An event is recorded once it has taken place."))
        department, name = data.get("department"), data.get("municipality")
        if department and name:
            wanted = municipality_key(name, department)
            match = next(
                (
                    m
                    for m in Municipality.objects.filter(department=department)
                    if municipality_key(m.name, m.department) == wanted
                ),
                None,
            )
            if match is None:
                self.add_error("municipality", _("No such municipality in that department."))
            else:
                data["municipality"] = match
        return data


class ImportForm(AccessibleForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("XLSX or CSV (UTF-8), with the header in the first row."),
    )


class FiguresForm(AccessibleForm):
    on = dates.DateField(label=gettext_lazy("As of"), widget=DATE)
    followers = forms.IntegerField(
        label=gettext_lazy("Followers or subscribers"), min_value=0, max_value=2_000_000_000
    )
    posts = forms.IntegerField(
        label=gettext_lazy("Posts"), min_value=0, max_value=2_000_000_000, required=False
    )
    views = forms.IntegerField(
        label=gettext_lazy("Views"), min_value=0, max_value=2_000_000_000, required=False
    )
    interactions = forms.IntegerField(
        label=gettext_lazy("Interactions since the previous record"),
        min_value=0,
        max_value=2_000_000_000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension, bands in AUDIENCE_BANDS.items():
            for band, label in bands.items():
                self.fields[f"{dimension}_{band}"] = forms.DecimalField(
                    label=f"{label} (%)",
                    min_value=Decimal(0),
                    max_value=Decimal(100),
                    decimal_places=2,
                    required=False,
                )

    def clean_on(self) -> date:
        day = self.cleaned_data["on"]
        assert isinstance(day, date)
        if day > timezone.localdate():
            raise forms.ValidationError(_("Figures are recorded for a day that has passed."))
        return day

    def audience(self) -> dict[str, dict[str, Decimal]]:
        result: dict[str, dict[str, Decimal]] = {}
        for dimension, bands in AUDIENCE_BANDS.items():
            for band in bands:
                value = self.cleaned_data.get(f"{dimension}_{band}")
                if value is not None:
                    result.setdefault(dimension, {})[band] = value
        return result

    def audience_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(("sex_", "age_"))]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("on", "followers", "posts", "views", "interactions")]


class GrowthForm(forms.Form):
    date_from = dates.DateField(label=gettext_lazy("From"), widget=DATE)
    date_to = dates.DateField(label=gettext_lazy("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class MediumForm(forms.ModelForm[InformationMedium]):
    class Meta:
        model = InformationMedium
        fields = ["kind", "name", "dependency", "quantity", "description", "since", "until"]
        widgets = {
            "since": DATE,
            "until": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dependency = self.fields["dependency"]
        assert isinstance(dependency, forms.ModelChoiceField)
        dependency.queryset = Dependency.objects.care_centres().active().order_by("name")
        for name in ("since", "until"):
            self.fields[name] = dates.DateField(
                label=self.fields[name].label, widget=DATE, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, date) and isinstance(until, date) and until <= since:
            self.add_error("until", _("It is withdrawn before it was put in place."))
        return data


class MechanismForm(forms.ModelForm[Mechanism]):
    class Meta:
        model = Mechanism
        fields = ["name", "objective", "requirements", "location", "source", "is_active"]
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 2}),
            "location": forms.Textarea(attrs={"rows": 2}),
        }
