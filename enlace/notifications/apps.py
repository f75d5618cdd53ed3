from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "enlace.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from enlace.accounts.models import User
        from enlace.cases.history import case_history
        from enlace.core import navigation, outbox, sweeping
        from enlace.notifications import delivery, subscribers
        from enlace.notifications.models import NotificationKind
        from enlace.notifications.queries import Bell
        from enlace.oir.history import request_history
        from enlace.privacy.history import breach_history, subject_history
        from enlace.privacy.registry import register_case_eraser
        from enlace.surveys.history import study_history

        # What the cases' and the requests' history gives rise to, in its transaction.
        case_history.subscribe(subscribers.on_case_events)
        request_history.subscribe(subscribers.on_request_events)
        subject_history.subscribe(subscribers.on_subject_request_events)
        breach_history.subscribe(subscribers.on_breach_events)
        # The invitations to answer a study and their reminder; their copies blanked once done.
        study_history.subscribe(subscribers.on_study_events)
        sweeping.register("survey_mail", delivery.blank_survey_mail, order=75)
        checks.register(check_public_url, checks.Tags.compatibility, deploy=True)
        # What the e-mails of erased cases said goes with them.
        register_case_eraser(delivery.erase_for_cases)
        # The OIR's resolution carries its PDF, and once sent counts as notified.
        delivery.attachments_for(NotificationKind.ANSWER, subscribers.answer_files)
        delivery.attachments_for(NotificationKind.OIR_RESOLUTION, subscribers.resolution_files)
        delivery.after_sent(NotificationKind.OIR_RESOLUTION, subscribers.resolution_sent)
        outbox.register(delivery.OUTBOX, order=30)

        # The bell: a person's alerts and how many are unread, before who they are.
        def bell(request: HttpRequest) -> dict[str, Any] | None:
            user = request.user
            return {"bell": Bell(request)} if isinstance(user, User) and user.is_active else None

        navigation.add_part("notifications/_bell.html", context=bell, order=90)


def check_public_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Invitations e-mail a link: it needs the address citizens reach the site by."""
    if settings.PUBLIC_URL.startswith(("https://", "http://")):
        return []
    return [
        checks.Warning(
            "PUBLIC_URL is not set: the links in survey invitations would have no host.",
            hint="Set PUBLIC_URL to the site's public address, e.g. https://enlace.example.org.",
            id="notifications.W001",
        )
    ]
