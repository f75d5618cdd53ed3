from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "enlace.notifications"
    label = "notifications"
