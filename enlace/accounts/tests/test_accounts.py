"""Login, logout, password change and the role rules of users."""

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse

from enlace.accounts.models import Role, User


def test_a_user_logs_in_and_lands_on_their_queue(agent, client):
    response = client.post(
        reverse("accounts:login"), {"username": "alicia", "password": "secreto-de-prueba"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert client.get(reverse("start"))["Location"] == reverse("cases:queue")
    assert client.get(reverse("cases:queue")).status_code == 200


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


def templates_of(response):
    return [template.name for template in response.templates]


def test_the_password_change_is_the_consoles_page_not_the_admins(agent, client_for):
    # django.contrib.admin comes before enlace.accounts in INSTALLED_APPS: a view left on the
    # default template names would render admin's registration/password_change_form.html.
    response = client_for(agent).get(reverse("accounts:password_change"))
    assert response.status_code == 200
    used = templates_of(response)
    assert used[0] == "accounts/password_change_form.html"
    assert "base.html" in used
    assert not [name for name in used if name.startswith(("admin/", "registration/"))]
    html = response.content.decode()
    assert 'id="password-change"' in html
    assert "admin/css/" not in html
    assert "Cambiar contraseña" in html
    # The validators' help is where the input's aria-describedby points.
    assert 'aria-describedby="id_new_password1_helptext"' in html
    assert 'id="id_new_password1_helptext"' in html


def test_a_password_changed_end_to_end(agent, client, client_for):
    elsewhere = client_for(agent)  # the same account logged in on another computer
    assert elsewhere.get(reverse("cases:list")).status_code == 200
    client.post(reverse("accounts:login"), {"username": "alicia", "password": "secreto-de-prueba"})
    assert client.get(reverse("cases:list")).status_code == 200

    url = reverse("accounts:password_change")
    new = "otra-clave-larga-2026"
    wrong = {"old_password": "no-es-esta", "new_password1": new, "new_password2": new}
    response = client.post(url, wrong)
    assert response.status_code == 200
    assert templates_of(response)[0] == "accounts/password_change_form.html"
    assert 'class="field required has-error"' in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password("secreto-de-prueba")

    right = {"old_password": "secreto-de-prueba", "new_password1": new, "new_password2": new}
    response = client.post(url, right, follow=True)
    assert response.redirect_chain == [(reverse("accounts:password_done"), 302)]
    assert templates_of(response)[0] == "accounts/password_change_done.html"
    assert 'id="password-changed"' in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(new)
    # This session stays; the other one ended with the old password.
    assert client.get(reverse("cases:list")).status_code == 200
    assert elsewhere.get(reverse("cases:list")).status_code == 302

    client.post(reverse("accounts:logout"))
    old = {"username": "alicia", "password": "secreto-de-prueba"}
    assert client.post(reverse("accounts:login"), old).status_code == 200  # refused
    response = client.post(reverse("accounts:login"), {"username": "alicia", "password": new})
    assert response.status_code == 302


def test_the_password_change_needs_a_login(client):
    for name in ("accounts:password_change", "accounts:password_done"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_centre_scoped_role_needs_a_centre(db):
    with pytest.raises(IntegrityError):
        User.objects.create_user(username="sin-centro", password="x", role=Role.LIAISON)


def test_session_cookies_are_http_only_and_expire():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
