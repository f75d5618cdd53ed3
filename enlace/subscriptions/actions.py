"""Every write to report subscriptions: subscribe, end, and produce one period (the sweeper's).

Each runs in one transaction and writes its history row with the change. A period is produced
once: its `ReportDelivery` is unique per subscription and period, and the mail is written in
the same transaction (the notifications' outbox sends it after the commit, with its retries).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.permissions import report_scope
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.directory.queries import descendant_ids
from enlace.notifications import notify
from enlace.subscriptions import registry, rules
from enlace.subscriptions.models import (
    ReportDelivery,
    ReportSubscription,
    SubscriptionEvent,
    SubscriptionEventKind,
)

logger = logging.getLogger(__name__)

# What the sweeper's outcomes are called in its counts.
PRODUCED = "produced"
FAILED = "failed"
ENDED = "ended"
SKIPPED = "skipped"

# PDFs rendered in one sweep round, by report, period and centres: many people subscribed to
# the same report get the same file, rendered once.
RenderCache = MutableMapping[tuple[str, str, str, tuple[int, ...] | None], bytes]


@dataclass(frozen=True)
class Choice:
    """What a person asks to receive."""

    report: str
    frequency: str
    centre: Dependency | None = None


def fixed_centre(user: User) -> Dependency | None:
    """The centre whose report a user with a limited scope (a liaison) receives: their own."""
    if report_scope(user) is not None:
        return user.dependency
    return None


def do_subscribe(user: User, choice: Choice, *, now: datetime | None = None) -> ReportSubscription:
    """Subscribe `user` to a report; the first one is of the period under way, when it ends."""
    report = registry.get(choice.report)
    if report is None or not report.allowed(user):
        raise BusinessError(_("Choose one of the reports offered."), field="report")
    if choice.frequency not in rules.Frequency.values:
        raise BusinessError(_("Choose how often."), field="frequency")
    centre = None
    if report.needs_centre:
        centre = choice.centre
        if centre is None:
            raise BusinessError(_("Choose the centre of this report."), field="centre")
        scope = report_scope(user)
        if scope is not None and centre.pk != user.dependency_id:
            raise BusinessError(_("You may receive only your own centre's report."), field="centre")
    if not user.email:
        raise BusinessError(
            _("Your account has no e-mail address to send the report to: ask an administrator.")
        )
    now = now or timezone.now()
    period = rules.first_period(choice.frequency, timezone.localdate(now))
    with transaction.atomic():
        try:
            with transaction.atomic():
                subscription = ReportSubscription.objects.create(
                    user=user,
                    report=report.key,
                    frequency=choice.frequency,
                    centre=centre,
                    period_end=period.end,
                    due_at=rules.due_at(period.end, timezone.get_current_timezone()),
                )
        except IntegrityError:
            raise BusinessError(
                _("You already receive this report at this frequency."), field="report"
            ) from None
        SubscriptionEvent.objects.create(
            subscription=subscription, kind=SubscriptionEventKind.SUBSCRIBED, actor=user, at=now
        )
    return subscription


def do_end_subscription(
    subscription: ReportSubscription,
    *,
    acting_user: User | None,
    note: str = "",
    now: datetime | None = None,
) -> ReportSubscription:
    """End a subscription (its history stays): nothing more is produced for it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
        if not locked.active:
            raise BusinessError(_("This subscription has already ended."))
        locked.active = False
        locked.ended_at = now
        locked.save(update_fields=["active", "ended_at"])
        SubscriptionEvent.objects.create(
            subscription=locked,
            kind=SubscriptionEventKind.ENDED,
            actor=acting_user,
            at=now,
            note=note[:300],
        )
    return locked


def receivable_centres(subscription: ReportSubscription) -> list[int] | None:
    """The centres the subscription's report covers, None for the whole institute; raises
    BusinessError if the subscriber may no longer receive it (inactive, another role, another
    centre)."""
    user = subscription.user
    report = registry.get(subscription.report)
    if report is None:
        raise LookupError(f"no report {subscription.report!r} is registered")
    if not user.is_active or not report.allowed(user):
        raise BusinessError(_("The subscriber may no longer receive this report."))
    if not report.needs_centre:
        return None
    if subscription.centre_id is None:
        raise BusinessError(_("The subscription has no centre."))
    scope = report_scope(user)
    if scope is not None and subscription.centre_id not in scope:
        raise BusinessError(_("The subscriber may no longer receive this centre's report."))
    # The centre and those below it, within what the subscriber sees.
    return [
        centre
        for centre in descendant_ids(subscription.centre_id)
        if scope is None or centre in scope
    ]


def do_produce_report(
    subscription_id: int, *, now: datetime, cache: RenderCache | None = None
) -> str:
    """Produce the period of a due subscription and queue its mail, once. Returns what
    happened: "produced", "failed" (rendering failed: retried later), "ended" (the subscriber
    may no longer receive it) or "skipped" (not due, or another sweeper has it)."""
    cache = {} if cache is None else cache
    with transaction.atomic():
        subscription = (
            ReportSubscription.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "centre")
            .filter(pk=subscription_id, active=True, due_at__lte=now)
            .first()
        )
        if subscription is None:
            return SKIPPED
        try:
            centres = receivable_centres(subscription)
        except BusinessError as error:
            do_end_subscription(subscription, acting_user=None, note=str(error), now=now)
            return ENDED
        except LookupError as error:
            _failed(subscription, error, now)
            return FAILED
        report = registry.get(subscription.report)
        assert report is not None  # receivable_centres checked it
        try:
            period = rules.period_ending(subscription.frequency, subscription.period_end)
        except ValueError as error:  # a date no period ends on (typed in the admin)
            _failed(subscription, error, now)
            return FAILED
        key = (
            report.key,
            period.start.isoformat(),
            period.end.isoformat(),
            tuple(centres) if centres is not None else None,
        )
        try:
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                # Rendered in the office's language, as the mail; a database error inside the
                # renderer rolls back to here only.
                pdf = cache.get(key) or report.render_pdf(period.start, period.end, centres)
        except Exception as error:
            logger.exception(
                "subscription %s: rendering %s for %s to %s failed",
                subscription.pk,
                report.key,
                period.start,
                period.end,
            )
            _failed(subscription, error, now)
            return FAILED
        cache[key] = pdf
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(
                    subscription=subscription,
                    period_start=period.start,
                    period_end=period.end,
                    produced_at=now,
                    filename=_filename(report.label, period),
                )
        except IntegrityError:
            # Another sweeper produced this period first (where rows cannot be locked): it is
            # done; the subscription moves on as that sweeper moved it.
            _advance(subscription, period)
            return SKIPPED
        delivery.pdf.save(delivery.filename, ContentFile(pdf), save=False)
        delivery.notification = notify.subscribed_report(
            subscription.user.email,
            report=report.label,
            start=period.start,
            end=period.end,
            centre=subscription.centre.name if subscription.centre else "",
            link=notify.public_link(reverse("subscriptions:list")),
        )
        delivery.save(update_fields=["pdf", "notification"])
        _advance(subscription, period)
    return PRODUCED


def _advance(subscription: ReportSubscription, done: rules.Period) -> None:
    """The next period is the one after `done`, due the morning after it ends."""
    following = rules.next_period(subscription.frequency, done)
    subscription.period_end = following.end
    subscription.due_at = rules.due_at(following.end, timezone.get_current_timezone())
    subscription.failures = 0
    subscription.last_error = ""
    subscription.save(update_fields=["period_end", "due_at", "failures", "last_error"])


def do_record_failure(subscription_id: int, error: Exception, *, now: datetime) -> None:
    """Record a failure that rolled back the production of a period (the storage, the
    database): the subscription is tried again later, as after a failure to render."""
    with transaction.atomic():
        subscription = (
            ReportSubscription.objects.select_for_update().filter(pk=subscription_id).first()
        )
        if subscription is not None:
            _failed(subscription, error, now)


def _failed(subscription: ReportSubscription, error: Exception, now: datetime) -> None:
    """Record the failure on the subscription and try again later; the period stays."""
    subscription.failures += 1
    subscription.last_error = f"{type(error).__name__}: {error}"[:1000]
    subscription.due_at = now + rules.retry_after(subscription.failures)
    subscription.save(update_fields=["failures", "last_error", "due_at"])


def _filename(label: object, period: rules.Period) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        name = slugify(str(label))[:100] or "informe"
    return f"{name}_{period.start.isoformat()}_{period.end.isoformat()}.pdf"
