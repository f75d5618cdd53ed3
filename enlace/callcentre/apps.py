from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallCentreConfig(AppConfig):
    name = "enlace.callcentre"
    label = "callcentre"
    verbose_name = _("Call centre")
