from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "enlace.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from enlace.accounts.actions import record_lockout
        from enlace.core import navigation
        from enlace.core.logformat import register_secret_path

        # A password reset's link is its secret: never in a log line.
        register_secret_path(r"/cuenta/contrasena/nueva/([^/\s]+/[^/\s]+)")

        def locked(sender: object, request: Any = None, username: str = "", **kw: Any) -> None:
            record_lockout(username, request)

        user_locked_out.connect(locked, dispatch_uid="enlace.accounts.locked")

        # The user's name and role, their password and the way out, at the header's end.
        navigation.add_part("accounts/_who.html", context=lambda request: {}, order=100)
