"""Mounted at the root (config/urls.py): the call log under /llamadas/. (The PBX's endpoint is the
channel plug-in's, /canales/cti/.)"""

from django.urls import path

from enlace.callcentre import views

app_name = "callcentre"
urlpatterns = [
    path("llamadas/", views.call_list, name="list"),
    path("llamadas/consola/", views.panel, name="panel"),
    path("llamadas/historial/", views.history, name="history"),
    path("llamadas/<int:pk>/", views.call_detail, name="detail"),
]
