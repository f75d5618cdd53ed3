"""Forms of the agent console. They parse and validate what a person typed, with messages in
the request's language; the actions in enlace/cases/actions.py do the writing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import User
from enlace.cases import bulk, intake
from enlace.cases import files as case_files
from enlace.cases.actions import Citizen, NewCase
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseFile, Priority
from enlace.cases.queries import (
    DUE_SOON,
    OVERDUE,
    CaseFilters,
    ListOrder,
    owner_candidates,
    team_members,
    visible_cases,
)
from enlace.cases.routing import render_template, suggest_route, templates_for
from enlace.cases.rules import (
    new_case_problems,
    normalise_affiliation,
    normalise_dui,
    normalise_phone,
    normalise_tracking_code,
)
from enlace.catalogues.forms import CHOOSE, ActiveEntryField
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.catalogues.queries import resolve_entry
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency, LevelOfCare
from enlace.directory.queries import resolve_dependency


class TypeAheadInput(forms.TextInput):
    """A text input bound to a <datalist>: the browser's own type-ahead, keyboard only."""

    def __init__(self, datalist_id: str, **attrs: Any) -> None:
        super().__init__(attrs={"list": datalist_id, "autocomplete": "off", **attrs})


_T = TypeVar("_T")


def _resolve(value: str, resolver: Callable[[str], _T | None], message: StrOrPromise) -> _T | None:
    value = value.strip()
    if not value:
        return None
    found = resolver(value)
    if found is None:
        raise ValidationError(message, code="unknown", params={"value": value})
    return found


PUNTO_SEGURO_CHANNEL = "punto_seguro"


# A valid phone or DUI typed on the intake shows the person's earlier cases (in the user's
# scope) in #caller-history, from the page an app registered (enlace/cases/intake.py).
def caller_history(url: str) -> dict[str, str]:
    return {
        "hx-get": url,
        "hx-trigger": "keyup changed delay:300ms",
        "hx-target": "#caller-history",
        "hx-include": "#id_citizen_phone, #id_citizen_dui",
    }


class IntakeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CaseKind.choices,
        initial=CaseKind.INQUIRY,
        widget=forms.RadioSelect,
    )
    channel = ActiveEntryField(
        label=_("Channel"), queryset=Channel.objects.none(), empty_label=None
    )
    opinion_type = ActiveEntryField(
        label=_("Opinion type"), queryset=OpinionType.objects.none(), required=False
    )
    dependency = forms.CharField(
        label=_("Centre involved"), required=False, widget=TypeAheadInput("dependency-options")
    )
    topic = forms.CharField(
        label=_("Inquiry topic"), required=False, widget=TypeAheadInput("topic-options")
    )
    limitante = forms.CharField(
        label=_("Limitante"), required=False, widget=TypeAheadInput("limitante-options")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    answered_at_first_contact = forms.BooleanField(
        label=_("Answered during the contact"), required=False, initial=True
    )
    answer = forms.CharField(
        label=_("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    citizen_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    citizen_dui = forms.CharField(
        label=_("DUI"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "00000000-0", "inputmode": "numeric"}),
    )
    citizen_affiliation = forms.CharField(
        label=_("Affiliation number"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    citizen_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "7000-0000", "inputmode": "tel"}),
    )
    citizen_email = forms.EmailField(label=_("Email"), required=False)
    intake_token = forms.UUIDField(widget=forms.HiddenInput)
    # The call-centre call this case is registered for (enlace/callcentre), if any.
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Where other systems name the citizen's fields (the API's JSON, Open311): a nested
    # `citizen` object rather than the console's flat fields.
    CITIZEN_FIELDS = {
        "citizen_name": "name",
        "citizen_dui": "dui",
        "citizen_affiliation": "affiliation",
        "citizen_phone": "phone",
        "citizen_email": "email",
    }

    def __init__(self, *args: Any, fixed_dependency: Dependency | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fixed_dependency = fixed_dependency
        self.person_lookup = intake.person_lookup()
        if self.person_lookup:
            for name in ("citizen_dui", "citizen_phone"):
                self.fields[name].widget.attrs.update(caller_history(self.person_lookup))
        self.fields["channel"].queryset = Channel.objects.active()  # type: ignore[attr-defined]
        self.fields["opinion_type"].queryset = OpinionType.objects.active()  # type: ignore[attr-defined]
        if fixed_dependency is not None:
            self.fields["dependency"].disabled = True
            self.fields["dependency"].initial = fixed_dependency.label
            # A Punto Seguro desk registers everything under its own channel, whatever is posted.
            self.fields["channel"].disabled = True
            self.initial["channel"] = PUNTO_SEGURO_CHANNEL

    @property
    def kind_now(self) -> str:
        """The kind the form shows now (what was posted, else the initial one): what its
        conditionally required fields are marked for."""
        value = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return str(value or self.fields["kind"].initial or CaseKind.INQUIRY)

    def clean_dependency(self) -> Dependency | None:
        if self.fixed_dependency is not None:
            return self.fixed_dependency
        return _resolve(
            self.cleaned_data["dependency"],
            resolve_dependency,
            _("There is no centre called “%(value)s”. Choose one from the list."),
        )

    def clean_topic(self) -> InquiryTopic | None:
        return _resolve(
            self.cleaned_data["topic"],
            lambda text: resolve_entry(InquiryTopic, text),
            _("There is no inquiry topic called “%(value)s”."),
        )

    def clean_limitante(self) -> Limitante | None:
        return _resolve(
            self.cleaned_data["limitante"],
            lambda text: resolve_entry(Limitante, text),
            _("There is no limitante called “%(value)s”."),
        )

    def clean_citizen_dui(self) -> str:
        value: str = self.cleaned_data["citizen_dui"].strip()
        return normalise_dui(value) if value else ""

    def clean_citizen_phone(self) -> str:
        value: str = self.cleaned_data["citizen_phone"].strip()
        return normalise_phone(value) if value else ""

    def clean_citizen_affiliation(self) -> str:
        value: str = self.cleaned_data["citizen_affiliation"].strip()
        return normalise_affiliation(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        # What does not apply to the kind chosen is dropped, not refused: the form shows every
        # field, and the agent may have typed one before choosing the kind.
        if kind == CaseKind.OPINION:
            data["topic"] = None
        elif kind == CaseKind.INQUIRY:
            data["opinion_type"] = data["limitante"] = None
        if kind is None:
            return data
        problems = new_case_problems(
            kind,
            opinion_type=data.get("opinion_type") is not None,
            dependency=data.get("dependency") is not None,
            topic=data.get("topic") is not None,
            limitante=data.get("limitante") is not None,
            description=data.get("description") or "",
            answered_at_first_contact=bool(data.get("answered_at_first_contact")),
            answer=data.get("answer") or "",
        )
        for field, message in problems:
            if field not in self.errors:  # a value that did not resolve says so already
                self.add_error(field or None, message)
        return data

    @classmethod
    def from_values(
        cls, values: dict[str, Any], *, fixed_dependency: Dependency | None
    ) -> IntakeForm:
        """The form bound to what another system sent: catalogue and directory codes by the
        field names of the form, the person as a nested `citizen` object (`CITIZEN_FIELDS`),
        no token (the caller's idempotency gives its own)."""
        citizen = values.get("citizen") or {}
        data = {
            name: values.get(name) or ""
            for name in ("kind", "channel", "opinion_type", "dependency", "limitante", "topic")
        }
        data |= {
            "description": values.get("description", ""),
            "answered_at_first_contact": bool(values.get("answered_at_first_contact", False)),
            "answer": values.get("answer", ""),
            "intake_token": str(uuid.UUID(int=0)),
        }
        data |= {field: citizen.get(key, "") for field, key in cls.CITIZEN_FIELDS.items()}
        return cls(data, fixed_dependency=fixed_dependency)

    def citizen(self) -> Citizen:
        data = self.cleaned_data
        return Citizen(
            name=data["citizen_name"],
            dui=data["citizen_dui"],
            affiliation=data["citizen_affiliation"],
            phone=data["citizen_phone"],
            email=data["citizen_email"],
        )

    def new_case(self, *, intake_token: uuid.UUID | None) -> NewCase:
        """The case this valid form describes: the one path from a form to `NewCase`, for the
        console, the API and Open311."""
        data = self.cleaned_data
        return NewCase(
            kind=data["kind"],
            channel=data["channel"],
            description=data["description"],
            opinion_type=data["opinion_type"],
            dependency=data["dependency"],
            limitante=data["limitante"],
            topic=data["topic"],
            citizen=self.citizen(),
            answered_at_first_contact=data["answered_at_first_contact"],
            answer=data["answer"],
            intake_token=intake_token,
        )


DUE_FILTERS = {"pronto": DUE_SOON, "vencido": OVERDUE}


class FilterForm(forms.Form):
    """The filters of the case list. Invalid values are dropped, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    opinion_type = forms.ModelChoiceField(
        label=_("Opinion type"),
        queryset=OpinionType.objects.none(),
        required=False,
        to_field_name="code",
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, to_field_name="code"
    )
    dependency = forms.CharField(
        label=_("Centre"), required=False, widget=TypeAheadInput("dependency-options")
    )
    level_of_care = forms.ChoiceField(label=_("Level of care"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    received_from = dates.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = dates.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # In the URL in Spanish, as the action slugs: ?plazo=pronto or ?plazo=vencido.
    plazo = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("All")),
            ("pronto", _("Due soon (within 2 days)")),
            ("vencido", _("Overdue")),
        ],
    )

    orden = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (ListOrder.NEWEST.value, _("Received, newest first")),
            (ListOrder.OLDEST.value, _("Received, oldest first")),
            (ListOrder.DUE.value, _("Nearest due date (cases with an open deadline)")),
        ],
    )
    # ?responsable=mios: the user's own cases; ?responsable=nadie: those nobody has taken.
    responsable = forms.ChoiceField(
        label=_("Owner"),
        required=False,
        choices=[("", _("Anyone")), ("mios", _("My cases")), ("nadie", _("Nobody yet"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["kind"].choices = blank + list(CaseKind.choices)  # type: ignore[attr-defined]
        self.fields["level_of_care"].choices = blank + list(LevelOfCare.choices)  # type: ignore[attr-defined]
        self.fields["status"].choices = (  # type: ignore[attr-defined]
            [*blank, ("open", _("Open (any)")), *list(CaseStatus.choices)]
        )
        self.fields["opinion_type"].queryset = OpinionType.objects.all()  # type: ignore[attr-defined]
        self.fields["channel"].queryset = Channel.objects.all()  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.empty_label = _("All")  # type: ignore[attr-defined]

    def clean_dependency(self) -> Dependency | None:
        value = self.cleaned_data["dependency"].strip()
        if not value:
            return None
        dependency = resolve_dependency(value)
        if dependency is None:
            raise ValidationError(
                _("There is no centre called “%(value)s”."), params={"value": value}
            )
        return dependency

    def order(self) -> ListOrder:
        """The sort asked for; anything unknown is the default."""
        self.is_valid()
        value = self.cleaned_data.get("orden") if "orden" not in self.errors else ""
        return ListOrder(value) if value else ListOrder.NEWEST

    def filters(self, user: User | None = None) -> CaseFilters:
        """The valid filters; a field that did not validate is ignored (and shown as an error).
        `user` is whom "my cases" means."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        owner = data.get("responsable") or ""
        return CaseFilters(
            owner_id=user.pk if owner == "mios" and user is not None else None,
            unowned=owner == "nadie",
            kind=data.get("kind") or "",
            opinion_type_id=data["opinion_type"].pk if data.get("opinion_type") else None,
            channel_id=data["channel"].pk if data.get("channel") else None,
            dependency_id=data["dependency"].pk if data.get("dependency") else None,
            level_of_care=data.get("level_of_care") or "",
            status=data.get("status") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            text=data.get("q") or "",
            due=DUE_FILTERS.get(data.get("plazo") or "", ""),
        )


# --- Forms of the actions on one case (see CASE_ACTIONS in views.py) -------------------------
class CaseActionForm(forms.Form):
    """A form acting on one case. It knows the case, for its initial values and for what is
    required, and the user, for what they may look up."""

    def __init__(self, data: Any = None, *, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.case = case
        self.user = user


class NoteForm(CaseActionForm):
    """A step that needs nothing but, optionally, a note (acknowledge, assess, resume)."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        role = obj.get_role_display()
        centre = f" · {obj.dependency}" if obj.dependency_id else ""
        return f"{obj.get_full_name() or obj.username} ({role}{centre})"


def person_field() -> PersonChoiceField:
    """Whom a case is given to, by username (the choices are set per form: who may own it)."""
    return PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="username",
        empty_label=_("Nobody: back to the team"),
    )


class OwnerForm(CaseActionForm):
    """Give the case to a person of its team or centre, or back to the team."""

    owner = person_field()
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, PersonChoiceField)
        field.queryset = owner_candidates(self.case, self.user).select_related("dependency")
        self.initial.setdefault("owner", self.case.owner.username if self.case.owner else "")


class BulkForm(forms.Form):
    """A step on the cases ticked in the list (enlace/cases/bulk.py)."""

    ids = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    step = forms.ChoiceField(label=_("With the selected cases"))
    owner = person_field()
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=Priority.choices)
    answer = forms.CharField(
        label=_("Answer given to the citizens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        # Any number typed is a choice: the cases the user does not see are left out later.
        self.fields["ids"].choices = [(value, value) for value in data]  # type: ignore[attr-defined]
        self.fields["step"].choices = bulk.offered_steps(user)  # type: ignore[attr-defined]
        owner = self.fields["owner"]
        assert isinstance(owner, PersonChoiceField)
        owner.queryset = team_members(user).select_related("dependency")


class CommentForm(CaseActionForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ClassificationForm(CaseActionForm):
    """The catalogue fields a case is classified with, offering the active entries only."""

    opinion_type = forms.ModelChoiceField(
        label=_("Opinion type"),
        queryset=OpinionType.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=CHOOSE,
    )
    limitante = forms.ModelChoiceField(
        label=_("Limitante"),
        queryset=Limitante.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=CHOOSE,
    )
    topic = forms.ModelChoiceField(
        label=_("Inquiry topic"),
        queryset=InquiryTopic.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=CHOOSE,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opinion_type"].queryset = OpinionType.objects.active()  # type: ignore[attr-defined]
        self.fields["limitante"].queryset = Limitante.objects.active()  # type: ignore[attr-defined]
        self.fields["topic"].queryset = InquiryTopic.objects.active()  # type: ignore[attr-defined]


class ReclassifyForm(ClassificationForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    patient_safety = forms.BooleanField(label=_("Patient safety at stake"), required=False)
    note = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        # An opinion has a type and no topic; an inquiry the other way round.
        del self.fields["topic" if case.kind == CaseKind.OPINION else "opinion_type"]
        self.initial.setdefault("opinion_type", case.opinion_type.code if case.opinion_type else "")
        self.initial.setdefault("limitante", case.limitante.code if case.limitante else "")
        self.initial.setdefault("topic", case.topic.code if case.topic else "")
        self.initial.setdefault("priority", case.priority)
        self.initial.setdefault("patient_safety", case.patient_safety)

    def clean_priority(self) -> str:
        # Left out of the post (an older form): the priority stays as it is.
        return str(self.cleaned_data["priority"] or self.case.priority)


class AssignForm(CaseActionForm):
    dependency = forms.CharField(label=_("Centre"), widget=TypeAheadInput("dependency-options"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Prefilled with what the routing rules suggest (else the centre the case is about).
        suggested = suggest_route(self.case)
        if suggested is not None:
            self.initial.setdefault("dependency", suggested.label)
            if suggested != self.case.dependency:
                self.fields["dependency"].help_text = _("Suggested by the routing rules.")

    def clean_dependency(self) -> Dependency:
        return _required_centre(self.cleaned_data["dependency"])


def _required_centre(value: str) -> Dependency:
    dependency = _resolve(
        value,
        resolve_dependency,
        _("There is no centre called “%(value)s”. Choose one from the list."),
    )
    if dependency is None:
        raise ValidationError(_("Choose the centre."), code="required")
    return dependency


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input, cleaned to `files.Upload`s that enlace/cases/files.py
    accepts (their type by their content, their size, how many): a refused one is this
    field's error, and nothing is stored."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": case_files.ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[case_files.Upload]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        uploads = []
        for item in items:
            uploaded = super().clean(item, initial)
            if not uploaded:
                continue
            if uploaded.size > settings.ATTACHMENT_MAX_BYTES:  # told before it is read
                raise ValidationError(str(case_files.too_large(uploaded.name)), code="size")
            uploads.append(case_files.Upload(uploaded.name or "", uploaded.read()))
        try:
            case_files.check(uploads)
        except BusinessError as error:
            raise ValidationError(str(error), code=error.code or "invalid") from error
        return uploads


class FilesMixin(CaseActionForm):
    """Files attached to what is written: they go to the citizen with the answer."""

    def add_files_field(self, help_text: StrOrPromise) -> None:
        limits = _("PDF, photos or office documents: up to %(count)s, of %(limit)s each.") % {
            "count": case_files.MAX_FILES,
            "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
        }
        self.fields["files"] = FilesField(
            label=_("Attach files"), help_text=f"{limits} {help_text}"
        )


class ProposeAnswerForm(FilesMixin):
    field_order = ["answer", "files", "improvement_action"]

    answer = forms.CharField(
        label=_("Answer to the citizen"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the citizen will read once the resolution section approves it."),
    )
    improvement_action = forms.CharField(
        label=_("Internal improvement action"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "What the centre will do about it: for the institute, never sent to the citizen."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A returned proposal is edited, not written again from nothing.
        self.initial.setdefault("answer", self.case.proposed_answer)
        self.initial.setdefault("improvement_action", self.case.proposed_action)
        self.add_files_field(_("They go to the citizen with the answer, once it is approved."))
        self.order_fields(self.field_order)


class TemplateChoiceMixin(CaseActionForm):
    """Offers the answer templates that apply to the case; choosing one fills the answer
    (enlace/cases/static/cases/answer_templates.js). The choice itself is not stored."""

    def add_template_choice(self) -> None:
        templates = list(templates_for(self.case))
        if not templates:
            return
        choice = forms.ChoiceField(
            label=_("Answer template"),
            required=False,
            choices=[("", "—"), *((str(t.pk), t.name) for t in templates)],
            widget=forms.Select(attrs={"data-answer-templates": "answer"}),
        )
        self.fields = {"template": choice, **self.fields}
        self.template_texts = {str(t.pk): render_template(t.body, self.case) for t in templates}


class AnswerForm(TemplateChoiceMixin, FilesMixin):
    answer = forms.CharField(
        label=_("Answer to the citizen"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("answer", self.case.proposed_answer)
        self.add_template_choice()
        # The proposal's files go with the answer unless unticked.
        self.proposed_files = {str(item.pk): item for item in case_files.proposal_files(self.case)}
        if self.proposed_files:
            self.fields["proposal_files"] = forms.MultipleChoiceField(
                label=_("Files of the proposal to send"),
                required=False,
                choices=[(pk, item.name) for pk, item in self.proposed_files.items()],
                initial=list(self.proposed_files),
                widget=forms.CheckboxSelectMultiple,
            )
        self.add_files_field(_("They go to the citizen with the answer."))

    def clean_proposal_files(self) -> list[CaseFile]:
        return [self.proposed_files[pk] for pk in self.cleaned_data["proposal_files"]]


class ReasonForm(CaseActionForm):
    """A step that must say why (return a proposal, reopen, void) or what is asked."""

    reason_label: StrOrPromise = _("Reason")
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.reason_label


class ReturnAnswerForm(ReasonForm):
    reason_label = _("What the centre must change")


class WaitForm(ReasonForm):
    reason_label = _("What is asked of the citizen")


class ReopenForm(ReasonForm):
    reason_label = _("Why the case is reopened")


class VoidForm(ReasonForm):
    reason_label = _("Why the case is voided")


ACCEPTED_CHOICES = [("", _("Unknown")), ("yes", _("Yes")), ("no", _("No"))]


class CloseForm(TemplateChoiceMixin):
    answer = forms.CharField(
        label=_("Answer to the citizen"), widget=forms.Textarea(attrs={"rows": 4})
    )
    accepted = forms.ChoiceField(
        label=_("Did the citizen accept the answer?"),
        choices=ACCEPTED_CHOICES,
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case.status == CaseStatus.ANSWERED and self.case.answer:
            # It closes with the answer already given, unless another one is written.
            self.fields["answer"].required = False
            self.fields["answer"].help_text = _("Empty: the case closes with the answer given.")
        self.add_template_choice()

    def clean_accepted(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["accepted"])


class MergeForm(CaseActionForm):
    into = forms.CharField(
        label=_("Tracking code of the case that carries on"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "XXXXX-XXXXX", "autocomplete": "off"}),
    )

    def clean_into(self) -> Case:
        value = self.cleaned_data["into"].strip()
        code = normalise_tracking_code(value)
        into = visible_cases(self.user).filter(tracking_code=code).first() if code else None
        if into is None:
            raise ValidationError(
                _("There is no case with the code “%(value)s”."),
                code="unknown",
                params={"value": value},
            )
        return into


class EscalateForm(CaseActionForm):
    opinion_type = forms.ModelChoiceField(
        label=_("Opinion type"),
        queryset=OpinionType.objects.none(),
        to_field_name="code",
        empty_label=CHOOSE,
    )
    dependency = forms.CharField(
        label=_("Centre involved"), widget=TypeAheadInput("dependency-options")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opinion_type"].queryset = OpinionType.objects.active()  # type: ignore[attr-defined]
        if self.case.dependency is not None:
            self.initial.setdefault("dependency", self.case.dependency.label)
        self.initial.setdefault("description", self.case.description)

    def clean_dependency(self) -> Dependency:
        return _required_centre(self.cleaned_data["dependency"])


class TriageForm(ClassificationForm):
    """What a case that arrived to classify is: an opinion (type, centre, limitante) or an
    inquiry (topic)."""

    field_order = ["kind", "opinion_type", "dependency", "limitante", "topic", "note"]

    kind = forms.ChoiceField(label=_("It is"), choices=CaseKind.choices, widget=forms.RadioSelect)
    dependency = forms.CharField(
        label=_("Centre involved"),
        required=False,
        widget=TypeAheadInput("dependency-options"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_dependency(self) -> Dependency | None:
        text = self.cleaned_data["dependency"]
        return _required_centre(text) if text.strip() else None
