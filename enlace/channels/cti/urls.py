"""The telephone system's endpoint, under /canales/ (enlace/channels/urls.py)."""

from django.urls import path

from enlace.channels.cti import views

urlpatterns = [path("cti/", views.cti, name="cti")]
