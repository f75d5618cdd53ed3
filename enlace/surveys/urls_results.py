"""The results of studies: pages, PDF and XLSX."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
