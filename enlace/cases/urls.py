from django.urls import path

from enlace.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("nuevo/", views.case_new, name="new"),
    path("bandeja/", views.work_queue_view, name="queue"),
    path("exportar/", views.case_export, name="export"),
    path("lote/", views.case_bulk, name="bulk"),
    path("vistas/", views.saved_view_save, name="view_save"),
    path("vistas/<int:pk>/borrar/", views.saved_view_delete, name="view_delete"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/adjuntos/<int:attachment_id>/", views.case_attachment, name="attachment"),
    path("<int:pk>/archivos/<int:file_id>/", views.case_file, name="file"),
    # Every action on a case, by its Spanish slug (views.CASE_ACTIONS): comentar, clasificar,
    # acusar, evaluar, asignar, proponer, devolver, responder, esperar, reanudar, cerrar,
    # reabrir, fusionar, anular, escalar.
    path("<int:pk>/<slug:action>/", views.case_action, name="action"),
]
