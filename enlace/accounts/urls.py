from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from enlace.accounts import views

app_name = "accounts"
urlpatterns = [
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("segundo-factor/", views.second_factor, name="second_factor"),
    path("segundo-factor/alta/", views.second_factor_enrol, name="second_factor_enrol"),
    path("seguridad/", views.security, name="security"),
    path(
        "contrasena/",
        # Named in the accounts' folder: django.contrib.admin comes first in INSTALLED_APPS, so
        # its registration/password_change_*.html would be found before any of ours.
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_done"),
        ),
        name="password_change",
    ),
    path(
        "contrasena/lista/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_done",
    ),
    # A forgotten password: a one-time link by e-mail (Django's tokens: valid once, for
    # PASSWORD_RESET_TIMEOUT seconds, void as soon as the password or a login changes).
    path(
        "contrasena/olvido/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "contrasena/olvido/enviado/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "contrasena/nueva/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "contrasena/nueva/lista/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
