"""Mounted at /avisos/ (config/urls.py): a person's own alerts and what comes by e-mail."""

from django.urls import path

from enlace.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.alert_list, name="inbox"),
    path("leidos/", views.alert_read_all, name="read_all"),
    path("preferencias/", views.preferences, name="preferences"),
    path("<int:pk>/", views.alert_open, name="open"),
    path("<int:pk>/leido/", views.alert_read, name="read"),
]
