"""The administrators' pages: register an endpoint (Enlace generates its secret and shows it),
change it, deactivate it, rotate its secret, follow its deliveries and redeliver one. Every
other role is refused."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from conftest import make_user
from enlace.accounts.models import Role
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture
def admin_client(client_for, admin_user):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    return client


def test_an_administrator_registers_an_endpoint_and_reads_its_secret(admin_client, admin_user):
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "name": "Sistema de citas",
            "url": "https://citas.example.org/enlace",
            "events": ["case.created", "case.closed"],
            "dependency": "",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{ENDPOINTS}{endpoint.pk}/change/"
    assert endpoint.events == ["case.created", "case.closed"]
    assert endpoint.created_by == admin_user
    assert endpoint.secret.startswith("whsec_")
    page = admin_client.get(response["Location"]).content.decode()
    assert endpoint.secret in page
    assert f"{DELIVERIES}?endpoint__id__exact={endpoint.pk}" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://citas.example.org/"}, "Enter an http:// or https:// address."),
        ({"url": "no es una dirección"}, "Enter a valid URL"),
        ({"events": []}, "This field is required"),
        ({"events": ["case.deleted"]}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_a_bad_endpoint_is_refused_on_the_form(admin_client, data, message):
    post = {"name": "Citas", "url": "https://citas.example.org/", "events": ["case.created"]}
    post.update(data)
    response = admin_client.post(f"{ENDPOINTS}add/", post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_action_refuses_what_the_form_would(admin_user):
    from enlace.core.errors import BusinessError
    from enlace.webhooks.actions import do_create_webhook_endpoint

    for url, events in (("ftp://x.example.org/", ["case.created"]), ("https://x.org/", [])):
        with pytest.raises(BusinessError):
            do_create_webhook_endpoint(
                name="X", url=url, events=events, dependency=None, acting_user=admin_user
            )
    assert not WebhookEndpoint.objects.exists()


def test_an_administrator_changes_an_endpoint(admin_client, make_endpoint):
    endpoint = make_endpoint("https://bi.example.org/hook")
    secret = endpoint.secret
    response = admin_client.post(
        f"{ENDPOINTS}{endpoint.pk}/change/",
        {
            "name": "BI",
            "url": "https://bi.example.org/v2/hook",
            "events": ["case.overdue"],
            "dependency": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.events) == (
        "BI",
        "https://bi.example.org/v2/hook",
        ["case.overdue"],
    )
    assert endpoint.secret == secret  # not changed by an edit


def test_deactivate_and_rotate_from_the_list(admin_client, make_endpoint):
    endpoint = make_endpoint("https://bi.example.org/hook")
    secret = endpoint.secret
    admin_client.post(
        ENDPOINTS, {"action": "rotate_secret", ACTION_CHECKBOX_NAME: [endpoint.pk]}, follow=True
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != secret
    assert endpoint.secret_rotated_at is not None
    admin_client.post(
        ENDPOINTS, {"action": "deactivate", ACTION_CHECKBOX_NAME: [endpoint.pk]}, follow=True
    )
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_endpoints_are_deactivated_not_deleted(admin_client, make_endpoint):
    endpoint = make_endpoint("https://bi.example.org/hook")
    assert admin_client.get(f"{ENDPOINTS}{endpoint.pk}/delete/").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_an_administrator_follows_deliveries_and_redelivers_one(
    admin_client, make_endpoint, make_case, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("https://bi.example.org/hook", events=["case.created"])
    case = make_case()
    delivery = WebhookDelivery.objects.get()
    listing = admin_client.get(DELIVERIES, {"endpoint__id__exact": endpoint.pk})
    assert listing.status_code == 200
    assert f"/casos/{case.pk}/" in listing.content.decode()
    detail = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert detail.status_code == 200
    assert case.display_code in detail.content.decode()  # the body, shown
    # Still pending: not redelivered (it is on its way).
    admin_client.post(DELIVERIES, {"action": "redeliver", ACTION_CHECKBOX_NAME: [delivery.pk]})
    assert WebhookDelivery.objects.count() == 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(DELIVERIES, {"action": "redeliver", ACTION_CHECKBOX_NAME: [delivery.pk]})
    again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert (again.redelivery_of, again.body, again.status) == (
        delivery,
        delivery.body,
        DeliveryStatus.PENDING,
    )
    assert again.uuid != delivery.uuid
    assert len(callbacks) == 1  # its sending is queued
    # Deliveries are the record: never added, changed or deleted by hand.
    assert admin_client.get(f"{DELIVERIES}add/").status_code == 403
    assert admin_client.post(f"{DELIVERIES}{delivery.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", [Role.RESOLUTION, Role.ANALYST, Role.LIAISON])
def test_staff_of_other_roles_are_refused(client_for, make_endpoint, role):
    endpoint = make_endpoint("https://bi.example.org/hook")
    centre = "HG" if role == Role.LIAISON else None
    user = make_user(f"staff-{role}", role, centre, is_staff=True)
    client = client_for(user)
    for url in (
        ENDPOINTS,
        f"{ENDPOINTS}add/",
        f"{ENDPOINTS}{endpoint.pk}/change/",
        DELIVERIES,
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"{ENDPOINTS}add/",
        {"name": "X", "url": "https://x.example.org/", "events": ["case.created"]},
    )
    assert response.status_code == 403
    assert WebhookEndpoint.objects.count() == 1
    assert "webhook" not in client.get("/admin/").content.decode().lower()


def test_other_users_do_not_reach_the_admin(client_for, resolution, agent):
    for user in (resolution, agent):
        response = client_for(user).get(ENDPOINTS)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_an_administrator_who_is_not_superuser_may(client_for):
    user = make_user("admin2", Role.ADMINISTRATOR, is_staff=True)
    assert client_for(user).get(ENDPOINTS).status_code == 200
