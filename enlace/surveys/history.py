"""The history of studies: every change of a study and every review of a response is a
`StudyEvent` row written through `study_history`. The notifications' outbox subscribes to it to send
invitations and reminders (the context carries the invitation and its link, which is never
stored)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enlace.core.history import History
from enlace.surveys.models import StudyEvent


class StudyAction:
    CREATED = "created"
    CHANGED = "changed"
    FIELDWORK = "fieldwork"
    CLOSED = "closed"
    INVITED = "invited"
    REMINDED = "reminded"
    REVIEWED = "reviewed"
    FINDING = "finding"
    FINDING_CHECKED = "finding_checked"


ACTION_LABELS = {
    StudyAction.CREATED: _("Study created"),
    StudyAction.CHANGED: _("Plan changed"),
    StudyAction.FIELDWORK: _("Fieldwork started"),
    StudyAction.CLOSED: _("Study closed"),
    StudyAction.INVITED: _("Invitation sent"),
    StudyAction.REMINDED: _("Reminder sent"),
    StudyAction.REVIEWED: _("Response reviewed"),
    StudyAction.FINDING: _("Finding recorded"),
    StudyAction.FINDING_CHECKED: _("Finding checked"),
}

study_history: History[StudyEvent] = History(StudyEvent)
