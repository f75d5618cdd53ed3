"""What a person types into the media archive's pages, checked field by field (messages in
their language): a new news item, the list's filters, the analysis' period, and the case made
from an item."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.catalogues.models import OpinionType
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.media.actions import NewNewsItem, check_clip
from enlace.media.models import MediaTopic, Medium, Outlet, Tone
from enlace.media.queries import NewsFilters


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _centre_input() -> forms.TextInput:
    return forms.TextInput(attrs={"list": "dependency-options", "autocomplete": "off"})


def _centre(value: str, *, required: bool) -> Dependency | None:
    value = value.strip()
    if not value:
        if required:
            raise ValidationError(_("Give the centre."), code="required")
        return None
    dependency = resolve_dependency(value)
    if dependency is None:
        raise ValidationError(
            _("There is no centre called “%(value)s”. Choose one from the list."),
            params={"value": value},
        )
    return dependency


class NewsItemForm(forms.Form):
    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=Outlet.objects.none(), to_field_name="code"
    )
    medium = forms.ChoiceField(
        label=_("Type of medium"),
        required=False,
        help_text=_("Leave it as the outlet's unless it was published elsewhere (its website)."),
    )
    published_on = dates.DateField(label=_("Published on"), widget=_date_input())
    headline = forms.CharField(label=_("Headline"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    clip = forms.FileField(
        label=_("Clipping or recording"),
        required=False,
        help_text=_("A PDF, an image, or an audio or video recording."),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=MediaTopic.objects.none(), to_field_name="code"
    )
    tone = forms.ChoiceField(label=_("Tone"), choices=Tone.choices, widget=forms.RadioSelect)
    dependency = forms.CharField(
        label=_("Centre mentioned"), required=False, max_length=250, widget=_centre_input()
    )
    authority = forms.CharField(label=_("Authority mentioned"), required=False, max_length=200)
    spokesperson = forms.CharField(label=_("Spokesperson"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = Outlet.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = MediaTopic.objects.active()  # type: ignore[attr-defined]
        self.fields["medium"].choices = [("", _("As the outlet's")), *Medium.choices]  # type: ignore[attr-defined]

    def clean_published_on(self) -> date:
        value: date = self.cleaned_data["published_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The publication date is in the future."))
        return value

    def clean_dependency(self) -> Dependency | None:
        return _centre(self.cleaned_data["dependency"], required=False)

    def clean_clip(self) -> Any:
        upload = self.cleaned_data.get("clip")
        if upload:
            try:
                check_clip(upload)
            except BusinessError as error:
                raise ValidationError(str(error), code=error.code) from None
        return upload

    def new_item(self) -> NewNewsItem:
        data = self.cleaned_data
        return NewNewsItem(
            outlet=data["outlet"],
            medium=data["medium"] or "",
            published_on=data["published_on"],
            headline=data["headline"],
            summary=data["summary"],
            url=data["url"],
            topic=data["topic"],
            tone=data["tone"],
            dependency=data["dependency"],
            authority=data["authority"],
            spokesperson=data["spokesperson"],
            clip=data["clip"] or None,
        )


class FilterForm(forms.Form):
    """The list's filters. A value that does not validate is shown as the field's error and
    left out of the filter; it never makes an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=Outlet.objects.none(), required=False, to_field_name="code"
    )
    medium = forms.ChoiceField(label=_("Type of medium"), required=False)
    tone = forms.ChoiceField(label=_("Tone"), required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=MediaTopic.objects.none(), required=False, to_field_name="code"
    )
    dependency = forms.CharField(
        label=_("Centre mentioned"), required=False, max_length=250, widget=_centre_input()
    )
    date_from = dates.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = dates.DateField(label=_("To"), required=False, widget=_date_input())
    caso = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["outlet"].queryset = Outlet.objects.all()  # type: ignore[attr-defined]
        self.fields["topic"].queryset = MediaTopic.objects.all()  # type: ignore[attr-defined]
        self.fields["medium"].choices = [*blank, *Medium.choices]  # type: ignore[attr-defined]
        self.fields["tone"].choices = [*blank, *Tone.choices]  # type: ignore[attr-defined]
        for name in ("outlet", "topic"):
            self.fields[name].empty_label = _("All")  # type: ignore[attr-defined]

    def clean_dependency(self) -> Dependency | None:
        return _centre(self.cleaned_data["dependency"], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data

    def filters(self) -> NewsFilters:
        """The valid filters; a field that did not validate is left out."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return NewsFilters(
            text=data.get("q") or "",
            outlet_id=data["outlet"].pk if data.get("outlet") else None,
            medium=data.get("medium") or "",
            tone=data.get("tone") or "",
            topic_id=data["topic"].pk if data.get("topic") else None,
            dependency_id=data["dependency"].pk if data.get("dependency") else None,
            published_from=data.get("date_from"),
            published_to=data.get("date_to"),
            case_id=data.get("caso"),
        )


class PeriodForm(forms.Form):
    """The analysis' period: both dates, within Enlace's dates, the end not before the start.
    The page answers 400 with the fields' errors."""

    date_from = dates.DateField(label=_("From"), widget=_date_input())
    date_to = dates.DateField(label=_("To"), widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data


class MakeCaseForm(forms.Form):
    """The case a news item becomes: its type of opinion and the centre it is about (the one
    the item mentions, unless the person says another)."""

    opinion_type = forms.ModelChoiceField(
        label=_("Opinion type"), queryset=OpinionType.objects.none(), to_field_name="code"
    )
    dependency = forms.CharField(
        label=_("Centre"), max_length=250, required=False, widget=_centre_input()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opinion_type"].queryset = OpinionType.objects.active()  # type: ignore[attr-defined]

    def clean_dependency(self) -> Dependency | None:
        return _centre(self.cleaned_data["dependency"], required=True)
