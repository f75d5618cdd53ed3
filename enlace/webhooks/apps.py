from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "enlace.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Registers its reference data (enlace/core/reference.py) in every process, so a
        # change made anywhere, a management command included, reaches every cache.
        from enlace.campaigns.history import campaign_history
        from enlace.cases.history import case_history
        from enlace.core.outbox import register
        from enlace.webhooks import delivery, outbox

        # Every history row of a case, in its transaction: the deliveries it gives rise to.
        case_history.subscribe(outbox.on_case_events)
        # A call campaign finished: for the dependency that asked for it.
        campaign_history.subscribe(outbox.on_campaign_events)
        register(delivery.OUTBOX, order=60)
