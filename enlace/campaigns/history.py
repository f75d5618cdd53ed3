"""The history of campaigns: every change of a campaign is a `CampaignEvent` row written through
`campaign_history` (the webhooks subscribe to it: a campaign finished is an event for the
dependency that asked for it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enlace.campaigns.models import CampaignEvent
from enlace.core.history import History


class CampaignAction:
    CREATED = "created"
    CHANGED = "changed"
    IMPORTED = "imported"
    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    FINISHED = "finished"
    REASSIGNED = "reassigned"


ACTION_LABELS = {
    CampaignAction.CREATED: _("Campaign created"),
    CampaignAction.CHANGED: _("Campaign changed"),
    CampaignAction.IMPORTED: _("Contacts imported"),
    CampaignAction.STARTED: _("Calls started"),
    CampaignAction.PAUSED: _("Paused"),
    CampaignAction.RESUMED: _("Resumed"),
    CampaignAction.FINISHED: _("Finished"),
    CampaignAction.REASSIGNED: _("Contacts held by an agent given back to the queue"),
}

campaign_history: History[CampaignEvent] = History(CampaignEvent)
