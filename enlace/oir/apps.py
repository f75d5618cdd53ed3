from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OirConfig(AppConfig):
    name = "enlace.oir"
    label = "oir"
    verbose_name = _("Information requests (OIR)")
