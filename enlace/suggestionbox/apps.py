from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionBoxConfig(AppConfig):
    name = "enlace.suggestionbox"
    label = "suggestionbox"
    verbose_name = _("Suggestion boxes")
