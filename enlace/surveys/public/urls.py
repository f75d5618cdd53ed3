"""The public questionnaire under /encuesta/: by invitation link or a centre's QR code."""

from django.urls import URLPattern, path

from enlace.surveys.public import views

app_name = "survey_public"
urlpatterns: list[URLPattern] = [
    path("i/<str:token>/", views.by_invitation, name="invitation"),
    path("c/<str:token>/", views.by_qr, name="qr"),
    path("c/<str:token>/cartel/", views.poster, name="poster"),
    path("gracias/", views.thanks, name="thanks"),
]
