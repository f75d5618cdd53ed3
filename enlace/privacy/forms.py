"""The forms of data protection: the officer's searches and steps, and the people's request.
Identifiers are normalised as every app stores them (enlace/core/identifiers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core import dates
from enlace.core.identifiers import normalise_dui, normalise_phone
from enlace.privacy.models import RightKind, SubjectRequestChannel
from enlace.privacy.registry import Identifiers


def _normalised_dui(value: str) -> str:
    return normalise_dui(value) if value.strip() else ""


def _normalised_phone(value: str) -> str:
    return normalise_phone(value) if value.strip() else ""


NO_IDENTIFIER = _(
    "Give a DUI, an e-mail or a phone: without one, the person's data cannot be found."
)


class PersonFields(forms.Form):
    dui = forms.CharField(label=_("DUI"), required=False, max_length=12)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)

    def clean_dui(self) -> str:
        return _normalised_dui(self.cleaned_data["dui"])

    def clean_phone(self) -> str:
        return _normalised_phone(self.cleaned_data["phone"])

    def identifiers(self) -> Identifiers:
        data = self.cleaned_data
        return Identifiers(
            dui=data.get("dui", ""),
            email=(data.get("email") or "").lower(),
            phone=data.get("phone", ""),
        )


class AccessSearchForm(PersonFields):
    """The access log, by the person whose data was seen, or by the user who saw it."""

    username = forms.CharField(label=_("User"), required=False, max_length=150)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("dui") or data.get("email") or data.get("phone") or data.get("username")):
            raise ValidationError(_("Search by a person's DUI, e-mail or phone, or by a user."))
        return data


class SubjectRequestForm(PersonFields):
    """A request over one's data, registered by staff (in person, by letter, by e-mail)."""

    kind = forms.ChoiceField(label=_("Right"), choices=RightKind.choices)
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[c for c in SubjectRequestChannel.choices if c[0] != SubjectRequestChannel.PORTAL],
    )
    requester_name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 4})
    )
    received_at = dates.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_received_at(self) -> datetime:
        value: datetime = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise ValidationError(_("The date of receipt is in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("dui") or data.get("email") or data.get("phone")) and not self.errors:
            raise ValidationError(NO_IDENTIFIER)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the person"), widget=forms.Textarea(attrs={"rows": 5})
    )


class IdsField(forms.Field):
    """The ids of the records ticked (several `ids` values)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if not all(str(item).isdigit() and len(str(item)) < 19 for item in values):
            raise ValidationError(_("Choose among the records found for this person."))
        return [int(item) for item in values]

    def validate(self, value: Any) -> None:
        if not value:
            raise ValidationError(_("Tick the records this is about."))


class RecordsForm(forms.Form):
    """Which records of one holder a rectification or a cancellation is about."""

    holder = forms.CharField(widget=forms.HiddenInput, max_length=40)
    ids = IdsField()

    def record_ids(self) -> list[int]:
        return list(self.cleaned_data["ids"])


class RectifyForm(RecordsForm):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    dui = forms.CharField(label=_("DUI"), required=False, max_length=12)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)

    def clean_dui(self) -> str:
        return _normalised_dui(self.cleaned_data["dui"])

    def clean_phone(self) -> str:
        return _normalised_phone(self.cleaned_data["phone"])

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("name", "dui", "email", "phone")}


class BreachForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    discovered_at = dates.DateTimeField(
        label=_("Discovered at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4})
    )
    data_affected = forms.CharField(
        label=_("Data affected"), widget=forms.Textarea(attrs={"rows": 2})
    )
    people_affected = forms.IntegerField(label=_("People affected"), min_value=0, max_value=10**8)
    measures = forms.CharField(
        label=_("Measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BreachNoticeForm(forms.Form):
    authority = forms.BooleanField(label=_("The authority was told"), required=False)
    people = forms.BooleanField(label=_("The people affected were told"), required=False)
    at = dates.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
