"""Endpoints that outside systems call: the channels' webhooks. Each plug-in adds its own."""

from django.urls import URLPattern, URLResolver

app_name = "channels"
urlpatterns: list[URLPattern | URLResolver] = []
