from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "enlace.campaigns"
    label = "campaigns"
    verbose_name = _("Call campaigns")

    def ready(self) -> None:
        from enlace.campaigns import data_protection
        from enlace.campaigns.actions import sweep_campaigns
        from enlace.campaigns.queries import can_see_campaigns, intake_initial_for_contact
        from enlace.cases import intake
        from enlace.core import navigation, sweeping

        navigation.add_link("campaigns:list", _("Campaigns"), shown=can_see_campaigns, order=35)
        # Contacts' names, phones and DUIs; the do-not-call register.
        data_protection.register()
        # Campaigns past their last day finish; their contacts still to call are unreachable.
        sweeping.register("campaigns", sweep_campaigns, order=75)
        # An opinion voiced during a campaign's call: the intake opens with the person called.
        intake.add_initial(intake_initial_for_contact)
