from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "enlace.improvements"
    label = "improvements"
    verbose_name = _("Improvement opportunities")

    def ready(self) -> None:
        from enlace.cases import page_links
        from enlace.cases.permissions import Capability, has_capability
        from enlace.core import navigation

        # An improvement opportunity drawn from a case, from the case's page.
        page_links.add_link(
            "improvements:new",
            _("Create an improvement opportunity"),
            shown=lambda user, case: has_capability(user, Capability.IMPROVE),
            parameter="casos",
        )
        navigation.add_link(
            "improvements:list",
            _("Improvements"),
            shown=lambda user: (
                has_capability(user, Capability.IMPROVE)
                or has_capability(user, Capability.VIEW_REPORTS)
            ),
            order=40,
        )
