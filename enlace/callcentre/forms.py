"""Forms of the call log: its filters and the agent's wrap-up; the management figures' period
and agent, and the supervisor's targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User
from enlace.callcentre.models import (
    UNITS,
    USUALLY_BETTER,
    Better,
    Indicator,
    Unit,
    WrapUp,
)
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


def _console_users() -> Any:
    return User.objects.filter(role__in=CONSOLE_ROLES).order_by("username")


class FiguresForm(forms.Form):
    """The figures' period (both dates required, within Enlace's dates, the end not before the
    start) and, for who may pick one, an agent. Errors are the fields' own, in the request's
    language; the page answers 400 with them."""

    date_from = dates.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = dates.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="username",
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, pick_agent: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pick_agent:
            self.fields["agent"].queryset = _console_users()  # type: ignore[attr-defined]
        else:
            del self.fields["agent"]  # an agent's own figures: no one else to pick

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data


class TargetForm(forms.Form):
    """A target from a date on (the same indicator and date again replaces it). Left empty,
    "better when" is the indicator's usual direction (a service level is better higher, a
    waiting time lower)."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    target = forms.DecimalField(
        label=_("Target"), max_digits=8, decimal_places=2, min_value=Decimal(0)
    )
    better = forms.ChoiceField(
        label=_("Better when"),
        choices=[("", _("As usual for the indicator")), *Better.choices],
        required=False,
    )
    valid_from = dates.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator, target = data.get("indicator"), data.get("target")
        if indicator in Indicator.values and not data.get("better"):
            data["better"] = USUALLY_BETTER[indicator]
        if (
            indicator in Indicator.values
            and UNITS[indicator] == Unit.PERCENT
            and isinstance(target, Decimal)
            and target > 100
        ):
            self.add_error("target", _("A percentage is at most 100."))
        return data
