from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "enlace.demo"
    label = "demo"
