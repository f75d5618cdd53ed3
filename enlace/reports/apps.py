from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "enlace.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from enlace.cases.permissions import Capability, has_capability
        from enlace.core import navigation

        def reader(user: Any) -> bool:
            return has_capability(user, Capability.VIEW_REPORTS)

        navigation.add_link("reports:dashboard", _("Dashboard"), shown=reader, order=60)
        navigation.add_link("reports:participation", _("Participation"), shown=reader, order=61)
        navigation.add_link("reports:compliance", _("Compliance"), shown=reader, order=62)
