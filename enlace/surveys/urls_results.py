"""The results of studies: pages, PDF and XLSX."""

from django.urls import URLPattern, path

from enlace.surveys.views import results

urlpatterns: list[URLPattern] = [
    path("<int:pk>/resultados/", results.results_page, name="results"),
    path("<int:pk>/resultados.pdf", results.results_pdf_view, name="results_pdf"),
    path("<int:pk>/resultados.xlsx", results.results_xlsx_view, name="results_xlsx"),
    path("<int:pk>/comentarios/", results.comments_page, name="comments"),
    path("tendencias/", results.trends_page, name="trends"),
]
