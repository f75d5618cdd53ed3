from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "enlace.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from enlace.cases.history import case_history
        from enlace.core import outbox
        from enlace.notifications import delivery, subscribers
        from enlace.notifications.models import NotificationKind
        from enlace.oir.history import request_history
        from enlace.privacy.history import breach_history, subject_history
        from enlace.privacy.registry import register_case_eraser

        # What the cases' and the requests' history gives rise to, in its transaction.
        case_history.subscribe(subscribers.on_case_events)
        request_history.subscribe(subscribers.on_request_events)
        subject_history.subscribe(subscribers.on_subject_request_events)
        breach_history.subscribe(subscribers.on_breach_events)
        # What the e-mails of erased cases said goes with them.
        register_case_eraser(delivery.erase_for_cases)
        # The OIR's resolution carries its PDF, and once sent counts as notified.
        delivery.attachments_for(NotificationKind.OIR_RESOLUTION, subscribers.resolution_files)
        delivery.after_sent(NotificationKind.OIR_RESOLUTION, subscribers.resolution_sent)
        outbox.register(delivery.OUTBOX, order=30)
