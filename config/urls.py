from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:list"), name="home"),
    path("cuenta/", include("enlace.accounts.urls")),
    path("casos/", include("enlace.cases.urls")),
    path("informes/", include("enlace.reports.urls")),
    path("mejoras/", include("enlace.improvements.urls")),
    path("importaciones/", include("enlace.imports.urls")),
    path("canales/", include("enlace.channels.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
