"""Mounted at the root (config/urls.py): the call log, the management figures, the wall board and
the targets under /llamadas/. (The PBX's endpoint is the channel plug-in's, /canales/cti/.)"""

from django.urls import path

from enlace.callcentre import figures_views, views

app_name = "callcentre"
urlpatterns = [
    path("llamadas/", views.call_list, name="list"),
    path("llamadas/consola/", views.panel, name="panel"),
    path("llamadas/historial/", views.history, name="history"),
    path("llamadas/<int:pk>/", views.call_detail, name="detail"),
    path("llamadas/indicadores/", figures_views.indicators, name="figures"),
    path("llamadas/indicadores.pdf", figures_views.indicators_pdf, name="figures_pdf"),
    path("llamadas/indicadores.xlsx", figures_views.indicators_xlsx, name="figures_xlsx"),
    path("llamadas/tablero/", figures_views.board, name="board"),
    path("llamadas/tablero/cifras/", figures_views.board_figures, name="board_figures"),
    path("llamadas/metas/", figures_views.targets, name="targets"),
    path("llamadas/metas/<int:pk>/eliminar/", figures_views.delete_target, name="delete_target"),
]
