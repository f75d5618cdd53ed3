from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "enlace.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction studies")

    def ready(self) -> None:
        from enlace.core import navigation, sweeping
        from enlace.surveys import data_protection
        from enlace.surveys.actions.invitations import sweep_reminders
        from enlace.surveys.queries import can_see_studies

        navigation.add_link("surveys:studies", _("Studies"), shown=can_see_studies, order=45)

        data_protection.register()
        # The one reminder of each unanswered invitation; addresses blanked once expired.
        sweeping.register("survey_invitations", sweep_reminders, order=70)
