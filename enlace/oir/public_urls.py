from django.urls import path

from enlace.oir import public_views

app_name = "oir_public"
urlpatterns = [
    path("", public_views.file_request, name="file"),
    path("recibo/<uuid:token>/", public_views.receipt, name="receipt"),
    path("seguimiento/", public_views.track, name="track"),
    path("seguimiento/resolucion.pdf", public_views.track_pdf, name="track_pdf"),
    path("registro/", public_views.register, name="register"),
    path("registro/<str:number>/", public_views.register_entry, name="entry"),
    path("indice-reservado/", public_views.reserved_index, name="reserved"),
]
