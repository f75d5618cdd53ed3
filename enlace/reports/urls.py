from django.urls import path

from enlace.reports import views
from enlace.reports.dashboard_views import dashboard_view

app_name = "reports"
urlpatterns = [
    path("tablero/", dashboard_view, name="dashboard"),
    path("cumplimiento/", views.compliance, name="compliance"),
    path("participacion/", views.participation, name="participation"),
    path("mecanismos/", views.mechanisms, name="mechanisms"),
]
