"""Mounted at /informes/suscripciones/ (config/urls.py, before the reports' own URLs)."""

from django.urls import path

from enlace.subscriptions import views

app_name = "subscriptions"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("nueva/", views.subscription_new, name="new"),
    path("todas/", views.subscription_all, name="all"),
    path("<int:pk>/terminar/", views.subscription_end, name="end"),
]
