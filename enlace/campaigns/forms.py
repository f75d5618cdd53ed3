"""The campaigns' forms: parse what was typed; the actions decide what is allowed."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User
from enlace.campaigns import rules
from enlace.campaigns.models import DoNotCallReason, Outcome, Purpose
from enlace.cases.permissions import ROLE_CAPABILITIES, Capability
from enlace.core import dates
from enlace.surveys.forms import CHOOSE, DependencyField
from enlace.surveys.models import Study, StudyStatus

WEEKDAYS = {
    "lun": 0, "mar": 1, "mie": 2, "mié": 2, "jue": 3, "vie": 4, "sab": 5, "sáb": 5, "dom": 6,
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
WEEKDAY_CODES = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
WINDOW_LINE = re.compile(
    r"^\s*(?P<days>[^\s\d]+(?:\s*-\s*[^\s\d]+)?)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*"
    r"(?P<closes>\d{1,2}:\d{2})\s*$"
)


def windows_text(windows: list[rules.Window]) -> str:
    return "\n".join(
        f"{WEEKDAY_CODES[w.weekday]} {w.opens:%H:%M}-{w.closes:%H:%M}" for w in windows
    )


def parse_windows(text: str) -> list[rules.Window]:
    """Lines such as "lun-vie 07:30-16:30" or "sáb 08:00-12:00"."""
    windows: list[rules.Window] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = WINDOW_LINE.match(line.lower())
        days = found.group("days").replace(" ", "").split("-") if found else []
        if not found or any(day not in WEEKDAYS for day in days):
            raise forms.ValidationError(
                _("Line %(line)s: write the days and hours as “lun-vie 07:30-16:30”."),
                params={"line": number},
            )
        try:
            opens = time.fromisoformat(found.group("opens").zfill(5))
            closes = time.fromisoformat(found.group("closes").zfill(5))
        except ValueError:
            raise forms.ValidationError(
                _("Line %(line)s: the hours are not valid."), params={"line": number}
            ) from None
        if closes <= opens:
            raise forms.ValidationError(
                _("Line %(line)s: a window must close after it opens."), params={"line": number}
            )
        first, last = WEEKDAYS[days[0]], WEEKDAYS[days[-1]]
        if last < first:
            raise forms.ValidationError(
                _("Line %(line)s: the days go from Monday to Sunday."), params={"line": number}
            )
        windows += [rules.Window(day, opens, closes) for day in range(first, last + 1)]
    if not windows:
        raise forms.ValidationError(_("Give at least one calling window."))
    return windows


def callers() -> Any:
    """The users who may call out, for the campaign's agents."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.CALL_OUT in caps]
    return User.objects.filter(is_active=True, role__in=roles).order_by("first_name", "username")


class AgentsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username  # type: ignore[no-any-return]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=CHOOSE + Purpose.choices)
    requested_by = DependencyField(
        label=_("Requested by"),
        required=False,
        help_text=_("The dependency that asked for it; empty if it is the unit's own initiative."),
    )
    starts_on = dates.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = dates.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    script = forms.CharField(
        label=_("Script"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What the agent says. {nombre} and any column of the list in braces are filled in "
            "with the contact's values ({fecha_cita}, {lugar})."
        ),
    )
    study = forms.ModelChoiceField(
        label=_("Study (survey campaigns)"),
        queryset=Study.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    windows = forms.CharField(
        label=_("Calling hours"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per days and hours, as “lun-vie 07:30-16:30”; holidays are skipped."),
    )
    priority = forms.IntegerField(label=_("Priority (1-9)"), min_value=1, max_value=9, initial=5)
    max_attempts = forms.IntegerField(
        label=_("Maximum attempts per contact"), min_value=1, max_value=20, initial=5
    )
    retry_busy_minutes = forms.IntegerField(
        label=_("Call again after busy (minutes)"), min_value=0, max_value=10_080, initial=30
    )
    retry_no_answer_minutes = forms.IntegerField(
        label=_("Call again after no answer (minutes)"), min_value=0, max_value=10_080, initial=120
    )
    retry_voicemail_minutes = forms.IntegerField(
        label=_("Call again after voicemail (minutes)"), min_value=0, max_value=10_080, initial=240
    )
    agents = AgentsField(
        label=_("Agents"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every agent of the call centre."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = Study.objects.filter(  # type: ignore[attr-defined]
            status=StudyStatus.FIELDWORK
        ).order_by("name")
        self.fields["agents"].queryset = callers()  # type: ignore[attr-defined]
        if not self.is_bound and "windows" not in self.initial:
            self.initial["windows"] = "lun-vie 07:30-16:30"

    def clean_windows(self) -> list[rules.Window]:
        return parse_windows(str(self.cleaned_data["windows"]))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("List (CSV or XLSX)"),
        help_text=_(
            "Columns: nombre, telefono; optional telefono2, dui, afiliacion, prioridad; any "
            "other column is kept for the script."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and give back the invalid ones"),
        required=False,
        help_text=_("Unticked, a single invalid row stops the whole list."),
    )


DAY_AND_HOUR = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _typed_moment() -> forms.TextInput:
    """A day and hour typed as people write them (keyboard first: no picker to open)."""
    return forms.TextInput(
        attrs={"placeholder": "dd/mm/aaaa hh:mm", "autocomplete": "off", "inputmode": "numeric"}
    )


class OutcomeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("How did the call go?"),
        choices=Outcome.choices,
        # The first choice takes the focus: arrows choose, Enter saves and takes the next call.
        widget=forms.RadioSelect(attrs={"autofocus": True}),
    )
    rescheduled_to = dates.DateTimeField(
        label=_("New date of the appointment"),
        required=False,
        widget=_typed_moment(),
        input_formats=DAY_AND_HOUR,
    )
    call_back_at = dates.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=_typed_moment(),
        input_formats=DAY_AND_HOUR,
    )
    phone = forms.CharField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DoNotCallForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    dui = forms.CharField(label=_("DUI"), max_length=12, required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=DoNotCallReason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
