from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "enlace.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction studies")

    def ready(self) -> None:
        from enlace.cases.history import case_history
        from enlace.core import navigation, sweeping
        from enlace.core.logformat import register_secret_path
        from enlace.surveys import data_protection
        from enlace.surveys.actions.after_case import invite_after_answer
        from enlace.surveys.actions.invitations import sweep_reminders
        from enlace.surveys.queries import can_see_studies

        navigation.add_link("surveys:studies", _("Studies"), shown=can_see_studies, order=45)

        # Invitations found and erased for people's requests; the comments of responses tied
        # to an erased case (the portal's rating's among them) blanked.
        data_protection.register()
        # An invitation's link is its secret: never in a log line.
        register_secret_path(r"/encuesta/i/([^/\s]+)")
        # The one reminder of each unanswered invitation; addresses blanked once expired.
        sweeping.register("survey_invitations", sweep_reminders, order=70)
        # An answered case invites its citizen to the centre's study "after a case", if any.
        case_history.subscribe(invite_after_answer)
