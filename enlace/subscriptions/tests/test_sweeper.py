"""The sweeper's job beyond the one mail: no back-fill, failures kept apart and retried, a
subscriber who may no longer receive a report, a period already produced, catching up, and
the reports registered by the domains below (satisfaction, media)."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone, translation
from pypdf import PdfReader

from enlace.accounts.models import Role
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.notifications.delivery import deliver
from enlace.notifications.models import Notification, NotificationStatus
from enlace.subscriptions import registry, renderers
from enlace.subscriptions.actions import Choice, do_produce_report, do_subscribe
from enlace.subscriptions.models import (
    ReportDelivery,
    ReportSubscription,
    SubscriptionEventKind,
)
from enlace.subscriptions.sweeper import sweep_subscriptions
from enlace.subscriptions.tests.conftest import at

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


@pytest.fixture
def reader(analyst):
    analyst.email = "andres@example.org"
    analyst.save(update_fields=["email"])
    return analyst


@pytest.fixture
def fake_reports():
    """Two reports made for the tests: one that renders, one that always fails."""
    calls = []

    def fine(start, end, dependency_ids):
        calls.append((start, end, dependency_ids))
        return b"%PDF-1.4 fine"

    def broken(start, end, dependency_ids):
        raise RuntimeError("the figures are not there")

    registry.register("fine", "Fine", fine, allowed=lambda user: True, needs_centre=False)
    registry.register("fine_centre", "Fine", fine, allowed=lambda user: True, needs_centre=True)
    registry.register("broken", "Broken", broken, allowed=lambda user: True, needs_centre=False)
    yield calls
    for key in ("fine", "fine_centre", "broken"):
        registry._REPORTS.pop(key, None)


def subscribe(user, report, frequency="monthly", centre=None, *, on):
    return do_subscribe(user, Choice(report, frequency, centre), now=at(on))


def counts(moment) -> dict[str, int]:
    return sweep_subscriptions(moment)


def test_a_subscription_made_mid_period_is_not_back_filled(reader, fake_reports):
    subscription = subscribe(reader, "fine", "semester", on=date(2026, 5, 20))
    assert subscription.period_end == date(2026, 6, 30)
    # Nothing for the first semester's past months, nor for the second half of 2025.
    assert counts(at(date(2026, 6, 30), 23, 59))["reports_produced"] == 0
    assert counts(at(date(2026, 7, 1), 6, 0))["reports_produced"] == 1
    assert fake_reports == [(date(2026, 1, 1), date(2026, 6, 30), None)]
    subscription.refresh_from_db()
    assert subscription.period_end == date(2026, 12, 31)


def test_a_report_that_fails_to_render_leaves_the_others_and_is_retried(
    reader, fake_reports, caplog
):
    broken = subscribe(reader, "broken", on=date(2026, 2, 3))
    fine = subscribe(reader, "fine", on=date(2026, 2, 3))
    morning = at(date(2026, 3, 1), 6, 0)
    assert counts(morning) == {
        "reports_produced": 1,
        "reports_failed": 1,
        "report_subscriptions_ended": 0,
    }
    assert "rendering broken for 2026-02-01 to 2026-02-28 failed" in caplog.text
    assert ReportDelivery.objects.filter(subscription=fine).count() == 1
    assert not ReportDelivery.objects.filter(subscription=broken).exists()
    broken.refresh_from_db()
    # The period stays; it is tried again later, further apart each time.
    assert broken.period_end == date(2026, 2, 28)
    assert (broken.failures, broken.due_at) == (1, morning + timedelta(minutes=10))
    assert "RuntimeError: the figures are not there" in broken.last_error
    assert counts(morning + timedelta(minutes=5))["reports_failed"] == 0
    assert counts(morning + timedelta(minutes=10))["reports_failed"] == 1
    broken.refresh_from_db()
    assert (broken.failures, broken.due_at) == (2, morning + timedelta(minutes=70))


def test_a_subscriber_who_may_no_longer_receive_it_is_unsubscribed(reader, liaison):
    whole = subscribe(reader, "participation", on=date(2026, 2, 3))
    liaison.email = "bruno@example.org"
    liaison.save(update_fields=["email"])
    own = subscribe(liaison, "participation_centre", centre=liaison.dependency, on=date(2026, 2, 3))
    # The analyst becomes an agent (no reports); the liaison moves to another centre.
    reader.role = Role.AGENT
    reader.save(update_fields=["role"])
    liaison.dependency = Dependency.objects.get(code="UM-ZAC")
    liaison.save(update_fields=["dependency"])
    with translation.override("en"):
        assert counts(at(date(2026, 3, 1), 6, 0)) == {
            "reports_produced": 0,
            "reports_failed": 0,
            "report_subscriptions_ended": 2,
        }
    for subscription in (whole, own):
        subscription.refresh_from_db()
        assert not subscription.active
        event = subscription.events.get(kind=SubscriptionEventKind.ENDED)
        assert event.actor is None
        assert "may no longer receive" in event.note
    assert not ReportDelivery.objects.exists()
    assert not Notification.objects.filter(kind="report").exists()


def test_an_ended_subscription_is_not_produced(reader, fake_reports):
    subscription = subscribe(reader, "fine", on=date(2026, 2, 3))
    ReportSubscription.objects.filter(pk=subscription.pk).update(active=False)
    assert counts(at(date(2026, 3, 1), 6, 0))["reports_produced"] == 0
    assert fake_reports == []


def test_a_period_produced_by_another_sweeper_is_not_produced_again(reader, fake_reports):
    """Where rows cannot be locked (SQLite), two sweepers may both find the same subscription
    due: the delivery's unique constraint lets one produce it; the other sends nothing."""
    subscription = subscribe(reader, "fine", on=date(2026, 2, 3))
    ReportDelivery.objects.create(
        subscription=subscription,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        produced_at=timezone.now(),
        filename="x.pdf",
    )
    assert do_produce_report(subscription.pk, now=at(date(2026, 3, 1), 6, 0)) == "skipped"
    assert ReportDelivery.objects.count() == 1
    assert not Notification.objects.filter(kind="report").exists()
    # That period is done: the subscription moves on to March.
    subscription.refresh_from_db()
    assert subscription.period_end == date(2026, 3, 31)


def test_a_subscription_behind_catches_up_one_period_per_round(reader, fake_reports):
    subscription = subscribe(reader, "fine", on=date(2026, 1, 10))
    may = at(date(2026, 5, 1), 6, 0)
    for _round in range(5):
        sweep_subscriptions(may)
    periods = list(
        ReportDelivery.objects.filter(subscription=subscription)
        .order_by("period_start")
        .values_list("period_start", "period_end")
    )
    assert periods == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 30)),
    ]


def test_many_subscribers_of_one_report_share_one_rendering(reader, resolution, fake_reports):
    resolution.email = "rosa@example.org"
    resolution.save(update_fields=["email"])
    subscribe(reader, "fine", on=date(2026, 2, 3))
    subscribe(resolution, "fine", on=date(2026, 2, 3))
    hg = Dependency.objects.get(code="HG")
    subscribe(reader, "fine_centre", centre=hg, on=date(2026, 2, 3))
    assert counts(at(date(2026, 3, 1), 6, 0))["reports_produced"] == 3
    # The institute's report once for both; the centre's (the centre and those below it).
    assert fake_reports == [
        (date(2026, 2, 1), date(2026, 2, 28), None),
        (date(2026, 2, 1), date(2026, 2, 28), [hg.pk]),
    ]
    assert Notification.objects.filter(kind="report").count() == 3


def test_a_mail_whose_report_is_missing_is_not_sent(reader, fake_reports, smtp_server):
    subscribe(reader, "fine", on=date(2026, 2, 3))
    counts(at(date(2026, 3, 1), 6, 0))
    delivery = ReportDelivery.objects.get()
    notification = delivery.notification
    delivery.pdf.delete(save=True)
    assert deliver(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "PDF is missing" in notification.last_error
    assert smtp_server.messages == []


def test_the_mail_carries_the_pdf_as_produced(reader, fake_reports, smtp_server):
    subscribe(reader, "fine", "quarterly", on=date(2026, 2, 3))
    counts(at(date(2026, 4, 1), 6, 0))
    delivery = ReportDelivery.objects.get()
    assert deliver(delivery.notification.pk) == "sent"
    [message] = smtp_server.messages
    [pdf] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_payload(decode=True) == b"%PDF-1.4 fine"
    assert pdf.get_filename() == "fine_2026-01-01_2026-03-31.pdf"


# --- The reports registered from the domains ---------------------------------------------------
def test_the_satisfaction_report_is_the_portal_ratings_of_the_period(make_case):
    from enlace.surveys.actions.portal import do_ensure_portal_study, do_record_portal_rating

    with pytest.raises(BusinessError, match="load_portal_study"):
        renderers.satisfaction_pdf(date(2026, 1, 1), date(2026, 3, 31), None)
    do_ensure_portal_study(start=date(2025, 1, 1))
    hg = Dependency.objects.get(code="HG")
    for day, experience in [
        (date(2025, 12, 31), "poor"),
        (date(2026, 2, 10), "very_good"),
        (date(2026, 3, 31), "good"),
        (date(2026, 4, 1), "very_poor"),
    ]:
        with time_machine.travel(at(day), tick=False):
            case = make_case(centre="HG")
            do_record_portal_rating(case.pk, hg.pk, experience=experience, rated_at=at(day))
    text = text_of(renderers.satisfaction_pdf(date(2026, 1, 1), date(2026, 3, 31), [hg.pk]))
    assert "Filtrado: desde el 01/01/2026, hasta el 31/03/2026" in text
    assert "2 respuestas contadas" in text


def test_the_media_analysis_is_registered_and_renders_the_period(db):
    assert renderers.register_media(None) is False
    report = registry.get("media")
    assert report is not None
    assert not report.needs_centre
    text = text_of(report.render_pdf(date(2026, 1, 1), date(2026, 1, 31), None))
    assert "01/01/2026" in text


def test_who_may_receive_which_report(liaison, analyst, agent):
    def offered(user):
        return [report.key for report in registry.offered_to(user)]

    # A liaison: their centre's reports only; an agent: none; the analyst: every one.
    assert set(offered(liaison)) >= {"participation_centre", "satisfaction_centre"}
    assert "participation" not in offered(liaison)
    assert "satisfaction" not in offered(liaison)
    assert "media" not in offered(liaison)
    assert offered(agent) == []
    assert {"participation", "participation_centre", "satisfaction"} <= set(offered(analyst))


def test_a_report_key_is_a_short_slug():
    for key in ("", "Participation", "a-b", "x" * 41):
        with pytest.raises(ValueError, match="report key"):
            registry.register(key, "x", lambda *a: b"", allowed=bool, needs_centre=False)


def test_the_pdf_file_is_kept_as_produced(reader, fake_reports):
    subscribe(reader, "fine", on=date(2026, 2, 3))
    counts(at(date(2026, 3, 1), 6, 0))
    delivery = ReportDelivery.objects.get()
    with delivery.pdf.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 fine"


def test_a_failure_after_rendering_rolls_back_and_is_retried(reader, fake_reports, monkeypatch):
    from enlace.notifications import notify

    broken = subscribe(reader, "fine", on=date(2026, 2, 3))
    other = subscribe(reader, "fine", "quarterly", on=date(2026, 2, 3))
    ReportSubscription.objects.filter(pk=other.pk).update(due_at=at(date(2026, 3, 1), 5, 0))
    calls = []

    def mail_down(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OSError("disk full")
        return None

    monkeypatch.setattr(notify, "subscribed_report", mail_down)
    morning = at(date(2026, 3, 1), 6, 0)
    assert counts(morning) == {
        "reports_produced": 1,
        "reports_failed": 1,
        "report_subscriptions_ended": 0,
    }
    other.refresh_from_db()  # taken first (due earlier): it failed, rolled back whole
    assert (other.failures, other.due_at) == (1, morning + timedelta(minutes=10))
    assert "OSError: disk full" in other.last_error
    assert not ReportDelivery.objects.filter(subscription=other).exists()
    assert ReportDelivery.objects.filter(subscription=broken).count() == 1


def test_a_date_no_period_ends_on_fails_without_stopping_the_sweep(reader, fake_reports):
    subscription = subscribe(reader, "fine", on=date(2026, 2, 3))
    ReportSubscription.objects.filter(pk=subscription.pk).update(period_end=date(2026, 2, 27))
    assert counts(at(date(2026, 3, 1), 6, 0))["reports_failed"] == 1
    subscription.refresh_from_db()
    assert "ends no monthly period" in subscription.last_error


@pytest.mark.skipif(registry.get("media") is None, reason="enlace/media renders no report yet")
def test_the_media_analysis_renders_a_period(db):
    content = registry.get("media").render_pdf(date(2026, 1, 1), date(2026, 1, 31), None)
    assert content.startswith(b"%PDF")
