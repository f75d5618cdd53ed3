"""The administrators' pages for webhooks (in Django's admin, where the header's
"Administration" link leads): register an endpoint and read its signing secret, change or
deactivate it, rotate its secret, follow its deliveries and redeliver one. Every write goes
through enlace/webhooks/actions.py. Only the administrator role (or a superuser) sees them."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.accounts.models import Role, User
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.webhooks import actions
from enlace.webhooks.events import EventType
from enlace.webhooks.models import WebhookDelivery, WebhookEndpoint


def is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return (
        isinstance(user, User)
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.role == Role.ADMINISTRATOR)
    )


class AdministratorsOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the deliveries stay as the record


class EndpointForm(forms.ModelForm[WebhookEndpoint]):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "dependency", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            actions.check_endpoint(
                data.get("name") or "",
                data.get("url") or "",
                data.get("events") or [],
                data.get("dependency"),
            )
        except BusinessError as error:
            field = error.field if error.field in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, str(error))
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdministratorsOnly, admin.ModelAdmin[WebhookEndpoint]):
    form = EndpointForm
    list_display = ["name", "url", "subscribed", "dependency", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    actions = ["deactivate", "rotate_secret"]

    def get_fields(
        self, request: HttpRequest, obj: WebhookEndpoint | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ("name", "url", "events", "dependency")
        return (
            "name",
            "url",
            "events",
            "dependency",
            "is_active",
            "secret",
            "secret_rotated_at",
            "created_by",
            "created_at",
            "deliveries_link",
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: WebhookEndpoint | None = None
    ) -> list[str]:
        if obj is None:
            return []
        return ["secret", "secret_rotated_at", "created_by", "created_at", "deliveries_link"]

    @admin.display(description=gettext_lazy("events"))
    def subscribed(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    @admin.display(description=gettext_lazy("deliveries"))
    def deliveries_link(self, obj: WebhookEndpoint) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        url += f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("See the deliveries"))

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        user = request.user
        assert isinstance(user, User)
        data = form.cleaned_data
        dependency: Dependency | None = data.get("dependency")
        if change:
            saved = actions.do_update_webhook_endpoint(
                obj,
                name=data["name"],
                url=data["url"],
                events=data["events"],
                dependency=dependency,
                is_active=data.get("is_active", True),
                acting_user=user,
            )
        else:
            saved = actions.do_create_webhook_endpoint(
                name=data["name"],
                url=data["url"],
                events=data["events"],
                dependency=dependency,
                acting_user=user,
            )
        # The admin goes on with `obj` (its log entry, the redirect to the row's page).
        obj.pk = saved.pk
        obj._state.adding = False

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        messages.info(
            request,
            _("Give the receiver the signing secret shown below: it checks signatures with it."),
        )
        return HttpResponseRedirect(reverse("admin:webhooks_webhookendpoint_change", args=[obj.pk]))

    @admin.action(description=gettext_lazy("Deactivate the selected endpoints"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        user = request.user
        assert isinstance(user, User)
        for endpoint in queryset:
            try:
                actions.do_deactivate_webhook_endpoint(endpoint, acting_user=user)
            except BusinessError as error:
                self.message_user(request, f"{endpoint}: {error}", messages.WARNING)
            else:
                self.message_user(request, _("%(name)s deactivated.") % {"name": endpoint})

    @admin.action(description=gettext_lazy("Rotate the signing secret of the selected endpoints"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        user = request.user
        assert isinstance(user, User)
        for endpoint in queryset:
            actions.do_rotate_webhook_secret(endpoint, acting_user=user)
            self.message_user(
                request,
                _("%(name)s has a new signing secret: give it to the receiver.")
                % {"name": endpoint},
            )


class ReadOnly(AdministratorsOnly):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin[WebhookDelivery]):
    list_display = [
        "created_at",
        "endpoint",
        "event_type",
        "case_link",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["uuid"]
    actions = ["redeliver"]
    fields = (
        "uuid",
        "endpoint",
        "event_type",
        "case_link",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "redelivery_of",
        "pretty_body",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("case"))
    def case_link(self, obj: WebhookDelivery) -> str:
        if obj.case_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("cases:detail", args=[obj.case_id]), obj.case_id
        )

    @admin.display(description=gettext_lazy("body"))
    def pretty_body(self, obj: WebhookDelivery) -> str:
        try:
            text = json.dumps(json.loads(obj.body), indent=2, ensure_ascii=False)
        except ValueError:
            text = obj.body
        return format_html("<pre>{}</pre>", text)

    @admin.action(description=gettext_lazy("Redeliver the selected deliveries"))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        user = request.user
        assert isinstance(user, User)
        for delivery in queryset:
            try:
                actions.do_redeliver_webhook(delivery, acting_user=user)
            except BusinessError as error:
                self.message_user(request, f"{delivery.uuid}: {error}", messages.WARNING)
            else:
                self.message_user(request, _("%(id)s queued again.") % {"id": delivery.uuid})
