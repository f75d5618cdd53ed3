"""Mounted at the root (config/urls.py): the call campaigns under /campanas/."""

from django.urls import path

from enlace.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campanas/", views.campaign_list, name="list"),
    path("campanas/nueva/", views.campaign_new, name="new"),
    path("campanas/no-llamar/", views.do_not_call, name="do_not_call"),
    path(
        "campanas/no-llamar/<int:pk>/quitar/",
        views.do_not_call_remove,
        name="do_not_call_remove",
    ),
    path("campanas/<int:pk>/", views.campaign_detail, name="detail"),
    path("campanas/<int:pk>/editar/", views.campaign_edit, name="edit"),
    path("campanas/<int:pk>/paso/", views.campaign_step, name="step"),
    path("campanas/<int:pk>/importar/", views.campaign_import, name="import"),
    path("campanas/<int:pk>/resultados.xlsx", views.campaign_results, name="results"),
    path("campanas/<int:pk>/siguiente/", views.next_call, name="next"),
    path("campanas/<int:pk>/reasignar/", views.reassign, name="reassign"),
    path("campanas/importaciones/<int:pk>/rechazadas.csv", views.import_rejected, name="rejected"),
    path("campanas/llamada/<int:pk>/", views.call, name="call"),
    path("campanas/llamada/<int:pk>/devolver/", views.release, name="release"),
]
