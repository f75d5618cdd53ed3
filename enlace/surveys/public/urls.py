"""The public questionnaire under /encuesta/: by invitation link or a centre's QR code."""

from django.urls import URLPattern

app_name = "survey_public"
urlpatterns: list[URLPattern] = []
