from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "enlace.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from enlace.core import navigation

        # The user's name and role, their password and the way out, at the header's end.
        navigation.add_part("accounts/_who.html", context=lambda request: {}, order=100)
