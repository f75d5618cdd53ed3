"""Form fields for catalogue entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from enlace.catalogues.queries import entry_by_code

# What an empty choice reads, instead of Django's "---------".
CHOOSE = gettext_lazy("Choose…")


class ActiveEntryField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of an active catalogue entry by its code, checked against the reference data
    in memory (enlace/catalogues/queries.py) instead of a query per field. The choices it
    renders still come from its queryset, which must hold the active entries."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", CHOOSE)
        super().__init__(to_field_name="code", **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        model = self.queryset.model  # type: ignore[union-attr]
        found = entry_by_code(model, value.code if isinstance(value, model) else str(value))
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found
