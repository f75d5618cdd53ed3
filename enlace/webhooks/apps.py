from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "enlace.webhooks"
    label = "webhooks"
