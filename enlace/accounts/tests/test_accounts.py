"""Login, logout, password change and the role rules of users."""

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse

from enlace.accounts.models import Role, User


def test_a_user_logs_in_and_lands_on_the_case_list(agent, client):
    response = client.post(
        reverse("accounts:login"), {"username": "alicia", "password": "secreto-de-prueba"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert client.get(reverse("cases:list")).status_code == 200


def test_a_wrong_password_is_refused_in_spanish(agent, client):
    response = client.post(reverse("accounts:login"), {"username": "alicia", "password": "x"})
    assert response.status_code == 200
    assert (
        "Por favor, introduzca un nombre de usuario y clave correctos" in response.content.decode()
    )


def test_logout_ends_the_session(agent, client_for):
    client = client_for(agent)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("cases:list")).status_code == 302


def test_a_user_changes_their_password(agent, client_for):
    client = client_for(agent)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "secreto-de-prueba",
            "new_password1": "otra-clave-larga-2026",
            "new_password2": "otra-clave-larga-2026",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("otra-clave-larga-2026")


def test_a_centre_scoped_role_needs_a_centre(db):
    with pytest.raises(IntegrityError):
        User.objects.create_user(username="sin-centro", password="x", role=Role.LIAISON)


def test_session_cookies_are_http_only_and_expire():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
