"""Invitations after a case is answered: the citizen of an answered opinion is invited by
e-mail to the centre's study "after a case" (never twice in the quiet period), the e-mail
carries a link that answers the study once, one reminder follows after the delay (never two,
none after a response), and addresses and links are blanked once the invitation is over."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from enlace.accounts.models import User
from enlace.cases.actions import (
    do_acknowledge_case,
    do_answer_case,
    do_assign_case,
    do_propose_answer,
    do_reopen_case,
)
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.core import sweeping
from enlace.directory.models import Dependency
from enlace.notifications.delivery import deliver
from enlace.notifications.models import Notification, NotificationKind, NotificationStatus
from enlace.surveys.actions import invitations, studies
from enlace.surveys.models import Invitation, Response, ResponseMode, Study, StudyMethod
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db

MARTA = {"name": "Marta Pérez", "email": "Marta@Example.com"}
GOOD = {"trato": "5", "resuelto": "yes"}
LINK = re.compile(r"https://enlace\.isss\.gob\.sv(/encuesta/i/[A-Za-z0-9_-]+/)")


@pytest.fixture(autouse=True)
def _public_url(settings: object) -> None:
    settings.PUBLIC_URL = "https://enlace.isss.gob.sv"  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    cache.clear()


@pytest.fixture
def after_case(resolution: User) -> Study:
    return factories.study(
        resolution,
        factories.questionnaire(resolution),
        [("HG", 100)],
        method=StudyMethod.AFTER_CASE,
    )


def answer(case: Case, resolution: User, liaison: User, centre: str = "HG") -> Case:
    do_acknowledge_case(case, acting_user=resolution)
    do_assign_case(case, Dependency.objects.get(code=centre), acting_user=resolution)
    do_propose_answer(case, "Ya hay medicamento.", acting_user=liaison)
    return do_answer_case(case, "Ya hay medicamento.", acting_user=resolution)


def invitation_mail(kind: str = NotificationKind.SURVEY_INVITATION) -> Notification:
    return Notification.objects.get(kind=kind)


def link_in(notification: Notification) -> str:
    found = LINK.search(notification.body)
    assert found is not None, notification.body
    return found.group(1)


def test_an_answered_opinion_invites_its_citizen_by_email(
    after_case: Study,
    resolution: User,
    liaison: User,
    make_case: Callable[..., Case],
    client: Client,
) -> None:
    case = answer(make_case(citizen=MARTA), resolution, liaison)
    invitation = Invitation.objects.get()
    assert (invitation.study_id, invitation.case_id, invitation.address) == (
        after_case.pk,
        case.pk,
        "marta@example.com",
    )
    notification = invitation_mail()
    assert notification.invitation_id == invitation.pk
    assert notification.case_id is None
    assert notification.recipient == "marta@example.com"
    # The answer's e-mail is there too, about the case.
    assert Notification.objects.filter(case=case, kind=NotificationKind.ANSWER).exists()
    assert deliver(notification.pk) == NotificationStatus.SENT
    assert mail.outbox[-1].to == ["marta@example.com"]
    # The link in the message answers the study, once, for this case.
    path = link_in(notification)
    assert client.get(path).status_code == 200
    assert client.post(path, GOOD).status_code == 302
    response = Response.objects.get()
    assert (response.mode, response.case_id, response.invitation_id) == (
        ResponseMode.LINK,
        case.pk,
        invitation.pk,
    )
    assert client.post(path, GOOD).status_code == 409


def test_a_person_is_not_invited_twice_within_the_quiet_period(
    after_case: Study, resolution: User, liaison: User, make_case: Callable[..., Case]
) -> None:
    first = answer(make_case(citizen=MARTA), resolution, liaison)
    answer(make_case(citizen={"email": "marta@example.com"}), resolution, liaison)
    do_reopen_case(first, "No quedó conforme", acting_user=resolution)
    do_assign_case(first, Dependency.objects.get(code="HG"), acting_user=resolution)
    do_propose_answer(first, "Segunda respuesta.", acting_user=liaison)
    do_answer_case(first, "Segunda respuesta.", acting_user=resolution)
    assert Invitation.objects.count() == 1
    assert Notification.objects.filter(kind=NotificationKind.SURVEY_INVITATION).count() == 1


def test_who_is_not_invited(
    after_case: Study,
    resolution: User,
    liaison: User,
    outsider: User,
    make_case: Callable[..., Case],
) -> None:
    # No e-mail; an inquiry; a centre outside the study.
    answer(make_case(citizen={"name": "Sin correo"}), resolution, liaison)
    inquiry = make_case(CaseKind.INQUIRY, centre="HG", citizen={"email": "ana@example.com"})
    do_answer_case(inquiry, "Abrimos a las siete.", acting_user=resolution)
    other = make_case(centre="UM-ZAC", citizen={"email": "luis@example.com"})
    answer(other, resolution, outsider, centre="UM-ZAC")
    assert not Invitation.objects.exists()


def test_no_invitation_from_a_closed_or_continuous_study_or_another_method(
    resolution: User, liaison: User, make_case: Callable[..., Case]
) -> None:
    closed = factories.study(
        resolution, factories.questionnaire(resolution), [("HG", 1)], method=StudyMethod.AFTER_CASE
    )
    studies.do_close_study(closed, acting_user=resolution)
    factories.study(
        resolution, factories.questionnaire(resolution, code="enlace"), [("HG", 1)]
    )  # by link: staff invite
    continuous = factories.study(
        resolution,
        factories.questionnaire(resolution, code="continuo"),
        [("HG", 1)],
        method=StudyMethod.AFTER_CASE,
    )
    Study.objects.filter(pk=continuous.pk).update(continuous=True)
    answer(make_case(citizen=MARTA), resolution, liaison)
    assert not Invitation.objects.exists()


def test_one_reminder_after_the_delay_never_two(
    after_case: Study,
    resolution: User,
    liaison: User,
    make_case: Callable[..., Case],
    client: Client,
) -> None:
    answer(make_case(citizen=MARTA), resolution, liaison)
    invitation = Invitation.objects.get()
    first_link = link_in(invitation_mail())
    now = timezone.now()
    assert sweeping.sweep(now + timedelta(days=2))["survey_reminders"] == 0
    assert sweeping.sweep(now + timedelta(days=3, minutes=1))["survey_reminders"] == 1
    assert sweeping.sweep(now + timedelta(days=4))["survey_reminders"] == 0
    assert sweeping.sweep(now + timedelta(days=10))["survey_reminders"] == 0
    reminder = invitation_mail(NotificationKind.SURVEY_REMINDER)
    assert reminder.invitation_id == invitation.pk
    assert reminder.recipient == "marta@example.com"
    new_link = link_in(reminder)
    assert new_link != first_link
    # The reminder's link replaces the first one.
    assert client.get(first_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_no_reminder_after_a_response(
    after_case: Study,
    resolution: User,
    liaison: User,
    make_case: Callable[..., Case],
    client: Client,
) -> None:
    answer(make_case(citizen=MARTA), resolution, liaison)
    assert client.post(link_in(invitation_mail()), GOOD).status_code == 302
    later = timezone.now() + timedelta(days=4)
    assert sweeping.sweep(later)["survey_reminders"] == 0
    assert not Notification.objects.filter(kind=NotificationKind.SURVEY_REMINDER).exists()


def test_addresses_and_links_are_blanked_once_the_invitation_expires(
    after_case: Study, resolution: User, liaison: User, make_case: Callable[..., Case]
) -> None:
    answer(make_case(citizen=MARTA), resolution, liaison)
    notification = invitation_mail()
    assert deliver(notification.pk) == NotificationStatus.SENT
    valid = invitations.setting("valid_days")
    counts = sweeping.sweep(timezone.now() + timedelta(days=valid, minutes=1))
    assert counts["survey_addresses_blanked"] == 1
    assert counts["survey_mail_blanked"] == 1
    invitation = Invitation.objects.get()
    assert invitation.address == ""
    assert invitation.person_key  # still "invited", for the quiet period
    notification.refresh_from_db()
    assert (notification.recipient, notification.body) == ("", "")


def test_an_invitations_mail_is_erased_with_its_case(
    after_case: Study, resolution: User, liaison: User, make_case: Callable[..., Case]
) -> None:
    from enlace.notifications.delivery import erase_for_cases

    case = answer(make_case(citizen=MARTA), resolution, liaison)
    erase_for_cases([case.pk])
    notification = invitation_mail()
    assert (notification.recipient, notification.body) == ("", "")


def test_check_deploy_warns_without_a_public_url(settings: object) -> None:
    from enlace.notifications.apps import check_public_url

    assert check_public_url() == []
    settings.PUBLIC_URL = ""  # type: ignore[attr-defined]
    assert [message.id for message in check_public_url()] == ["notifications.W001"]
