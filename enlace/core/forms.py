"""Form parts shared by the public pages (the portal's and the OIR's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django_stubs_ext import StrOrPromise


class AccessibleForm(forms.Form):
    """Every field says which hint and which error describe it (aria-describedby), and is
    marked aria-invalid when it has an error: screen readers read both with the field."""

    hints: dict[str, StrOrPromise] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in self.hints:
                field.help_text = self.hints[name]

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"id_{name}_hint")
            if self.errors and name in self.errors:
                described.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in the order of the form, for the summary."""
        items = []
        for name, field in self.fields.items():
            # A group of radio buttons is reached through its first button.
            anchor = f"id_{name}_0" if isinstance(field.widget, forms.RadioSelect) else f"id_{name}"
            for message in self.errors.get(name, []):
                items.append((anchor, str(message)))
        items.extend(("", str(message)) for message in self.non_field_errors())
        return items
