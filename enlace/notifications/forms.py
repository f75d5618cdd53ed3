"""What a person chooses on /avisos/preferencias/: which alerts also come by e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from enlace.notifications.models import AlertKind


class EmailChoicesForm(forms.Form):
    """One box per kind of alert: ticked, it also comes by e-mail (every alert is shown in
    Enlace)."""

    def __init__(self, *args: Any, current: Mapping[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in AlertKind:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False, initial=current.get(kind.value, False)
            )

    def choices(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data.get(kind)) for kind in AlertKind.values}
