from django.urls import path

from enlace.participation import views

app_name = "participation"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("eventos/nuevo/", views.event_new, name="event_new"),
    path("eventos/importar/", views.event_import, name="event_import"),
    path("eventos/<int:pk>/", views.event_detail, name="event"),
    path("eventos/<int:pk>/eliminar/", views.event_delete, name="event_delete"),
    path("eventos/<int:pk>/evidencias/", views.evidence_add, name="evidence_add"),
    path(
        "eventos/<int:pk>/evidencias/<int:evidence_pk>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path("redes/", views.accounts, name="accounts"),
    path("redes/importar/", views.figures_import, name="figures_import"),
    path("redes/<int:pk>/", views.account_figures, name="account"),
    path("medios/", views.media, name="media"),
    path("medios/nuevo/", views.medium_edit, name="medium_new"),
    path("medios/<int:pk>/", views.medium_edit, name="medium"),
    path("mecanismos/", views.mechanisms, name="mechanisms"),
    path("mecanismos/<slug:code>/", views.mechanism_edit, name="mechanism"),
]
