from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "enlace.channels"
    label = "channels"

    def ready(self) -> None:
        from enlace.channels import plugins

        plugins.load_plugins()
