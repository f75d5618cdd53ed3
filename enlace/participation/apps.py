from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_reference_data(sender: AppConfig, **kwargs: Any) -> None:
    """After every migrate, create the mechanisms and accounts the data file has and the
    database lacks (edits made in the administration are kept)."""
    from enlace.participation.loading import load_mechanisms

    load_mechanisms(update_existing=False)


class ParticipationConfig(AppConfig):
    name = "enlace.participation"
    label = "participation"
    verbose_name = _("Participation mechanisms")

    def ready(self) -> None:
        from enlace.cases.permissions import Capability, case_scope, has_capability
        from enlace.core import navigation

        post_migrate.connect(_ensure_reference_data, sender=self)
        navigation.add_link(
            "participation:events",
            _("Participation mechanisms"),
            shown=lambda user: has_capability(user, Capability.MANAGE_PARTICIPATION),
            order=45,
        )
        navigation.add_home(
            "participation:events",
            shown=lambda user: (
                has_capability(user, Capability.MANAGE_PARTICIPATION) and case_scope(user) is None
            ),
            order=20,
        )
