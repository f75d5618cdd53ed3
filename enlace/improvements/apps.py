from django.apps import AppConfig


class ImprovementsConfig(AppConfig):
    name = "enlace.improvements"
    label = "improvements"
