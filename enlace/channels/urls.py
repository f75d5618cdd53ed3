"""Endpoints that outside systems call (mounted at /canales/): each plug-in that has one names
its URLconf (`ChannelPlugin.urls`), and it is included here."""

from django.urls import URLPattern, URLResolver, include, path

from enlace.channels.plugins import url_modules

app_name = "channels"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(module)) for module in url_modules()
]
