"""The case page's step "message to the citizen on their channel", which the channels add to the
cases' registry (enlace/cases/steps.py) from `ChannelsConfig.ready()`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.cases.forms import CaseActionForm
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case
from enlace.cases.permissions import Capability
from enlace.channels.actions import do_send_reply, reply_route
from enlace.core.steps import Step


class ReplyForm(CaseActionForm):
    text = forms.CharField(
        label=_("Message to the citizen"),
        max_length=50_000,  # each channel's own limit is the action's to tell
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _offered(case: Case) -> bool:
    return case.status not in (CaseStatus.MERGED, CaseStatus.VOID) and (
        reply_route(case) is not None
    )


def reply_step() -> Step[Case]:
    return Step(
        capability=Capability.ANSWER,
        form_class=ReplyForm,
        perform=lambda case, data, user: do_send_reply(case, data["text"], acting_user=user),
        done=_("The message will be sent to the citizen."),
        title=_("Reply on the citizen's channel"),
        button=_("Send message"),
        offered=_offered,
    )
