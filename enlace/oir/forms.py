"""What a person typed, parsed and validated (messages in their language). Rules that need the
stored request (deadlines, grounds in force) are the actions' to check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.channels import attachments
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.core.forms import AccessibleForm
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.oir.actions import UnitFile
from enlace.oir.models import (
    Appeal,
    AppealKind,
    AppealOutcome,
    ConfidentialGround,
    DeliveryMode,
    Gender,
    IdentityDocument,
    InformationRequest,
    NotificationMedium,
    NotifyBy,
    Outcome,
    PersonType,
    RequestChannel,
    RequestItem,
    ReservedEntry,
    UnitFinding,
)

DESCRIPTION_MAX = 10_000


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class RequesterFields(forms.Form):
    """Who asks and where they are notified: the same on the portal and at the desk."""

    requester_name = forms.CharField(
        label=_("Full name (or name of the juridical person)"),
        max_length=200,
        error_messages={"required": _("Write the requester's name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    person_type = forms.ChoiceField(
        label=_("Person"), choices=PersonType.choices, initial=PersonType.NATURAL
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNSTATED)
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=IdentityDocument.choices, initial=IdentityDocument.DUI
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=30,
        error_messages={"required": _("Write the number of the identity document.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    notify_by = forms.ChoiceField(
        label=_("Where to be notified"),
        choices=NotifyBy.choices,
        initial=NotifyBy.EMAIL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say where you are to be notified.")},
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    description = forms.CharField(
        label=_("Information requested"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe clearly the information requested.")},
    )
    delivery_mode = forms.ChoiceField(
        label=_("How you prefer to receive it (optional)"),
        choices=_blank(_("No preference")) + list(DeliveryMode.choices),
        required=False,
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        notify_by = data.get("notify_by")
        if notify_by == NotifyBy.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Write the e-mail where you are to be notified."))
        if notify_by == NotifyBy.ADDRESS and not str(data.get("address", "")).strip():
            self.add_error("address", _("Write the address where you are to be notified."))
        return data


class PublicRequestForm(AccessibleForm, RequesterFields):
    """The portal's filing form; never asks why the information is wanted."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    # The honeypot, as on the portal's other form: a robot fills it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    hints = {
        "description": _(
            "Say as clearly as you can which documents or data you need, and of which period. "
            "You do not have to say why you want them."
        ),
        "document_number": _("The DUI as 00000000-0; a passport or residence card as printed."),
        "email": _("We will send you the receipt and the resolution."),
    }

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class TrackRequestForm(AccessibleForm):
    """A requester looks up their request: its number and something only they know."""

    number = forms.CharField(
        label=_("Request number"),
        max_length=20,
        error_messages={"required": _("Enter the number of your request.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    factor = forms.CharField(
        label=_("Your e-mail or identity document number"),
        max_length=254,
        error_messages={"required": _("Enter the e-mail or document number you gave.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    hints = {
        "number": _("The number on your receipt, for example OIR-2026-0001."),
        "factor": _("The e-mail or the number of the identity document you gave in the request."),
    }


class IntakeForm(RequesterFields):
    """The officer's transcription of a request made in person or by e-mail."""

    channel = forms.ChoiceField(
        label=_("Received"),
        choices=[(c, label) for c, label in RequestChannel.choices if c != RequestChannel.PORTAL],
        initial=RequestChannel.IN_PERSON,
    )
    received_at = dates.DateTimeField(
        label=_("Date and time of receipt"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    source_case = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_received_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("received_at")
        if value is not None and value > timezone.now():
            raise ValidationError(_("The date of receipt is in the future."))
        return value


class RequestActionForm(forms.Form):
    """A form of a step on a request: the view passes the request, which forms that offer a
    choice among its items or appeals use, and the others ignore."""

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ItemChoiceForm(RequestActionForm):
    """A form about one item of the request (the item's id travels in a hidden field)."""

    item = forms.ModelChoiceField(queryset=RequestItem.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        self.fields["item"].queryset = request.items.all()  # type: ignore[attr-defined]


class AddItemForm(RequestActionForm):
    description = forms.CharField(
        label=_("Information of the new item"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the information of this item.")},
    )


class EditItemForm(ItemChoiceForm):
    description = forms.CharField(
        label=_("Information requested"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SendItemForm(ItemChoiceForm):
    dependency = forms.CharField(
        label=_("Unit that holds the information"),
        widget=forms.TextInput(attrs={"list": "dependency-options", "autocomplete": "off"}),
    )
    internal_due_on = dates.DateField(label=_("Internal due date"), widget=_date_input())

    def clean_dependency(self) -> Dependency:
        value = self.cleaned_data["dependency"]
        dependency = resolve_dependency(value)
        if dependency is None:
            raise ValidationError(
                _("There is no unit called “%(value)s”. Choose one from the list."),
                params={"value": value},
            )
        return dependency


class EntryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.legal_article} · {obj.dependency.name}"


class DecideForm(ItemChoiceForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=_blank("—") + list(Outcome.choices))
    answer = forms.CharField(
        label=_("Answer: what is delivered, how it was searched for"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reserved_entry = EntryChoiceField(
        label=_("Entry of the index of reserved information"),
        queryset=ReservedEntry.objects.none(),
        required=False,
    )
    confidential_ground = forms.ChoiceField(
        label=_("Confidentiality ground"),
        choices=_blank("—") + list(ConfidentialGround.choices),
        required=False,
    )
    referral = forms.CharField(
        label=_("Referred to (institution that holds it)"), required=False, max_length=300
    )

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        today = timezone.localdate()
        self.fields["reserved_entry"].queryset = (  # type: ignore[attr-defined]
            ReservedEntry.objects.filter(classified_on__lte=today)
            .exclude(declassified_on__lte=today)
            .select_related("dependency")
            .order_by("reference")
        )


class UnitAnswerForm(forms.Form):
    finding = forms.ChoiceField(
        label=_("Finding"), choices=UnitFinding.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the information, or how and where it was searched for."),
    )
    file = forms.FileField(label=_("File with the information (optional)"), required=False)

    def clean_file(self) -> UnitFile | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        limit = settings.ATTACHMENT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _("%(name)s is larger than %(limit)s.")
                % {"name": upload.name, "limit": filesizeformat(limit)}
            )
        content = upload.read()
        try:
            content_type = attachments.check(content, upload.name or "archivo")
        except BusinessError as error:
            raise ValidationError(str(error)) from error
        return UnitFile(name=upload.name or "archivo", content=content, content_type=content_type)


class OldInformationForm(RequestActionForm):
    old_information = forms.BooleanField(
        label=_("The information is more than five years old (20 business days)"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ClarificationForm(RequestActionForm):
    question = forms.CharField(
        label=_("What the requester must clarify"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the requester must clarify.")},
    )


class ClarificationAnswerForm(RequestActionForm):
    answer = forms.CharField(
        label=_("The requester's answer"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the requester's answer.")},
    )
    answered_on = dates.DateField(label=_("Answered on"), widget=_date_input())

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        self.fields["answered_on"].initial = timezone.localdate()


class ExtensionForm(RequestActionForm):
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the extension.")},
    )


class ResolveForm(RequestActionForm):
    notes = forms.CharField(
        label=_("Other considerations (optional)"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    publish = forms.BooleanField(label=_("Publish in the public register"), required=False)
    public_summary = forms.CharField(
        label=_("Public summary, without personal data"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EmptyForm(RequestActionForm):
    """A step that asks for nothing but the confirming click."""


class NotificationForm(RequestActionForm):
    medium = forms.ChoiceField(
        label=_("Medium"),
        choices=[(c, label) for c, label in NotificationMedium.choices],
    )
    notified_on = dates.DateField(label=_("Notified on"), widget=_date_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        self.fields["notified_on"].initial = timezone.localdate()


class PublishForm(RequestActionForm):
    published = forms.BooleanField(label=_("In the public register"), required=False)
    public_summary = forms.CharField(
        label=_("Public summary, without personal data"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealForm(RequestActionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices)
    case_number = forms.CharField(label=_("IAIP case number"), max_length=40)
    filed_on = dates.DateField(label=_("Filed on"), widget=_date_input())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=DESCRIPTION_MAX)


class AppealDecisionForm(RequestActionForm):
    appeal: forms.ModelChoiceField[Appeal] = forms.ModelChoiceField(
        queryset=Appeal.objects.none(), widget=forms.HiddenInput
    )
    outcome = forms.ChoiceField(label=_("IAIP decision"), choices=AppealOutcome.choices)
    decided_on = dates.DateField(label=_("Decided on"), widget=_date_input())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=DESCRIPTION_MAX)

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        self.fields["appeal"].queryset = request.appeals.all()  # type: ignore[attr-defined]


class ReservedEntryForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=30)
    information = forms.CharField(
        label=_("Information reserved"), widget=forms.Textarea(attrs={"rows": 2})
    )
    dependency = forms.CharField(
        label=_("Unit"),
        widget=forms.TextInput(attrs={"list": "dependency-options", "autocomplete": "off"}),
    )
    legal_article = forms.CharField(
        label=_("Legal ground (article)"),
        max_length=120,
        help_text=_("For example: Art. 19 lit. e LAIP."),
    )
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}))
    classified_on = dates.DateField(label=_("Classified on"), widget=_date_input())
    period_years = forms.IntegerField(label=_("Period (years)"), min_value=1, max_value=7)

    def clean_dependency(self) -> Dependency:
        value = self.cleaned_data["dependency"]
        dependency = resolve_dependency(value)
        if dependency is None:
            raise ValidationError(
                _("There is no unit called “%(value)s”. Choose one from the list."),
                params={"value": value},
            )
        return dependency


class DeclassifyForm(forms.Form):
    declassified_on = dates.DateField(label=_("Declassified on"), widget=_date_input())


class PeriodForm(forms.Form):
    date_from = dates.DateField(label=_("From"), widget=_date_input())
    date_to = dates.DateField(label=_("To"), widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The period ends before it starts."))
        return data
