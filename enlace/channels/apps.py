from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "enlace.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from enlace.cases.steps import CASE_STEPS
        from enlace.channels import plugins, replies
        from enlace.channels.actions import erase_for_cases
        from enlace.channels.forms import reply_step
        from enlace.core import outbox, sweeping
        from enlace.privacy.registry import register_case_eraser

        plugins.load_plugins()  # settings.CHANNEL_PLUGINS
        sweeping.register("channels.inbound", _requeue_inbound, order=40)
        outbox.register(replies.OUTBOX, order=50)
        sweeping.register("channels.poll", _poll, order=70)
        # The case page's "message to the citizen", on the channel they wrote from.
        CASE_STEPS.add("mensaje", reply_step(), before="clasificar")
        # What arrived from a person, and what was sent to them, goes when their case is
        # erased (data protection).
        register_case_eraser(erase_for_cases)


def _requeue_inbound(now: datetime) -> dict[str, int]:
    from enlace.channels.actions import requeue_pending

    return {"inbound messages requeued": requeue_pending(now=now)}


def _poll(now: datetime) -> dict[str, int]:
    from enlace.channels.plugins import poll_all

    return {"mails stored": poll_all()}
