"""Endpoints that outside systems call: the channels' webhooks. Each plug-in adds its own."""

from django.urls import URLPattern, URLResolver, path

from enlace.channels.meta import views as meta

app_name = "channels"
urlpatterns: list[URLPattern | URLResolver] = [
    # WhatsApp Cloud API and Facebook Messenger (enlace/channels/meta).
    path("whatsapp/webhook/", meta.webhook, {"plugin": "whatsapp"}, name="whatsapp_webhook"),
    path("facebook/webhook/", meta.webhook, {"plugin": "facebook"}, name="facebook_webhook"),
]
