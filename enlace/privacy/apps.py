from datetime import datetime
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "enlace.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from enlace.core import navigation, sweeping
        from enlace.privacy import registry
        from enlace.privacy.permissions import is_dpo

        navigation.add_link("privacy:home", _("Data protection"), shown=is_dpo, order=70)

        registry.register_retention(
            registry.RetentionKind(
                code="privacy.access_log",
                label=_("The access log's rows"),
                default_months=24,
                due=_access_rows_before,
                anonymise=_delete_access_rows,
            )
        )
        sweeping.register("privacy.unusual_access", _unusual_access, order=80)
        sweeping.register("privacy.requests", _requests, order=81)
        sweeping.register("privacy.breaches", _breaches, order=82)
        sweeping.register("privacy.retention", _retention, order=90)
        post_migrate.connect(_ensure_retention_policies, sender=self)


def _unusual_access(now: datetime) -> dict[str, int]:
    from enlace.privacy.sweeper import find_unusual_access

    return {"unusual accesses": find_unusual_access(now)}


def _requests(now: datetime) -> dict[str, int]:
    from enlace.privacy.sweeper import sweep_requests

    return {"data-protection requests alerted": sweep_requests(now)}


def _breaches(now: datetime) -> dict[str, int]:
    from enlace.privacy.sweeper import sweep_breaches

    return {"breaches alerted": sweep_breaches(now)}


def _retention(now: datetime) -> dict[str, int]:
    """Once a day (the first sweep after 02:00 local time, or later that day): anonymise what
    has been kept long enough."""
    from django.core.cache import cache
    from django.utils import timezone

    from enlace.privacy.sweeper import apply_retention

    local = timezone.localtime(now)
    if local.hour < 2 or not cache.add(f"privacy-retention:{local:%Y-%m-%d}", 1, 26 * 3600):
        return {"records anonymised": 0}
    return {"records anonymised": sum(apply_retention(now).values())}


def _access_rows_before(cutoff: datetime) -> Any:
    from enlace.privacy import access

    return access.log().filter(at__lt=cutoff).order_by("pk")


def _delete_access_rows(ids: Any) -> int:
    from enlace.privacy.models import PersonalDataAccess

    deleted, _kinds = PersonalDataAccess.objects.filter(pk__in=ids).delete()
    return int(deleted)


def _ensure_retention_policies(sender: AppConfig, **kwargs: Any) -> None:
    """After every migrate, a policy for each kind of record an app registered, at its default
    period, unless one exists (an administrator's change is kept)."""
    from enlace.privacy.models import RetentionPolicy
    from enlace.privacy.registry import RETENTION

    for code, kind in RETENTION.items():
        RetentionPolicy.objects.get_or_create(kind=code, defaults={"months": kind.default_months})
