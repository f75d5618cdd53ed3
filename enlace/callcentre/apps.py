from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class CallCentreConfig(AppConfig):
    name = "enlace.callcentre"
    label = "callcentre"
    verbose_name = _("Call centre")

    def ready(self) -> None:
        from enlace.accounts.models import User
        from enlace.callcentre import actions
        from enlace.callcentre.quality_queries import reads_quality
        from enlace.callcentre.queries import (
            has_console,
            sees_call_figures,
            sees_call_log,
            sees_own_figures_only,
        )
        from enlace.cases import intake
        from enlace.core import navigation

        navigation.add_link("callcentre:list", _("Calls"), shown=sees_call_log, group="desk")

        def reads_figures(user: User) -> bool:
            return sees_call_figures(user) or sees_own_figures_only(user)

        navigation.add_link(
            "callcentre:figures", _("Call figures"), shown=reads_figures, group="desk"
        )
        navigation.add_link(
            "callcentre:quality", _("Call quality"), shown=reads_quality, group="desk"
        )

        def console(request: HttpRequest) -> dict[str, Any] | None:
            user = request.user
            return {} if isinstance(user, User) and has_console(user) else None

        navigation.add_part("callcentre/_console.html", context=console)
        # The intake opened from a call starts with the caller, and links the case to it.
        intake.add_initial(actions.intake_initial_for_call)
        intake.add_linked(actions.do_link_case_to_call)
        intake.set_person_lookup("callcentre:history")  # the person's earlier cases
        from enlace.callcentre import data_protection

        data_protection.register()
