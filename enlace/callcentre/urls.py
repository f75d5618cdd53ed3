"""Mounted at the root (config/urls.py): the PBX's endpoint beside the other channels' webhooks
under /canales/, the call log under /llamadas/."""

from django.urls import path

from enlace.callcentre import views

app_name = "callcentre"
urlpatterns = [
    path("canales/cti/", views.cti, name="cti"),
    path("llamadas/", views.call_list, name="list"),
    path("llamadas/consola/", views.panel, name="panel"),
    path("llamadas/historial/", views.history, name="history"),
    path("llamadas/<int:pk>/", views.call_detail, name="detail"),
]
