"""Forms of the call log: its filters and the agent's wrap-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User
from enlace.callcentre.models import WrapUp
from enlace.callcentre.queries import CONSOLE_ROLES
from enlace.core import dates


class CallFilterForm(forms.Form):
    """Invalid values are dropped, never an error page."""

    date_from = dates.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = dates.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="username",
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role__in=CONSOLE_ROLES
        ).order_by("username")

    def valid_data(self) -> dict[str, Any]:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v}


class WrapUpForm(forms.Form):
    wrap_up = forms.ChoiceField(label=_("How the call ended"), choices=WrapUp.choices)
    wrap_up_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
