from django.urls import path

from enlace.channels.tests.fake import views

urlpatterns = [path("fake/", views.receive, name="fake")]
