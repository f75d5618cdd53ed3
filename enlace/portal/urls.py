from django.urls import path

from enlace.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("seguimiento/", views.track, name="track"),
    path("seguimiento/calificar/", views.rate, name="rate"),
]
