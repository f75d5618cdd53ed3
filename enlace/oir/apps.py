from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OirConfig(AppConfig):
    name = "enlace.oir"
    label = "oir"
    verbose_name = _("Information requests (OIR)")

    def ready(self) -> None:
        from enlace.core import navigation, sweeping
        from enlace.oir.permissions import sees_oir

        navigation.add_link("oir:home", _("Information requests"), shown=sees_oir, order=50)
        from enlace.oir import data_protection

        data_protection.register()
        sweeping.register("oir.deadlines", _deadlines_due, order=20)


def _deadlines_due(now: datetime) -> dict[str, int]:
    from enlace.oir.sweeper import sweep_oir_deadlines

    counts = sweep_oir_deadlines(now=now)
    return {
        "oir items reminded": counts["item_reminded"],
        "oir requests alerted": counts["request_alerted"],
    }
