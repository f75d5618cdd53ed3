from django.urls import path

from enlace.reports import views

app_name = "reports"
urlpatterns = [
    path("cumplimiento/", views.compliance, name="compliance"),
    path("participacion/", views.participation, name="participation"),
]
