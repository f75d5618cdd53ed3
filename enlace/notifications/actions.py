"""A person's writes on their own alerts: read one, read them all, choose what comes by
e-mail."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from enlace.accounts.models import User
from enlace.notifications.models import Alert, AlertKind, AlertPreference


def do_mark_read(alert: Alert) -> bool:
    """Mark the alert read (once: the first reading's time is kept). Whether it was unread."""
    if alert.read_at is not None:
        return False
    now = timezone.now()
    updated = Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now)
    alert.read_at = now
    return updated > 0


def do_mark_all_read(user: User) -> int:
    """Mark every unread alert of `user` read, in one UPDATE; how many were."""
    return Alert.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def do_choose_email(user: User, by_email: Mapping[str, bool]) -> None:
    """Save, for each kind of alert, whether `user` also gets it by e-mail: one statement."""
    AlertPreference.objects.bulk_create(
        [
            AlertPreference(user=user, kind=kind, by_email=bool(by_email.get(kind, False)))
            for kind in AlertKind.values
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["by_email"],
    )
