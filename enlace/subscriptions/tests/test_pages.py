"""Subscribing and ending a subscription through the pages: who may, for which centre, what a
wrong input answers (never a 500), and the administrators' list."""

import pytest
from django.urls import reverse

from conftest import make_user
from enlace.subscriptions.models import ReportSubscription, SubscriptionEventKind

pytestmark = pytest.mark.django_db

LIST = reverse("subscriptions:list")
NEW = reverse("subscriptions:new")
ALL = reverse("subscriptions:all")


def end_url(subscription) -> str:
    return reverse("subscriptions:end", args=[subscription.pk])


def english(client):
    """Pages in English (the browser's language decides), so messages read as written here
    whatever the Spanish catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def with_email(user, address=None):
    user.email = address or f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def reader(analyst):
    return with_email(analyst)


@pytest.fixture
def hg_liaison(liaison):
    return with_email(liaison)


def test_an_analyst_subscribes_to_the_whole_institute_and_to_a_centre(reader, client_for):
    client = client_for(reader)
    page = client.get(NEW)
    assert page.status_code == 200
    offered = dict(page.context["form"].fields["report"].choices)
    assert {"participation", "participation_centre"} <= set(offered)
    response = client.post(NEW, {"report": "participation", "frequency": "monthly"})
    assert response.status_code == 302
    centre = "Hospital General [HG]"  # as the type-ahead fills it
    response = client.post(
        NEW, {"report": "participation_centre", "frequency": "semester", "centre": centre}
    )
    assert response.status_code == 302
    rows = ReportSubscription.objects.order_by("id").values_list(
        "report", "frequency", "centre__code", "active"
    )
    assert list(rows) == [
        ("participation", "monthly", None, True),
        ("participation_centre", "semester", "HG", True),
    ]
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert [s.report for s in listed.context["subscriptions"]] == [
        "participation_centre",
        "participation",
    ]
    assert ReportSubscription.objects.get(report="participation").events.get().kind == (
        SubscriptionEventKind.SUBSCRIBED
    )


def test_a_liaison_receives_their_own_centre_s_report_only(hg_liaison, client_for):
    client = client_for(hg_liaison)
    page = client.get(NEW)
    offered = dict(page.context["form"].fields["report"].choices)
    assert "participation_centre" in offered
    assert "participation" not in offered  # the whole institute: their scope is one centre
    assert page.context["form"].fields["centre"].disabled
    # Another centre typed (or forged) is ignored: the report is of their centre.
    response = client.post(
        NEW, {"report": "participation_centre", "frequency": "monthly", "centre": "UM-ZAC"}
    )
    assert response.status_code == 302
    assert ReportSubscription.objects.get().centre.code == "HG"
    # The whole institute's report is refused on the field.
    response = client.post(NEW, {"report": "participation", "frequency": "monthly"})
    assert response.status_code == 400
    assert response.context["form"].errors["report"]
    assert ReportSubscription.objects.count() == 1


def test_a_liaison_cannot_be_subscribed_to_another_centre_by_the_action(hg_liaison):
    from enlace.core.errors import BusinessError
    from enlace.directory.models import Dependency
    from enlace.subscriptions.actions import Choice, do_subscribe

    zacamil = Dependency.objects.get(code="UM-ZAC")
    with pytest.raises(BusinessError) as refused:
        do_subscribe(hg_liaison, Choice("participation_centre", "monthly", zacamil))
    assert refused.value.field == "centre"
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"report": "", "frequency": "monthly"}, "report"),
        ({"report": "nonexistent", "frequency": "monthly"}, "report"),
        ({"report": ["participation", "x"], "frequency": "monthly"}, None),
        ({"report": "participation", "frequency": "yearly"}, "frequency"),
        ({"report": "participation", "frequency": ""}, "frequency"),
        ({"report": "participation_centre", "frequency": "monthly", "centre": ""}, "centre"),
        ({"report": "participation_centre", "frequency": "monthly", "centre": "Nope"}, "centre"),
        ({"report": "participation_centre", "frequency": "monthly", "centre": "x" * 300}, "centre"),
        ({"report": "participation_centre", "frequency": "monthly", "centre": "H\x00G"}, "centre"),
        ({"report": "partici\x00pation", "frequency": "monthly"}, "report"),
    ],
)
def test_a_wrong_choice_is_answered_on_its_field(reader, client_for, data, field):
    response = client_for(reader).post(NEW, data)
    if field is None:  # a list where one value is expected: the last one is taken, and refused
        assert response.status_code == 400
        return
    assert response.status_code == 400
    assert response.context["form"].errors[field], response.context["form"].errors
    assert not ReportSubscription.objects.exists()


def test_the_same_report_twice_is_refused_but_again_after_ending(reader, client_for):
    client = english(client_for(reader))
    data = {"report": "participation", "frequency": "quarterly"}
    assert client.post(NEW, data).status_code == 302
    again = client.post(NEW, data)
    assert again.status_code == 400
    assert "already" in str(again.context["form"].errors["report"])
    # At another frequency it is another subscription.
    assert client.post(NEW, {**data, "frequency": "monthly"}).status_code == 302
    first = ReportSubscription.objects.get(frequency="quarterly")
    assert client.post(end_url(first)).status_code == 302
    assert client.post(NEW, data).status_code == 302
    assert ReportSubscription.objects.filter(frequency="quarterly").count() == 2


def test_without_an_e_mail_address_nothing_is_subscribed(analyst, client_for):
    client = english(client_for(analyst))
    assert "no e-mail address" in client.get(NEW).content.decode()
    response = client.post(NEW, {"report": "participation", "frequency": "monthly"})
    assert response.status_code == 400
    assert "no e-mail address" in str(response.context["form"].non_field_errors())
    assert not ReportSubscription.objects.exists()


def test_ending_a_subscription_keeps_it_and_its_history(reader, client_for):
    client = english(client_for(reader))
    client.post(NEW, {"report": "participation", "frequency": "monthly"})
    subscription = ReportSubscription.objects.get()
    assert client.get(end_url(subscription)).status_code == 405
    response = client.post(end_url(subscription))
    assert response.status_code == 302
    assert response["Location"] == LIST
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.ended_at is not None
    ended = subscription.events.get(kind=SubscriptionEventKind.ENDED)
    assert ended.actor == reader
    # Ending it twice says so, and changes nothing.
    again = client.post(end_url(subscription), follow=True)
    assert again.status_code == 200
    assert "already ended" in again.content.decode()
    assert subscription.events.count() == 2


def test_roles_without_reports_are_refused(agent, client_for):
    client = client_for(with_email(agent))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"report": "participation", "frequency": "monthly"}).status_code == 403
    assert client.get(ALL).status_code == 403
    assert not ReportSubscription.objects.exists()


def test_nobody_ends_another_person_s_subscription(hg_liaison, outsider, reader, client_for):
    client_for(hg_liaison).post(NEW, {"report": "participation_centre", "frequency": "monthly"})
    subscription = ReportSubscription.objects.get()
    for intruder in (outsider, reader):
        assert client_for(intruder).post(end_url(subscription)).status_code == 404
    # Nor sees it in their list.
    assert list(client_for(outsider).get(LIST).context["subscriptions"]) == []
    subscription.refresh_from_db()
    assert subscription.active


def test_administrators_see_and_end_everybody_s(hg_liaison, reader, client_for, db):
    administrator = make_user("sistemas", "administrator")
    client_for(hg_liaison).post(NEW, {"report": "participation_centre", "frequency": "monthly"})
    client_for(reader).post(NEW, {"report": "participation", "frequency": "semester"})
    for other in (hg_liaison, reader):
        assert client_for(other).get(ALL).status_code == 403
    client = client_for(administrator)
    page = client.get(ALL)
    assert page.status_code == 200
    assert {s.user.username for s in page.context["subscriptions"]} == {"bruno", "andres"}
    subscription = ReportSubscription.objects.get(user=hg_liaison)
    response = client.post(end_url(subscription))
    assert response["Location"] == ALL
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.events.get(kind=SubscriptionEventKind.ENDED).actor == administrator


def test_the_lists_read_a_constant_number_of_queries(
    reader, client_for, django_assert_max_num_queries
):
    from enlace.directory.models import Dependency
    from enlace.subscriptions.actions import Choice, do_subscribe

    administrator = make_user("sistemas", "administrator")
    centres = Dependency.objects.active().order_by("id")[:12]
    for centre in centres:
        for frequency in ("monthly", "quarterly"):
            do_subscribe(reader, Choice("participation_centre", frequency, centre))
    client = client_for(reader)
    with django_assert_max_num_queries(8):
        page = client.get(LIST)
    assert len(page.context["subscriptions"]) == 2 * len(centres)
    admin_client = client_for(administrator)
    with django_assert_max_num_queries(8):
        page = admin_client.get(ALL)
    assert len(page.context["subscriptions"]) == 2 * len(centres)


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (LIST, NEW, ALL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_administration_reads_subscriptions_and_deliveries(reader, admin_user, client_for):
    from enlace.subscriptions.actions import Choice, do_subscribe

    subscription = do_subscribe(reader, Choice("participation", "monthly"))
    client = client_for(admin_user)
    for url in (
        reverse("admin:subscriptions_reportsubscription_changelist"),
        reverse("admin:subscriptions_reportsubscription_change", args=[subscription.pk]),
        reverse("admin:subscriptions_reportdelivery_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:subscriptions_reportsubscription_add")).status_code == 403
