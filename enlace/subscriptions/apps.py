from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "enlace.subscriptions"
    label = "subscriptions"
    verbose_name = _("Report subscriptions")

    def ready(self) -> None:
        from enlace.cases.permissions import Capability, has_capability
        from enlace.core import navigation, sweeping
        from enlace.notifications import delivery
        from enlace.notifications.models import NotificationKind
        from enlace.subscriptions import mail, renderers, sweeper

        # The reports of the domains below (satisfaction, media); enlace/reports registers its own.
        renderers.register_all()
        # The reports whose period has ended, produced and queued in the mail outbox.
        sweeping.register("subscriptions.reports", sweeper.sweep_subscriptions, order=85)
        # The report's mail carries its PDF.
        delivery.attachments_for(NotificationKind.REPORT, mail.delivery_files)
        navigation.add_link(
            "subscriptions:list",
            _("Subscriptions"),
            shown=lambda user: has_capability(user, Capability.VIEW_REPORTS),
            order=65,
        )
