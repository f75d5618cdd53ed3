from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "enlace.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction studies")

    def ready(self) -> None:
        from enlace.cases.history import case_history
        from enlace.core import sweeping
        from enlace.privacy.registry import register_case_eraser
        from enlace.surveys.actions import portal
        from enlace.surveys.actions.after_case import invite_after_answer
        from enlace.surveys.actions.invitations import sweep_reminders

        # The one reminder of each unanswered invitation; addresses blanked once expired.
        sweeping.register("survey_invitations", sweep_reminders, order=70)
        # An answered case invites its citizen to the centre's study "after a case", if any.
        case_history.subscribe(invite_after_answer)
        # The words of responses tied to an erased case (the portal's rating's comment) go.
        register_case_eraser(portal.erase_for_cases)
