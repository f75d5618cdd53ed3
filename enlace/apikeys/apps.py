from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "enlace.apikeys"
    label = "apikeys"
    verbose_name = "API keys"
