"""The staff's pages of studies, under /estudios/: design, studies, fieldwork, review
(enlace/surveys/views/) and results (enlace/surveys/urls_results.py)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("enlace.surveys.urls_results")),
]
