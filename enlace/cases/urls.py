from django.urls import path

from enlace.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("nuevo/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/comentar/", views.case_comment, name="comment"),
    path("<int:pk>/clasificar/", views.case_reclassify, name="reclassify"),
    path("<int:pk>/asignar/", views.case_assign, name="assign"),
    path("<int:pk>/cerrar/", views.case_close, name="close"),
]
