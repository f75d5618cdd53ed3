"""The media archive and its analysis, mounted at /medios/ (config/urls.py)."""

from django.urls import path

from enlace.media import views

app_name = "media"
urlpatterns = [
    path("", views.news_list, name="list"),
    path("nueva/", views.news_new, name="new"),
    path("<int:pk>/", views.news_detail, name="detail"),
    path("<int:pk>/archivo/", views.news_clip, name="clip"),
    path("<int:pk>/caso/", views.news_make_case, name="make_case"),
    path("analisis/", views.analysis, name="analysis"),
    path("analisis.pdf", views.analysis_pdf_view, name="analysis_pdf"),
    path("analisis.xlsx", views.analysis_xlsx_view, name="analysis_xlsx"),
]
