from django.urls import path

from enlace.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("recibo/", views.receipt, name="receipt"),
    path("seguimiento/", views.track, name="track"),
    path("seguimiento/responder/", views.reply, name="reply"),
    path("seguimiento/calificar/", views.rate, name="rate"),
    path("mis-datos/", views.data_request, name="data_request"),
    path("mis-datos/recibo/<uuid:token>/", views.data_receipt, name="data_receipt"),
]
