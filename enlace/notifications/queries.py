"""Every read of a person's alerts: only their own (another person's alert is a 404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.notifications.alerts import wants_email
from enlace.notifications.models import Alert, AlertKind, AlertPreference

PAGE_SIZE = 30


def unread_count(user: User) -> int:
    """How many of `user`'s alerts are unread: one COUNT over the partial index of them."""
    return Alert.objects.filter(user=user, read_at__isnull=True).count()


def unread_for(request: HttpRequest) -> int:
    """The count of the person of this request, read once per request (the bell and the page)."""
    cached: int | None = getattr(request, "_unread_alerts", None)
    if cached is None:
        assert isinstance(request.user, User)
        cached = unread_count(request.user)
        request._unread_alerts = cached  # type: ignore[attr-defined]
    return cached


class Bell:
    """The header's bell (a part registered in `NotificationsConfig.ready()`): its count is
    read when the header shows it, not for a fragment an htmx request receives."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @property
    def unread(self) -> int:
        return unread_for(self.request)


def alerts_page(user: User, before: int | None = None) -> tuple[list[Alert], int | None]:
    """A page of `user`'s alerts, newest first, older than the alert `before` if given; and the
    cursor of the next (older) page, if there is one. One query, whatever the page holds."""
    alerts = Alert.objects.filter(user=user)
    if before is not None:
        alerts = alerts.filter(pk__lt=before)
    rows = list(alerts.select_related("actor").order_by("-id")[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], older


def access_alert(user: User, alert_id: int) -> Alert:
    """`user`'s own alert, else 404."""
    alert = Alert.objects.filter(pk=alert_id, user=user).only("id", "case_id", "read_at").first()
    if alert is None:
        raise Http404(_("You have no such alert."))
    return alert


def email_choices(user: User) -> dict[str, bool]:
    """For each kind of alert, whether `user` gets it by e-mail (their choice, else the
    default)."""
    saved = dict(
        AlertPreference.objects.filter(user=user).values_list("kind", "by_email").order_by()
    )
    return {kind.value: wants_email(saved, kind.value) for kind in AlertKind}
