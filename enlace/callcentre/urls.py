"""Mounted at the root (config/urls.py): the call log, the management figures, the wall board,
the targets and the quality evaluations under /llamadas/. (The PBX's endpoint is the channel
plug-in's, /canales/cti/.)"""

from django.urls import path

from enlace.callcentre import figures_views, quality_views, views

app_name = "callcentre"
urlpatterns = [
    path("llamadas/", views.call_list, name="list"),
    path("llamadas/consola/", views.panel, name="panel"),
    path("llamadas/historial/", views.history, name="history"),
    path("llamadas/<int:pk>/", views.call_detail, name="detail"),
    path("llamadas/<int:pk>/evaluar/", quality_views.evaluate_call, name="evaluate"),
    path("llamadas/calidad/", quality_views.quality, name="quality"),
    path("llamadas/calidad/<int:pk>/", quality_views.evaluation, name="evaluation"),
    path(
        "llamadas/calidad/respuestas/<int:pk>/evaluar/",
        quality_views.evaluate_answer,
        name="evaluate_answer",
    ),
    path("llamadas/indicadores/", figures_views.indicators, name="figures"),
    path("llamadas/indicadores.pdf", figures_views.indicators_pdf, name="figures_pdf"),
    path("llamadas/indicadores.xlsx", figures_views.indicators_xlsx, name="figures_xlsx"),
    path("llamadas/tablero/", figures_views.board, name="board"),
    path("llamadas/tablero/cifras/", figures_views.board_figures, name="board_figures"),
    path("llamadas/metas/", figures_views.targets, name="targets"),
    path("llamadas/metas/<int:pk>/eliminar/", figures_views.delete_target, name="delete_target"),
]
