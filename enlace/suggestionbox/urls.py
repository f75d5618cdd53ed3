from django.urls import path

from enlace.suggestionbox import views

app_name = "suggestionbox"
urlpatterns = [
    path("", views.opening_list, name="list"),
    path("nueva/", views.opening_new, name="new"),
    path("<int:pk>/", views.opening_detail, name="detail"),
    path("<int:pk>/transcribir/", views.transcribe, name="transcribe"),
    path("<int:pk>/corregir/", views.correct_count, name="correct"),
]
