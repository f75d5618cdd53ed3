from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.api import api
from enlace.core import views as core_views
from enlace.portal import views as portal_views

# The administration's own titles, not Django's.
admin.site.site_header = _("Enlace administration")
admin.site.site_title = _("Enlace administration")
admin.site.index_title = _("Reference data, accounts and queues")

urlpatterns = [
    # The public portal: `/` to write to the institute, `/seguimiento/` to follow a case.
    path("", portal_views.home, name="home"),
    path("", include("enlace.portal.urls")),
    path("inicio/", core_views.start, name="start"),
    path("cuenta/", include("enlace.accounts.urls")),
    path("casos/", include("enlace.cases.urls")),
    path("avisos/", include("enlace.notifications.urls")),  # one's alerts: the header's bell
    path("informes/suscripciones/", include("enlace.subscriptions.urls")),
    path("informes/", include("enlace.reports.urls")),
    path("mejoras/", include("enlace.improvements.urls")),
    path("medios/", include("enlace.media.urls")),
    path("estudios/", include("enlace.surveys.urls")),
    path("participacion/", include("enlace.participation.urls")),
    path("encuesta/", include("enlace.surveys.public.urls")),
    path("importaciones/", include("enlace.imports.urls")),
    path("canales/", include("enlace.channels.urls")),
    path("", include("enlace.callcentre.urls")),  # /canales/cti/ and /llamadas/
    path("", include("enlace.campaigns.urls")),  # /campanas/
    path("buzon/", include("enlace.suggestionbox.urls")),
    path("oir/", include("enlace.oir.urls")),
    path("proteccion-datos/", include("enlace.privacy.urls")),
    path("informacion-publica/", include("enlace.oir.public_urls")),
    path("open311/v2/", include("enlace.open311.urls")),  # GeoReport v2
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
