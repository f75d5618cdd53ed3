from django.urls import path

from enlace.oir import views

app_name = "oir"
urlpatterns = [
    path("", views.home, name="home"),
    path("solicitudes/", views.request_list, name="list"),
    path("solicitudes/nueva/", views.request_new, name="new"),
    path("correo/<int:pk>/", views.mail_group, name="mail"),
    path("solicitudes/<int:pk>/", views.request_detail, name="detail"),
    path("solicitudes/<int:pk>/resolucion.pdf", views.resolution_pdf, name="pdf"),
    path("solicitudes/<int:pk>/<slug:action>/", views.request_action, name="action"),
    path("unidad/", views.unit_items, name="unit"),
    path("requerimientos/<int:pk>/", views.item_detail, name="item"),
    path("requerimientos/<int:pk>/archivo/", views.item_file, name="item_file"),
    path("indice-reservado/", views.reserved_index, name="reserved"),
    path(
        "indice-reservado/<int:pk>/desclasificar/",
        views.reserved_declassify,
        name="declassify",
    ),
    path("estadisticas/", views.statistics, name="statistics"),
]
