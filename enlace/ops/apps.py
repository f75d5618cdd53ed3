from __future__ import annotations

from datetime import datetime

from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def record_sweep(now: datetime) -> dict[str, int]:
    """The sweeper's last job: when it finished a round (`manage.py status`, the metrics)."""
    from enlace.ops.models import Heartbeat

    Heartbeat.beat(Heartbeat.SWEEP, timezone.now())
    return {}


class OpsConfig(AppConfig):
    name = "enlace.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from enlace.core import sweeping
        from enlace.ops import metrics

        metrics.connect_signals()
        sweeping.register("ops.heartbeat", record_sweep, order=1000)
