from django.urls import path

from enlace.improvements import views

app_name = "improvements"
urlpatterns = [
    path("", views.improvement_list, name="list"),
    path("nueva/", views.improvement_new, name="new"),
    path("<int:pk>/", views.improvement_detail, name="detail"),
]
