from django.apps import AppConfig


class SuggestionBoxConfig(AppConfig):
    name = "enlace.suggestionbox"
    label = "suggestionbox"
