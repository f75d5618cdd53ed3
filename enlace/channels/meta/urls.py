"""The Meta platforms' webhooks, under /canales/ (enlace/channels/urls.py)."""

from django.urls import path

from enlace.channels.meta import views

urlpatterns = [
    path("whatsapp/webhook/", views.webhook, {"plugin": "whatsapp"}, name="whatsapp_webhook"),
    path("facebook/webhook/", views.webhook, {"plugin": "facebook"}, name="facebook_webhook"),
]
