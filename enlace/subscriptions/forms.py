"""What a person types to subscribe: the report, how often, and the centre of a centre's
report (fixed to their own for a liaison)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.subscriptions import registry
from enlace.subscriptions.actions import Choice
from enlace.subscriptions.rules import Frequency


class SubscribeForm(forms.Form):
    report = forms.ChoiceField(label=_("Report"))
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        help_text=_("Each report covers the month, quarter or semester just ended."),
    )
    centre = forms.CharField(
        label=_("Centre"),
        required=False,
        max_length=250,
        help_text=_("Only for a centre's report."),
        widget=forms.TextInput(attrs={"list": "dependency-options", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, fixed_centre: Dependency | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offered = registry.offered_to(user)
        self.fields["report"].choices = [(r.key, r.label) for r in offered]  # type: ignore[attr-defined]
        self.needs_centre = {r.key for r in offered if r.needs_centre}
        self.fixed_centre = fixed_centre
        if fixed_centre is not None:
            self.fields["centre"].disabled = True
            self.fields["centre"].initial = fixed_centre.label
            self.fields["centre"].help_text = _("Your centre's report is of your own centre.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("report") not in self.needs_centre:
            data["centre"] = None
        elif self.fixed_centre is not None:
            data["centre"] = self.fixed_centre
        elif "centre" in data:
            text = data["centre"] or ""
            centre = resolve_dependency(text)
            if not text.strip():
                self.add_error("centre", _("Choose the centre of this report."))
            elif centre is None:
                self.add_error(
                    "centre",
                    _("There is no centre called “%(value)s”. Choose one from the list.")
                    % {"value": text},
                )
            data["centre"] = centre
        return data

    def choice(self) -> Choice:
        data = self.cleaned_data
        return Choice(data["report"], data["frequency"], data.get("centre"))
