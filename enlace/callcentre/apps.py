from django.apps import AppConfig


class CallCentreConfig(AppConfig):
    name = "enlace.callcentre"
    label = "callcentre"
