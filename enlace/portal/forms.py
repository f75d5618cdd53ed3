"""The portal's forms: what a citizen typed, parsed and validated, messages in their language."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enlace.cases.lifecycle import CaseKind
from enlace.cases.rules import normalise_dui, normalise_phone, normalise_tracking_code
from enlace.catalogues.models import InquiryTopic, OpinionType
from enlace.channels import attachments
from enlace.core.errors import BusinessError
from enlace.core.forms import AccessibleForm
from enlace.directory.models import Dependency, LevelOfCare
from enlace.portal.actions import Upload
from enlace.portal.models import Satisfaction
from enlace.privacy.models import RightKind

# What a citizen may send, in the order the form offers them; "consulta" is an inquiry, the
# others are opinion types of the catalogue (those inactive there are left out).
CHOICE_ORDER = ("reclamo", "queja", "sugerencia", "denuncia", "peticion", "felicitacion")
INQUIRY = "consulta"
DENUNCIA = "denuncia"  # may be sent with no way to answer: a report of wrongdoing
CHOICE_HINTS: dict[str, StrOrPromise] = {
    "reclamo": _("A right or a service you did not receive."),
    "queja": _("About how you were treated or how staff behaved."),
    "sugerencia": _("An idea or a comment to improve the service."),
    "denuncia": _("A report of wrongdoing. You may send it anonymously."),
    "peticion": _("A request to the institute."),
    "felicitacion": _("To thank or praise a person or a service."),
    INQUIRY: _("A question about services, appointments, procedures or benefits."),
}
MAX_FILES = 3
ACCEPTED = "image/jpeg,image/png,image/webp,image/gif,image/heic,application/pdf"
DESCRIPTION_MAX = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to MAX_FILES files from one input; each is checked by its content in `clean`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Upload]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)s files.") % {"count": MAX_FILES}, code="too_many"
            )
        return [_checked(f) for f in files]


def _checked(upload: UploadedFile[Any]) -> Upload:
    name = upload.name or "adjunto"
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:  # refused before it is read
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="attachment_size",
        )
    content = upload.read()
    try:
        content_type = attachments.check(content, name)
    except BusinessError as error:
        raise ValidationError(str(error), code=error.code) from error
    if not (content_type.startswith("image/") or content_type == "application/pdf"):
        raise ValidationError(
            _("%(name)s is not a photo or a PDF.") % {"name": name}, code="attachment_type"
        )
    return Upload(name=name, content=content)


def _centre_choices() -> list[tuple[str, Any]]:
    centres = Dependency.objects.active().care_centres().order_by("name")
    groups: dict[str, list[tuple[str, str]]] = {level: [] for level in LevelOfCare.values}
    for centre in centres.only("code", "name", "level_of_care"):
        groups.setdefault(centre.level_of_care, []).append((centre.code, centre.name))
    labels = dict(LevelOfCare.choices)
    return [("", _("Choose the centre"))] + [
        (str(labels.get(level, level)), options) for level, options in groups.items() if options
    ]


class SubmitForm(AccessibleForm):
    what = forms.ChoiceField(
        label=_("What would you like to send?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you would like to send.")},
    )
    dependency = forms.ChoiceField(label=_("Care centre"), required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic (optional)"),
        queryset=InquiryTopic.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Other or I don't know"),
    )
    description = forms.CharField(
        label=_("Tell us what happened or what you need"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Tell us what happened or what you need.")},
    )
    attachments = MultipleFileField(label=_("Photos or PDF documents (optional)"), required=False)
    anonymous = forms.BooleanField(label=_("I want to remain anonymous"), required=False)
    name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    dui = forms.CharField(
        label=_("DUI"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)
    # The honeypot: hidden from people and screen readers; a robot fills it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    hints = {
        "dependency": _(
            "The hospital, medical unit or clinic it is about. Optional for an inquiry."
        ),
        "topic": _("If you are not sure, leave it as it is."),
        "description": _("Include dates, places and names if you know them."),
        "anonymous": _(
            "We will not keep your name or contact details. You will receive a key to follow "
            "your case; we cannot contact you."
        ),
        "dui": _("Eight digits, a dash and the check digit: 00000000-0."),
        "phone": _("Eight digits, for example 7123-4567."),
        "email": _("We will send you the tracking code and the answer."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = {t.code: t for t in OpinionType.objects.active().filter(code__in=CHOICE_ORDER)}
        what = self.fields["what"]
        assert isinstance(what, forms.ChoiceField)
        self.what_choices: list[tuple[str, str]] = [
            (code, types[code].name) for code in CHOICE_ORDER if code in types
        ] + [(INQUIRY, str(CaseKind.INQUIRY.label))]
        what.choices = self.what_choices
        dependency = self.fields["dependency"]
        assert isinstance(dependency, forms.ChoiceField)
        dependency.choices = _centre_choices()
        self.fields["topic"].queryset = InquiryTopic.objects.active().exclude(code="otro")  # type: ignore[attr-defined]
        limit = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        self.fields["attachments"].help_text = _(
            "Up to %(count)s files, photos (JPEG, PNG) or PDF, of at most %(limit)s each."
        ) % {"count": MAX_FILES, "limit": limit}

    def what_hints(self) -> list[tuple[str, str, StrOrPromise]]:
        return [(code, label, CHOICE_HINTS.get(code, "")) for code, label in self.what_choices]

    def clean_dui(self) -> str:
        value: str = self.cleaned_data["dui"].strip()
        return normalise_dui(value) if value else ""

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        return normalise_phone(value) if value else ""

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        what = data.get("what")
        if what and what != INQUIRY and not data.get("dependency"):
            self.add_error("dependency", _("Choose the centre your message is about."))
        if data.get("anonymous"):
            for name in ("name", "dui", "phone", "email"):
                data[name] = ""
                self.errors.pop(name, None)
        elif (
            what
            and what != DENUNCIA
            and not data.get("email")
            and not data.get("phone")
            and "email" not in self.errors
            and "phone" not in self.errors
        ):
            self.add_error(
                "email",
                _(
                    "Give an email or a phone so that we can answer you, or tick "
                    "“I want to remain anonymous”."
                ),
            )
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def payload(self, clave_hash: str) -> dict[str, Any]:
        data = self.cleaned_data
        inquiry = data["what"] == INQUIRY
        return {
            "version": 1,
            "kind": CaseKind.INQUIRY if inquiry else CaseKind.OPINION,
            "opinion_type": None if inquiry else data["what"],
            "topic": data["topic"].code if inquiry and data.get("topic") else None,
            "dependency": data.get("dependency") or None,
            "description": data["description"].strip(),
            "anonymous": bool(data.get("anonymous")),
            "citizen": {
                "name": data["name"].strip(),
                "dui": data["dui"],
                "phone": data["phone"],
                "email": data["email"],
            },
            "clave_hash": clave_hash,
            "attachments": [upload.name for upload in data.get("attachments") or []],
        }

    def has_second_factor(self) -> bool:
        data = self.cleaned_data
        return bool(data["email"] or data["dui"] or data["phone"])


def new_token() -> uuid.UUID:
    return uuid.uuid4()


class TrackForm(AccessibleForm):
    code = forms.CharField(
        label=_("Registration number"),
        max_length=20,
        error_messages={"required": _("Enter the registration number.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    factor = forms.CharField(
        label=_("Your email, DUI or phone, or your key"),
        max_length=254,
        error_messages={"required": _("Enter your email, DUI or phone, or your key.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    hints = {
        "code": _("The registration number on your receipt, for example ACD23-EFH45."),
        "factor": _(
            "The email, DUI or phone you gave when you wrote to us. If you sent it anonymously, "
            "the key printed on your receipt."
        ),
    }

    def clean_code(self) -> str:
        code = normalise_tracking_code(self.cleaned_data["code"])
        # The same message as a wrong factor: the form tells nothing about which part failed.
        return code or ""

    def forget_factor(self) -> None:
        """Shown again with its errors, the form keeps the code typed but not the factor (it
        may be a key): the page never sends it back."""
        self.data = {"code": str(self.data.get("code", ""))[:20], "factor": ""}


class RateForm(TrackForm):
    rating = forms.ChoiceField(
        label=_("How would you rate your experience with our service?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the answers.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


REPLY_MAX = 5000


class ReplyForm(TrackForm):
    """The citizen's reply to a case waiting for them, sent from the tracking page: the code
    and the factor come again with it (hidden), as with the rating; the token makes the same
    reply posted twice one message."""

    text = forms.CharField(
        label=_("Your reply"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your reply.")},
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    hints = {
        "text": _("The information we asked you for, in your own words."),
    }


class DataRequestForm(AccessibleForm):
    """A request over one's own personal data (access, rectification, cancellation,
    opposition...), filed on the portal. The identifiers are how the institute finds the
    person's records; the officer checks the person is who they say before answering."""

    kind = forms.ChoiceField(
        label=_("What do you ask?"),
        widget=forms.RadioSelect,
        choices=RightKind.choices,
        error_messages={"required": _("Choose what you ask.")},
    )
    description = forms.CharField(
        label=_("Details"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell us what you ask, in your words.")},
    )
    requester_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Write your full name.")},
    )
    dui = forms.CharField(
        label=_("DUI"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    declaration = forms.BooleanField(
        label=_("The data is mine, or I represent the person and can prove it."),
        error_messages={"required": _("Only the person, or their representative, may ask.")},
    )
    token = forms.UUIDField(widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    hints = {
        "description": _(
            "For a correction, say which data is wrong and what is right; for the rest, "
            "anything that helps us find your records."
        ),
        "dui": _("Eight digits, a dash and the check digit: 00000000-0."),
        "email": _("We will send you the receipt and the answer."),
        "phone": _("Eight digits, for example 7123-4567."),
    }

    def clean_dui(self) -> str:
        value: str = self.cleaned_data["dui"].strip()
        return normalise_dui(value) if value else ""

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        return normalise_phone(value) if value else ""

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = data.get("dui") or data.get("email") or data.get("phone")
        if not given and not {"dui", "email", "phone"} & set(self.errors):
            self.add_error(
                "dui",
                _("Give your DUI, an email or a phone: that is how we find your records."),
            )
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())
