from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionBoxConfig(AppConfig):
    name = "enlace.suggestionbox"
    label = "suggestionbox"
    verbose_name = _("Suggestion boxes")

    def ready(self) -> None:
        from enlace.cases.permissions import Capability, has_capability
        from enlace.core import navigation

        navigation.add_link(
            "suggestionbox:list",
            _("Suggestion boxes"),
            shown=lambda user: has_capability(user, Capability.OPEN_BOX),
            group="desk",
            order=60,
        )
