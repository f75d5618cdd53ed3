from django.apps import AppConfig


class OirConfig(AppConfig):
    name = "enlace.oir"
    label = "oir"
