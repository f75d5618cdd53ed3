"""The staff's forms of studies: parse what was typed; the actions decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User
from enlace.core import dates
from enlace.directory.models import Dependency
from enlace.directory.queries import resolve_dependency
from enlace.surveys.models import (
    InstrumentKind,
    InstrumentVersion,
    Question,
    QuestionKind,
    ReviewState,
    Section,
    StudyKind,
    StudyMethod,
    VersionStatus,
)

CHOOSE = [("", _("Choose…"))]


class InstrumentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CHOOSE + InstrumentKind.choices)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Letters, digits and dashes; made from the name if left empty."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionForm(forms.Form):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Stable across versions: results and trends follow it."),
    )
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=CHOOSE + QuestionKind.choices)
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Single or multiple choice: one per line, “code | label”."),
    )
    low_label = forms.CharField(label=_("Label of the lowest value"), max_length=60, required=False)
    high_label = forms.CharField(
        label=_("Label of the highest value"), max_length=60, required=False
    )
    min_value = forms.DecimalField(
        label=_("Smallest number"), required=False, max_digits=12, decimal_places=2
    )
    max_value = forms.DecimalField(
        label=_("Largest number"), required=False, max_digits=12, decimal_places=2
    )
    weight = forms.DecimalField(
        label=_("Weight (checklists)"),
        required=False,
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
    )
    critical = forms.BooleanField(
        label=_("Critical item: failing it fails the evaluation"), required=False
    )
    condition_question = forms.TypedChoiceField(
        label=_("Show only if the answer to"), coerce=int, required=False, empty_value=None
    )
    condition_values = forms.CharField(
        label=_("is one of"),
        required=False,
        help_text=_("Codes or numbers, separated by commas (for example: no, na)."),
    )

    def __init__(
        self,
        *args: Any,
        version: InstrumentVersion,
        question: Question | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        sections = list(version.sections.order_by("position"))
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]  # type: ignore[attr-defined]
        earlier = version.questions.order_by("section__position", "position")
        if question is not None:
            earlier = earlier.exclude(pk=question.pk)
        cast(forms.ChoiceField, self.fields["condition_question"]).choices = [
            ("", _("Always shown"))
        ] + [(q.pk, f"{q.code}: {q.text[:60]}") for q in earlier]
        if not version.instrument.is_checklist:
            del self.fields["weight"]
            del self.fields["critical"]

    def clean_options(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for line in str(self.cleaned_data.get("options") or "").splitlines():
            if not line.strip():
                continue
            code, sep, label = line.partition("|")
            if not sep:
                label = code
            pairs.append((code.strip(), label.strip()))
        return pairs

    def clean_condition_values(self) -> list[str]:
        raw = str(self.cleaned_data.get("condition_values") or "")
        return [item.strip() for item in raw.split(",") if item.strip()]

    def section_obj(self) -> Section:
        return self.version.sections.get(pk=self.cleaned_data["section"])

    def condition_obj(self) -> Question | None:
        pk = self.cleaned_data.get("condition_question")
        return self.version.questions.filter(pk=pk).first() if pk else None

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {
            "section": question.section_id,
            "code": question.code,
            "text": question.text,
            "kind": question.kind,
            "help_text": question.help_text,
            "required": question.required,
            "options": "\n".join(f"{o.value} | {o.label}" for o in question.options.all()),
            "low_label": question.low_label,
            "high_label": question.high_label,
            "min_value": question.min_value,
            "max_value": question.max_value,
            "weight": question.weight,
            "critical": question.critical,
            "condition_question": question.condition_question_id,
            "condition_values": ", ".join(str(v) for v in question.condition_values),
        }


class PublishForm(forms.Form):
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class VersionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.instrument.name} · v{obj.number}"


class DependencyField(forms.CharField):
    """A centre typed or chosen from the directory's list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "dependency-options", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Dependency | None:
        text = super().clean(value)
        if not text:
            return None
        dependency = resolve_dependency(text)
        if dependency is None:
            raise forms.ValidationError(
                _("There is no centre called “%(value)s”. Choose one from the list."),
                params={"value": text},
            )
        return dependency


class StudyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CHOOSE + StudyKind.choices)
    version = VersionChoiceField(
        label=_("Instrument"), queryset=InstrumentVersion.objects.none(), empty_label=_("Choose…")
    )
    method = forms.ChoiceField(label=_("Method"), choices=CHOOSE + StudyMethod.choices)
    period_start = dates.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = dates.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    requested_by = DependencyField(
        label=_("Requested by"),
        required=False,
        help_text=_("The dependency that asked for it; empty if it is the unit's own initiative."),
    )
    request_note = forms.CharField(label=_("Request"), max_length=300, required=False)
    requires_review = forms.BooleanField(
        label=_("Responses count only once accepted on review"), required=False
    )
    visit_every_days = forms.IntegerField(
        label=_("Visit every (days)"),
        required=False,
        min_value=1,
        max_value=366,
        help_text=_("Monitoring visits: how often each centre is visited."),
    )
    centres = forms.CharField(
        label=_("Centres and sample targets"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One centre per line, its code or name, then “|” and its target (HG | 300)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = (  # type: ignore[attr-defined]
            InstrumentVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("instrument")
            .order_by("instrument__name", "-number")
        )

    def clean_centres(self) -> list[tuple[Dependency, int]]:
        rows: list[tuple[Dependency, int]] = []
        for number, line in enumerate(str(self.cleaned_data["centres"]).splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, target = line.rpartition("|") if "|" in line else (line, "", "0")
            dependency = resolve_dependency(name.strip())
            if dependency is None:
                raise forms.ValidationError(
                    _("Line %(line)s: there is no centre called “%(value)s”."),
                    params={"line": number, "value": name.strip()},
                )
            try:
                count = int(target.strip() or "0")
            except ValueError:
                count = -1
            if not 0 <= count <= 1_000_000:
                raise forms.ValidationError(
                    _("Line %(line)s: the target must be a whole number."),
                    params={"line": number},
                )
            rows.append((dependency, count))
        if not rows:
            raise forms.ValidationError(_("Choose at least one centre."))
        return rows


class ReviewForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Review"),
        choices=[(v, label) for v, label in ReviewState.choices if v != ReviewState.RECEIVED],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FindingForm(forms.Form):
    title = forms.CharField(label=_("What must change"), max_length=200)
    description = forms.CharField(
        label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    question = forms.TypedChoiceField(label=_("Item"), coerce=int, required=False, empty_value=None)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_on = dates.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, version: InstrumentVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        cast(forms.ChoiceField, self.fields["question"]).choices = [("", "—")] + [
            (q.pk, f"{q.code}: {q.text[:60]}") for q in version.questions.order_by("position")
        ]
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "first_name", "username"
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]

    def question_obj(self) -> Question | None:
        pk = self.cleaned_data.get("question")
        return self.version.questions.filter(pk=pk).first() if pk else None


def uploads_of(request: HttpRequest) -> dict[str, UploadedFile[Any]]:
    """The files of a form by field name (the last one where a field sent several)."""
    found: dict[str, UploadedFile[Any]] = {}
    for name in request.FILES:
        upload = request.FILES.get(name)
        if isinstance(upload, UploadedFile):
            found[name] = upload
    return found
