"""API keys: created with their service account, stored hashed, authenticated by one query,
revoked at once; the admin shows the raw key exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from enlace.accounts.models import Role, User
from enlace.apikeys.actions import do_create_api_key, do_revoke_api_key, hash_key
from enlace.apikeys.auth import authenticate_key
from enlace.apikeys.models import ApiKey
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency


def test_it_creates_a_key_with_a_service_account(admin_user: User) -> None:
    hg = Dependency.objects.get(code="HG")
    key, raw = do_create_api_key(
        name="Web", role=Role.RESOLUTION, can_write=True, dependencies=[hg], created_by=admin_user
    )
    assert raw.startswith("enl_")
    assert len(raw) > 40
    assert raw.startswith(key.prefix)
    assert key.secret_hash == hash_key(raw)
    assert raw not in key.secret_hash
    assert key.user.role == Role.RESOLUTION
    assert not key.user.has_usable_password()
    assert key.can_write
    assert key.dependency_ids() == [hg.pk]


def test_a_key_without_centres_reaches_all(admin_user: User) -> None:
    key, _raw = do_create_api_key(
        name="BI", role=Role.ANALYST, can_write=False, dependencies=[], created_by=admin_user
    )
    assert key.dependency_ids() is None


def test_it_refuses_a_centre_role_without_exactly_one_centre(admin_user: User) -> None:
    with pytest.raises(BusinessError):
        do_create_api_key(
            name="X", role=Role.LIAISON, can_write=False, dependencies=[], created_by=admin_user
        )
    assert not ApiKey.objects.exists()


def test_it_authenticates_by_the_raw_key_only(admin_user: User) -> None:
    key, raw = do_create_api_key(
        name="Web", role=Role.AGENT, can_write=True, dependencies=[], created_by=admin_user
    )
    found = authenticate_key(raw)
    assert found is not None
    assert found.pk == key.pk
    assert authenticate_key(raw + "x") is None
    assert authenticate_key(key.secret_hash) is None
    assert authenticate_key("") is None


def test_last_used_is_written_at_most_once_a_minute(
    admin_user: User, django_assert_num_queries: object
) -> None:
    key, raw = do_create_api_key(
        name="Web", role=Role.AGENT, can_write=True, dependencies=[], created_by=admin_user
    )
    first = authenticate_key(raw)
    assert first is not None
    assert first.last_used_at is not None
    stamped = first.last_used_at
    again = authenticate_key(raw)
    assert again is not None
    key.refresh_from_db()
    assert key.last_used_at == stamped
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=stamped - timedelta(minutes=2))
    authenticate_key(raw)
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.last_used_at > stamped - timedelta(minutes=1)


def test_a_revoked_key_is_refused(admin_user: User) -> None:
    key, raw = do_create_api_key(
        name="Web", role=Role.AGENT, can_write=True, dependencies=[], created_by=admin_user
    )
    do_revoke_api_key(key, acting_user=admin_user)
    assert authenticate_key(raw) is None
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key.revoked_by == admin_user
    assert not User.objects.get(pk=key.user_id).is_active
    revoked_at = key.revoked_at
    do_revoke_api_key(key, acting_user=admin_user)  # twice changes nothing
    key.refresh_from_db()
    assert key.revoked_at == revoked_at


def test_the_admin_shows_the_key_once_and_revokes(admin_user: User, client_for: object) -> None:
    client: Client = client_for(admin_user)  # type: ignore[operator]
    hg = Dependency.objects.get(code="HG")
    response = client.post(
        "/admin/apikeys/apikey/add/",
        {"name": "Sitio web", "role": Role.RESOLUTION, "can_write": "on", "dependencies": [hg.pk]},
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    raw = response.context["raw_key"]
    assert raw.startswith(key.prefix)
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert authenticate_key(raw) is not None
    assert key.created_by == admin_user
    assert key.dependency_ids() == [hg.pk]
    # Never again: the key's page shows the prefix, not the key.
    page = client.get(f"/admin/apikeys/apikey/{key.pk}/change/")
    assert page.status_code == 200
    assert raw not in page.content.decode()
    revoked = client.post(
        "/admin/apikeys/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert authenticate_key(raw) is None


def test_the_admin_refuses_a_liaison_key_without_its_centre(
    admin_user: User, client_for: object
) -> None:
    client: Client = client_for(admin_user)  # type: ignore[operator]
    response = client.post(
        "/admin/apikeys/apikey/add/", {"name": "Enlace HG", "role": Role.LIAISON}
    )
    assert response.status_code == 200
    assert not ApiKey.objects.exists()
    assert response.context["adminform"].form.errors["dependencies"]


def test_only_staff_reach_the_keys(liaison: User, client_for: object) -> None:
    client: Client = client_for(liaison)  # type: ignore[operator]
    response = client.get("/admin/apikeys/apikey/add/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert timezone.now()


def test_old_idempotency_records_expire(admin_user: User) -> None:
    from io import StringIO

    from django.core.management import call_command

    from enlace.apikeys.idempotency import remember
    from enlace.apikeys.models import IdempotentRequest

    remember(admin_user, "old", "create_case", "h", 201, {})
    remember(admin_user, "new", "create_case", "h", 201, {})
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(days=8)
    )
    out = StringIO()
    call_command("expire_idempotency_keys", stdout=out)
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert out.getvalue().startswith("1 ")
