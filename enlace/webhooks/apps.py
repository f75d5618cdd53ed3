from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "enlace.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Registers its reference data (enlace/core/reference.py) in every process, so a
        # change made anywhere, a management command included, reaches every cache.
        from enlace.webhooks import outbox  # noqa: F401
