"""Writes of webhook endpoints and deliveries: register, change, deactivate, rotate the secret,
redeliver. Only administrators reach them (enlace/webhooks/admin.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.webhooks.delivery import schedule
from enlace.webhooks.events import EventType
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from enlace.webhooks.signing import new_secret

_url_validator = URLValidator(schemes=["http", "https"])


def check_endpoint(
    name: str, url: str, events: Iterable[str], dependency: Dependency | None
) -> tuple[str, str, list[str]]:
    """The endpoint's fields cleaned (name, URL, events in catalogue order), or BusinessError
    naming the field at fault. The forms call it to show the error on the field."""
    name = name.strip()
    if not name:
        raise BusinessError(_("Give the endpoint a name."), field="name")
    url = url.strip()
    try:
        _url_validator(url)
    except ValidationError:
        raise BusinessError(_("Enter an http:// or https:// address."), field="url") from None
    if len(url) > 500:
        raise BusinessError(_("The address is too long."), field="url")
    chosen = set(events)
    unknown = chosen - set(EventType.values)
    if unknown:
        raise BusinessError(
            _("Unknown event: %(events)s.") % {"events": ", ".join(sorted(unknown))},
            field="events",
        )
    if not chosen:
        raise BusinessError(_("Choose at least one event."), field="events")
    if dependency is not None and not dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")
    # In the order of the catalogue, so the same choice is always stored the same way.
    return name, url, [value for value in EventType.values if value in chosen]


def do_create_webhook_endpoint(
    *,
    name: str,
    url: str,
    events: Iterable[str],
    dependency: Dependency | None,
    acting_user: User,
) -> WebhookEndpoint:
    """Register an endpoint. Its signing secret is generated here and shown to the
    administrators on the endpoint's page."""
    name, url, chosen = check_endpoint(name, url, events, dependency)
    return WebhookEndpoint.objects.create(
        name=name,
        url=url,
        events=chosen,
        dependency=dependency,
        secret=new_secret(),
        created_by=acting_user,
    )


def do_update_webhook_endpoint(
    endpoint: WebhookEndpoint,
    *,
    name: str,
    url: str,
    events: Iterable[str],
    dependency: Dependency | None,
    is_active: bool,
    acting_user: User,
) -> WebhookEndpoint:
    name, url, chosen = check_endpoint(name, url, events, dependency)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.name, endpoint.url, endpoint.events = name, url, chosen
        endpoint.dependency = dependency
        endpoint.is_active = is_active
        endpoint.save(update_fields=["name", "url", "events", "dependency", "is_active"])
    return endpoint


def do_deactivate_webhook_endpoint(
    endpoint: WebhookEndpoint, *, acting_user: User
) -> WebhookEndpoint:
    """Stop posting to the endpoint: no new deliveries, and those still pending fail when
    their turn comes (an administrator may redeliver them after reactivating it)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not endpoint.is_active:
            raise BusinessError(_("The endpoint is already inactive."))
        endpoint.is_active = False
        endpoint.save(update_fields=["is_active"])
    return endpoint


def do_rotate_webhook_secret(endpoint: WebhookEndpoint, *, acting_user: User) -> WebhookEndpoint:
    """A new signing secret; deliveries from now on are signed with it (retries included)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.secret = new_secret()
        endpoint.secret_rotated_at = timezone.now()
        endpoint.save(update_fields=["secret", "secret_rotated_at"])
    return endpoint


def do_redeliver_webhook(delivery: WebhookDelivery, *, acting_user: User) -> WebhookDelivery:
    """Post a delivered or failed event again, as a new delivery with the same body (so the
    same event id: a receiver that has it already can tell)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .get(pk=delivery.pk)
        )
        if delivery.status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            raise BusinessError(_("This delivery is still being sent."))
        if not delivery.endpoint.is_active:
            raise BusinessError(_("The endpoint is not active; activate it first."))
        again = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint,
            event_type=delivery.event_type,
            case_id=delivery.case_id,
            campaign_id=delivery.campaign_id,
            body=delivery.body,
            redelivery_of=delivery,
        )
        schedule(again.pk)
    return again
