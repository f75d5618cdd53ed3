from django.urls import path

from enlace.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("solicitudes/", views.request_list, name="requests"),
    path("solicitudes/nueva/", views.request_new, name="request_new"),
    path("solicitudes/<int:pk>/", views.request_detail, name="request"),
    path("solicitudes/<int:pk>/buscar/", views.request_search, name="request_search"),
    path(
        "solicitudes/<int:pk>/datos.json",
        views.request_export,
        {"export_format": "json"},
        name="request_json",
    ),
    path(
        "solicitudes/<int:pk>/datos.pdf",
        views.request_export,
        {"export_format": "pdf"},
        name="request_pdf",
    ),
    path("solicitudes/<int:pk>/rectificar/", views.request_rectify, name="request_rectify"),
    path("solicitudes/<int:pk>/cancelar/", views.request_cancel, name="request_cancel"),
    path(
        "solicitudes/<int:pk>/ampliar/",
        views.request_step,
        {"step": "extend"},
        name="request_extend",
    ),
    path(
        "solicitudes/<int:pk>/responder/",
        views.request_step,
        {"step": "answer"},
        name="request_answer",
    ),
    path(
        "solicitudes/<int:pk>/denegar/",
        views.request_step,
        {"step": "refuse"},
        name="request_refuse",
    ),
    path("accesos/", views.access_log, name="access_log"),
    path("accesos-inusuales/", views.unusual_list, name="unusual"),
    path("accesos-inusuales/<int:pk>/revisado/", views.unusual_review, name="unusual_review"),
    path("brechas/", views.breach_list, name="breaches"),
    path("brechas/nueva/", views.breach_new, name="breach_new"),
    path("brechas/<int:pk>/", views.breach_detail, name="breach"),
    path("brechas/<int:pk>/aviso/", views.breach_notice, name="breach_notice"),
    path("brechas/<int:pk>/cerrar/", views.breach_close, name="breach_close"),
    path("conservacion/", views.retention, name="retention"),
]
