from django.urls import path

from enlace.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("plantilla.csv", views.template, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/rechazadas.csv", views.rejected_rows, name="rejected"),
]
