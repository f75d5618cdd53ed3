"""Staff accounts as an attacker would try them: repeated passwords lock the account (and an
address), roles that see the most give a second factor, idle sessions end, an administrator
ends sessions and unlocks, a forgotten password takes a one-time link. Through real URLs."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlace.accounts.admin import UserAdmin
from enlace.accounts.models import AccountEvent, AccountEventKind, User

LOGIN = reverse("accounts:login")
CASES = reverse("cases:list")
PASSWORD = "secreto-de-prueba"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- Lock-out and throttling ------------------------------------------------------------------
def test_repeated_wrong_passwords_lock_the_account_until_an_administrator_unlocks_it(
    agent, admin_user, client, client_for, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    for _attempt in range(4):
        assert log_in(client, "alicia", "mala").status_code == 200
    locked = log_in(client, "alicia", "mala")
    assert locked.status_code == 429
    assert "Cuenta bloqueada" in locked.content.decode()
    # The right password does not open it while it is locked.
    assert log_in(client, "alicia").status_code == 429
    assert not client.get(CASES).wsgi_request.user.is_authenticated
    assert AccountEvent.objects.filter(user=agent, kind=AccountEventKind.LOCKED).exists()
    # An administrator unlocks it from the admin.
    admin_client = client_for(admin_user)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock", "_selected_action": [agent.pk]},
    )
    assert response.status_code == 302
    assert log_in(client, "alicia").status_code == 302
    assert client.get(CASES).status_code == 200
    assert AccountEvent.objects.get(user=agent, kind=AccountEventKind.UNLOCKED).actor == admin_user


def test_the_admin_login_is_locked_the_same_way(admin_user, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("admin:login")
    credentials = {"username": admin_user.username, "password": "mala"}
    for _attempt in range(2):
        client.post(url, credentials)
    assert client.post(url, credentials).status_code == 429


def test_an_address_that_fails_too_often_is_throttled_whatever_the_account(
    agent, resolution, client, settings
):
    settings.LOGIN_ADDRESS_LIMIT = 3
    settings.AXES_FAILURE_LIMIT = 100
    for username in ("alicia", "rosa", "nadie"):
        assert log_in(client, username, "mala").status_code == 200
    refused = log_in(client, "rosa")
    assert refused.status_code == 429
    assert "Demasiados intentos" in refused.content.decode()
    assert refused["Retry-After"]
    # Another address is not concerned.
    assert log_in(client, "rosa", REMOTE_ADDR="10.1.2.3").status_code == 302


# --- The second factor -------------------------------------------------------------------------
@pytest.fixture
def policy(settings):
    settings.SECOND_FACTOR_ROLES = ["resolution", "administrator"]


def enrol(client, user):
    """Log in, be sent to enrol, enrol with the phone's code; the recovery codes shown."""
    response = log_in(client, user.username)
    assert response.status_code == 302
    page = client.get(CASES)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:second_factor_enrol"))
    form = client.get(page["Location"])
    assert "<svg" in form.content.decode()  # the QR code, drawn here
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(page["Location"], {"token": code_of(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-z]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


def test_a_role_of_the_policy_enrols_its_phone_at_the_first_login(
    policy, resolution, client, settings
):
    enrol(client, resolution)
    assert client.get(CASES).status_code == 200
    assert AccountEvent.objects.filter(
        user=resolution, kind=AccountEventKind.SECOND_FACTOR_ENROLLED
    ).exists()


def test_the_next_login_asks_for_the_code_and_a_recovery_code_works_once(
    policy, resolution, client, django_user_model
):
    _device, codes = enrol(client, resolution)
    client.post(reverse("accounts:logout"))
    assert log_in(client, "rosa").status_code == 302
    asked = client.get(CASES)
    assert asked["Location"].startswith(reverse("accounts:second_factor"))
    wrong = client.post(asked["Location"], {"token": "000000"})
    assert wrong.status_code == 400
    assert "no es correcto" in wrong.content.decode()
    assert client.get(CASES).status_code == 302
    assert client.post(asked["Location"], {"token": codes[0]}).status_code == 302
    assert client.get(CASES).status_code == 200
    # The same recovery code, in another session, no longer works.
    client.post(reverse("accounts:logout"))
    log_in(client, "rosa")
    assert client.post(reverse("accounts:second_factor"), {"token": codes[0]}).status_code == 400
    # A wrong code slows the next attempt down for a moment (django-otp's throttling).
    slowed = client.post(reverse("accounts:second_factor"), {"token": codes[1]})
    assert "espere unos segundos" in slowed.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        assert (
            client.post(reverse("accounts:second_factor"), {"token": codes[1]}).status_code == 302
        )


def test_a_role_outside_the_policy_logs_in_with_its_password(policy, agent, client):
    log_in(client, "alicia")
    assert client.get(CASES).status_code == 200


def test_the_api_with_a_session_needs_the_second_factor_too(policy, resolution, client):
    log_in(client, "rosa")
    response = client.get("/api/v1/cases")
    assert response.status_code == 403
    assert "segundo factor" in response.json()["detail"]


def test_an_administrator_resets_a_lost_phone_and_every_session_ends(
    policy, resolution, admin_user, client, client_for
):
    enrol(client, resolution)
    assert client.get(CASES).status_code == 200
    admin_user = User.objects.get(pk=admin_user.pk)
    UserAdmin(User, site).reset_second_factor(
        _admin_request(client_for, admin_user), User.objects.filter(pk=resolution.pk)
    )
    assert client.get(CASES).status_code == 302  # the session ended
    assert not TOTPDevice.objects.filter(user=resolution).exists()
    log_in(client, "rosa")
    assert client.get(CASES)["Location"].startswith(reverse("accounts:second_factor_enrol"))


def _admin_request(client_for, user):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


# --- Sessions ---------------------------------------------------------------------------------
def test_an_idle_session_ends(agent, client, settings):
    settings.SESSION_IDLE_SECONDS = 15 * 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "alicia")
        assert client.get(CASES).status_code == 200
        clock.shift(timedelta(minutes=10))
        assert client.get(CASES).status_code == 200  # activity keeps it open
        clock.shift(timedelta(minutes=14))
        assert client.get(CASES).status_code == 200
        clock.shift(timedelta(minutes=16))
        ended = client.get(CASES)
        assert ended.status_code == 302
        assert ended["Location"].startswith(LOGIN)


def test_polling_is_not_activity(agent, client, settings):
    settings.SESSION_IDLE_SECONDS = 15 * 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "alicia")
        client.get(CASES)
        for _minute in range(16):
            clock.shift(timedelta(minutes=1))
            client.get(CASES, headers={"X-Enlace-Poll": "1"})
        assert client.get(CASES).status_code == 302


def test_an_administrator_ends_every_session_of_an_account(agent, admin_user, client, client_for):
    log_in(client, "alicia")
    assert client.get(CASES).status_code == 200
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [agent.pk]},
    )
    assert response.status_code == 302
    assert client.get(CASES).status_code == 302
    assert AccountEvent.objects.filter(user=agent, kind=AccountEventKind.SESSIONS_ENDED).exists()


# --- A forgotten password ----------------------------------------------------------------------
def test_a_forgotten_password_takes_a_one_time_link(agent, client):
    User.objects.filter(pk=agent.pk).update(email="alicia@isss.example")
    other_session = type(client)()
    log_in(other_session, "alicia")
    response = client.post(reverse("accounts:password_reset"), {"email": "alicia@isss.example"})
    assert response.status_code == 302
    [message] = mail.outbox
    link = re.search(r"https?://[^/]+(/cuenta/contrasena/nueva/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Elija una contraseña nueva" in form.content.decode()
    post_to = form.redirect_chain[-1][0]
    done = client.post(
        post_to, {"new_password1": "una-clave-nueva-2026", "new_password2": "una-clave-nueva-2026"}
    )
    assert done.status_code == 302
    assert log_in(client, "alicia", "una-clave-nueva-2026").status_code == 302
    # The link worked once; the session opened before ended.
    assert "ya no funciona" in client.get(link, follow=True).content.decode()
    assert other_session.get(CASES).status_code == 302
    assert AccountEvent.objects.filter(user=agent, kind=AccountEventKind.PASSWORD_RESET).exists()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db, client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nadie@example.com"})
    assert response.status_code == 302
    assert not mail.outbox


# --- Headers ---------------------------------------------------------------------------------
def test_pages_carry_a_content_security_policy(agent, client_for):
    response = client_for(agent).get(CASES)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_what_people_and_api_clients_read_is_not_kept_in_caches(agent, client_for, client):
    staff = client_for(agent)
    for url in (CASES, reverse("cases:new"), reverse("cases:queue")):
        control = staff.get(url)["Cache-Control"]
        assert "no-store" in control
        assert "private" in control
    assert "no-store" in client.get("/api/v1/cases")["Cache-Control"]
