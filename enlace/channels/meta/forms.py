"""The form of the case page's "reply on WhatsApp/Facebook" action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.cases.forms import CaseActionForm


class PlatformReplyForm(CaseActionForm):
    text = forms.CharField(
        label=_("Message to the citizen"),
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
