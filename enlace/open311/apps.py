from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "enlace.open311"
    label = "open311"
