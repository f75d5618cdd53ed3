"""The bell: a person's alerts in Enlace (a case given to them, an answer to review, a due date
near or missed, a mention in an internal note), written with the history row that causes them,
read and unread, and by e-mail as each person chooses."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from enlace.accounts.models import Role
from enlace.cases import actions
from enlace.cases.sweeper import sweep_deadlines
from enlace.notifications.alerts import mentioned_usernames
from enlace.notifications.models import (
    Alert,
    AlertKind,
    AlertPreference,
    Notification,
    NotificationKind,
)

pytestmark = pytest.mark.django_db

SV = ZoneInfo("America/El_Salvador")
INBOX = reverse("notifications:inbox")
PREFERENCES = reverse("notifications:preferences")
EN = {"headers": {"Accept-Language": "en"}}  # the pages' words in English: msgids, as written
# What the citizen told: none of it may reach an alert.
CITIZEN = {
    "name": "Ana Pérez",
    "dui": "00016297-5",
    "phone": "+50371234567",
    "email": "ana@example.com",
}
DESCRIPTION = "No hay medicamento en la farmacia"
PERSONAL = (*CITIZEN.values(), "7123", "Ana", DESCRIPTION)


def at(month, day, hour=9):
    return time_machine.travel(datetime(2026, month, day, hour, 0, tzinfo=SV), tick=False)


def alerts_of(user, kind=None):
    found = Alert.objects.filter(user=user)
    return list(found.filter(kind=kind) if kind else found)


def none_alerted(*people):
    return not Alert.objects.filter(user__in=people).exists()


def assert_no_personal_data(alert):
    for secret in PERSONAL:
        assert secret not in alert.summary


@pytest.fixture
def case(make_case, agent):
    return make_case(type="queja", centre="HG", citizen=CITIZEN, by=agent)


@pytest.fixture
def bruno(liaison):
    liaison.email = "bruno@hospital.example"
    liaison.save(update_fields=["email"])
    return liaison


# --- A case given to a person -----------------------------------------------------------------
def test_a_case_given_to_a_person_alerts_them_and_nobody_else(
    case, resolution, bruno, outsider, client_for
):
    colleague = make_user("berta", Role.LIAISON, "HG")
    response = client_for(resolution).post(
        reverse("cases:action", args=[case.pk, "responsable"]), {"owner": bruno.username}
    )
    assert response.status_code == 302
    [alert] = Alert.objects.all()
    assert (alert.user, alert.kind, alert.case, alert.actor) == (
        bruno,
        AlertKind.OWNER,
        case,
        resolution,
    )
    assert alert.read_at is None
    assert case.display_code in alert.summary
    assert "Queja" in alert.summary
    assert "Hospital General" in alert.summary
    assert_no_personal_data(alert)
    assert none_alerted(resolution, outsider, colleague)
    # By e-mail too, by default.
    told = Notification.objects.get(kind=NotificationKind.OWNERSHIP)
    assert told.recipient == "bruno@hospital.example"


def test_taking_a_case_oneself_alerts_nobody(case, bruno):
    actions.do_set_owner(case, bruno, acting_user=bruno)
    assert not Alert.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.OWNERSHIP).exists()


# --- An answer to review ----------------------------------------------------------------------
def test_a_proposed_answer_alerts_the_active_resolution_staff(
    case, resolution, bruno, outsider, agent
):
    other = make_user("raul", Role.RESOLUTION, email="raul@example.org")
    gone = make_user("ramon", Role.RESOLUTION, is_active=False)
    case = actions.do_assign_case(case, case.dependency, acting_user=resolution)
    actions.do_propose_answer(case, "Se entregará a Ana Pérez el medicamento.", acting_user=bruno)
    alerted = Alert.objects.filter(kind=AlertKind.REVIEW)
    assert {alert.user for alert in alerted} == {resolution, other}
    assert none_alerted(bruno, gone, outsider)
    assert not alerts_of(agent)
    for alert in alerted:
        assert alert.actor == bruno
        assert case.display_code in alert.summary
        assert "Se entregará" not in alert.summary
        assert_no_personal_data(alert)
    # Off by e-mail by default.
    assert not Notification.objects.filter(kind=NotificationKind.REVIEW).exists()


# --- Due dates --------------------------------------------------------------------------------
def test_a_due_date_near_and_missed_alert_the_person_working_the_case(
    make_case, agent, resolution, bruno, outsider
):
    colleague = make_user("berta", Role.LIAISON, "HG")
    with at(3, 31, 10):
        case = make_case(type="queja", centre="HG", citizen=CITIZEN, by=agent)
        actions.do_set_owner(case, colleague, acting_user=resolution)
    Alert.objects.all().delete()  # the owner's own alert of the case
    with at(4, 6, 7):
        assert sweep_deadlines() == {"reminded": 1}
    [soon] = Alert.objects.all()
    assert (soon.user, soon.kind, soon.actor) == (colleague, AlertKind.DUE_SOON, None)
    assert "07/04/2026" in soon.summary
    assert_no_personal_data(soon)
    with at(4, 8, 6):
        assert sweep_deadlines()["missed"] == 1
    [missed] = Alert.objects.filter(kind=AlertKind.OVERDUE)
    assert missed.user == colleague
    assert "07/04/2026" in missed.summary
    assert_no_personal_data(missed)
    # Not the centre's other liaison, nor another centre's, nor the resolution staff.
    assert none_alerted(bruno, outsider, resolution)


def test_a_due_date_of_a_case_nobody_works_alerts_its_centres_liaisons(
    make_case, agent, bruno, outsider, resolution
):
    with at(3, 31, 10):
        make_case(type="queja", centre="HG", citizen=CITIZEN, by=agent)
    with at(4, 6, 7):
        sweep_deadlines()
    with at(4, 8, 6):
        sweep_deadlines()
    assert {a.kind for a in alerts_of(bruno)} == {AlertKind.DUE_SOON, AlertKind.OVERDUE}
    assert none_alerted(outsider, resolution, agent)
    # The liaison has the centre's reminder by e-mail already (as before): no second one, and
    # no e-mail of a missed date unless they ask for it.
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert [n.recipient for n in reminders] == ["bruno@hospital.example"]
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()


# --- Mentions ---------------------------------------------------------------------------------
def test_a_mention_alerts_the_people_named_who_may_see_the_case(
    case, resolution, bruno, outsider, agent
):
    communications = make_user("carmen", Role.COMMUNICATIONS)
    gone = make_user("beto", Role.LIAISON, "HG", is_active=False)
    note = (
        "@bruno y @Alicia, revisen lo de Ana Pérez (ana@example.com); @carlos @carmen @beto "
        "@nadie @rosa. Gracias, @bruno."
    )
    actions.do_add_comment(case, note, acting_user=resolution)
    alerted = {alert.user: alert for alert in Alert.objects.filter(kind=AlertKind.MENTION)}
    assert set(alerted) == {bruno, agent}  # "@Alicia": the one username alike but for case
    # Not another centre's liaison (who may not see it), nor a role that sees no case, nor an
    # inactive person, nor the author, nor a name of nobody.
    assert none_alerted(outsider, communications, gone)
    assert not alerts_of(resolution)
    for alert in alerted.values():
        assert alert.actor == resolution
        assert case.display_code in alert.summary
        assert "revisen" not in alert.summary
        assert_no_personal_data(alert)
    # By e-mail by default, to whoever has an address; not what the note says.
    [told] = Notification.objects.filter(kind=NotificationKind.MENTION)
    assert told.recipient == "bruno@hospital.example"
    assert "revisen" not in told.body
    assert "Ana" not in told.body
    assert reverse("cases:detail", args=[case.pk]) in told.body


def test_a_note_without_mentions_alerts_nobody(case, resolution, bruno):
    actions.do_add_comment(case, "Escribir a bruno@hospital.example", acting_user=resolution)
    assert not Alert.objects.exists()


def test_mentions_are_read_conservatively():
    assert mentioned_usernames("@ana, @luis.p. y @ana") == ["ana", "luis.p"]
    assert mentioned_usernames("correo: ana@example.org") == []
    assert mentioned_usernames("(@rosa) @@x @-x") == ["rosa"]
    assert len(mentioned_usernames(" ".join(f"@u{i}" for i in range(30)))) == 10


# --- The bell and the page --------------------------------------------------------------------
def test_the_header_shows_the_unread_count(case, resolution, bruno, client_for):
    page = client_for(bruno).get(reverse("cases:queue"), **EN).content.decode()
    assert 'id="alert-bell"' in page
    assert "Alerts</a>" in page
    actions.do_set_owner(case, bruno, acting_user=resolution)
    actions.do_add_comment(case, "@bruno mire esto", acting_user=resolution)
    page = client_for(bruno).get(reverse("cases:queue"), **EN).content.decode()
    assert "Alerts, 2 unread" in page
    assert reverse("notifications:inbox") in page


def test_the_header_has_no_bell_for_an_anonymous_visitor(client):
    assert 'id="alert-bell"' not in client.get(reverse("accounts:login")).content.decode()


def test_opening_an_alert_reads_it_and_shows_its_case(case, resolution, bruno, client_for):
    actions.do_set_owner(case, bruno, acting_user=resolution)
    actions.do_add_comment(case, "@bruno mire esto", acting_user=resolution)
    owner_alert, mention = Alert.objects.order_by("id")
    client = client_for(bruno)
    page = client.get(INBOX, **EN)
    html = page.content.decode()
    assert [a.pk for a in page.context["alerts"]] == [mention.pk, owner_alert.pk]  # newest first
    assert html.count('class="alert unread"') == 2
    assert "2 unread." in html
    opened = client.get(reverse("notifications:open", args=[mention.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("cases:detail", args=[case.pk])
    mention.refresh_from_db()
    first_read = mention.read_at
    assert first_read is not None
    client.get(reverse("notifications:open", args=[mention.pk]))  # again: read once
    mention.refresh_from_db()
    assert mention.read_at == first_read
    assert "Alerts, 1 unread" in client.get(INBOX, **EN).content.decode()
    # Marked read by its button.
    marked = client.post(reverse("notifications:read", args=[owner_alert.pk]))
    assert marked.status_code == 302
    owner_alert.refresh_from_db()
    assert owner_alert.read_at is not None
    html = client.get(INBOX, **EN).content.decode()
    assert 'class="alert unread"' not in html
    assert "Nothing unread." in html
    assert "</svg> Alerts</a>" in html  # the bell, no count once all are read


def test_marking_all_read(case, resolution, bruno, client_for):
    actions.do_set_owner(case, bruno, acting_user=resolution)
    actions.do_add_comment(case, "@bruno mire esto", acting_user=resolution)
    other = Alert.objects.create(user=resolution, kind=AlertKind.REVIEW, case=case, summary="x")
    client = client_for(bruno)
    assert client.get(reverse("notifications:read_all")).status_code == 405  # a POST only
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Alert.objects.filter(user=bruno, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None  # nobody else's


def test_another_persons_alert_is_not_found(case, resolution, bruno, outsider, client_for):
    actions.do_set_owner(case, bruno, acting_user=resolution)
    [alert] = Alert.objects.all()
    for intruder in (outsider, resolution):
        client = client_for(intruder)
        assert client.get(reverse("notifications:open", args=[alert.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[alert.pk])).status_code == 404
        assert alert.summary not in client.get(INBOX).content.decode()
    alert.refresh_from_db()
    assert alert.read_at is None


def test_the_pages_refuse_an_anonymous_visitor(case, resolution, bruno, client):
    actions.do_set_owner(case, bruno, acting_user=resolution)
    [alert] = Alert.objects.all()
    login = reverse("accounts:login")
    for url in (
        INBOX,
        PREFERENCES,
        reverse("notifications:open", args=[alert.pk]),
        reverse("notifications:read", args=[alert.pk]),
        reverse("notifications:read_all"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    assert client.post(reverse("notifications:read_all"))["Location"].startswith(login)
    alert.refresh_from_db()
    assert alert.read_at is None


# --- What comes by e-mail ---------------------------------------------------------------------
def test_preferences_switch_the_email_off_and_on(case, make_case, resolution, bruno, client_for):
    client = client_for(bruno)
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    form = page.context["form"]
    assert {name: form[name].initial for name in form.fields} == {
        "owner": True,
        "review": False,
        "due_soon": False,
        "overdue": False,
        "mention": True,
    }
    assert "bruno@hospital.example" in page.content.decode()
    # Off for a case given to them, on for a due date missed.
    response = client.post(PREFERENCES, {"mention": "on", "overdue": "on"})
    assert response.status_code == 302
    saved = dict(AlertPreference.objects.filter(user=bruno).values_list("kind", "by_email"))
    assert saved == {
        "owner": False,
        "review": False,
        "due_soon": False,
        "overdue": True,
        "mention": True,
    }
    actions.do_set_owner(case, bruno, acting_user=resolution)
    assert alerts_of(bruno, AlertKind.OWNER)  # in Enlace always
    assert not Notification.objects.filter(kind=NotificationKind.OWNERSHIP).exists()
    # Saved again: one row per kind, updated.
    client.post(PREFERENCES, {"owner": "on", "review": "on"})
    assert AlertPreference.objects.filter(user=bruno).count() == len(AlertKind)
    another = make_case(type="queja", centre="HG")
    actions.do_set_owner(another, bruno, acting_user=resolution)
    told = Notification.objects.get(kind=NotificationKind.OWNERSHIP)
    assert (told.case, told.recipient) == (another, "bruno@hospital.example")


def test_a_resolution_person_may_ask_for_answers_to_review_by_email(
    case, resolution, bruno, client_for
):
    resolution.email = "rosa@example.org"
    resolution.save(update_fields=["email"])
    client_for(resolution).post(PREFERENCES, {"review": "on"})
    case = actions.do_assign_case(case, case.dependency, acting_user=resolution)
    actions.do_propose_answer(case, "Se entregará el medicamento.", acting_user=bruno)
    [told] = Notification.objects.filter(kind=NotificationKind.REVIEW)
    assert told.recipient == "rosa@example.org"
    assert case.display_code in told.subject
    assert "Se entregará" not in told.body


def test_an_owner_who_asks_gets_the_due_dates_by_email(make_case, agent, resolution, bruno):
    AlertPreference.objects.create(user=bruno, kind=AlertKind.DUE_SOON, by_email=True)
    with at(3, 31, 10):
        case = make_case(type="queja", centre="UM-ZAC", citizen=CITIZEN, by=agent)
        actions.do_set_owner(case, resolution, acting_user=resolution)
    resolution.email = "rosa@example.org"
    resolution.save(update_fields=["email"])
    AlertPreference.objects.create(user=resolution, kind=AlertKind.DUE_SOON, by_email=True)
    with at(4, 6, 7):
        sweep_deadlines()
    [mine] = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert mine.recipient == "rosa@example.org"
    assert "07/04/2026" in mine.subject
    for secret in PERSONAL:
        assert secret not in mine.body
    assert not alerts_of(bruno)


def test_the_preferences_page_says_when_there_is_no_address(agent, client_for):
    page = client_for(agent).get(PREFERENCES, **EN).content.decode()
    assert "Your account has no e-mail address" in page


# --- Cost -------------------------------------------------------------------------------------
def test_the_page_makes_the_same_number_of_queries_for_3_or_20_alerts(
    case, resolution, bruno, client_for, django_assert_num_queries
):
    client = client_for(bruno)
    client.get(INBOX)  # warm the session

    def alerts(count):
        Alert.objects.bulk_create(
            Alert(user=bruno, kind=AlertKind.MENTION, case=case, actor=resolution, summary=f"{i}")
            for i in range(count)
        )

    alerts(3)
    # The session, the user, the page's alerts (their authors joined), the unread count (once,
    # for the page and the bell); the header's own: the reference data's version, the
    # liaison's centre.
    with django_assert_num_queries(6):
        assert len(client.get(INBOX).context["alerts"]) == 3
    alerts(17)
    with django_assert_num_queries(6):
        assert len(client.get(INBOX).context["alerts"]) == 20
