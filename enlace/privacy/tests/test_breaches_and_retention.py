"""Breaches (72 hours to tell the authority and the people, alerted by the sweeper), unusual
accesses (a user over the hour's threshold), the access log by person and by user, and the
retention that anonymises what has been kept long enough while every report stays the same."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enlace.callcentre.models import Call
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.notifications.models import Notification
from enlace.privacy import access, sweeper
from enlace.privacy.models import (
    AccessBatch,
    AccessVia,
    Breach,
    BreachStatus,
    PersonalDataAccess,
    RetentionPolicy,
    UnusualAccess,
)
from enlace.reports.compliance import deadline_compliance
from enlace.reports.dashboard import dashboard
from enlace.reports.participation import Period, participation_report


def breach_form(**overrides):
    values = {
        "title": "Correo enviado a destinatario equivocado",
        "discovered_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "description": "Se envió una respuesta con datos de salud a otra persona.",
        "data_affected": "Nombre, DUI, diagnóstico",
        "people_affected": "1",
        "measures": "Se pidió al destinatario borrar el correo.",
    }
    values.update(overrides)
    return values


def test_a_breach_is_due_in_72_hours_and_alerted_until_told(dpo, client_for):
    dpo.email = "datos@isss.gob.sv"
    dpo.save()
    client = client_for(dpo)
    response = client.post(reverse("privacy:breach_new"), breach_form())
    assert response.status_code == 302
    breach = Breach.objects.get()
    assert breach.due_at == breach.discovered_at + timedelta(hours=72)
    assert breach.next_check_at == breach.due_at - timedelta(hours=24)
    # 48 hours on: due within a day; the officers are told.
    with time_machine.travel(breach.discovered_at + timedelta(hours=49), tick=False):
        assert sweeper.sweep_breaches(timezone.now()) == 1
    alert = Notification.objects.get(breach=breach)
    assert alert.recipient == "datos@isss.gob.sv"
    assert "Brecha que notificar" in alert.subject
    # Past 72 hours, not yet told: overdue.
    with time_machine.travel(breach.discovered_at + timedelta(hours=73), tick=False):
        assert sweeper.sweep_breaches(timezone.now()) == 1
        assert sweeper.sweep_breaches(timezone.now()) == 0  # once
        later = client_for(dpo)  # the morning's session has long ended
        page = later.get(reverse("privacy:breach", args=[breach.pk])).content.decode()
        assert "Vencido" in page
    assert "72 horas" in Notification.objects.filter(breach=breach).latest("id").subject
    # Told the authority and the people: notified, no more alerts.
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("privacy:breach_notice", args=[breach.pk]), {"authority": "on", "at": at})
    breach.refresh_from_db()
    assert breach.status == BreachStatus.OPEN
    client.post(reverse("privacy:breach_notice", args=[breach.pk]), {"people": "on", "at": at})
    breach.refresh_from_db()
    assert breach.status == BreachStatus.NOTIFIED
    assert breach.next_check_at is None
    client.post(reverse("privacy:breach_close", args=[breach.pk]), {"reason": "Resuelto"})
    breach.refresh_from_db()
    assert breach.status == BreachStatus.CLOSED
    kinds = list(breach.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "registered",
        "deadline_alert",
        "deadline_alert",
        "notified",
        "notified",
        "closed",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Este campo es obligatorio"),
        ({"discovered_at": "2099-01-01T10:00"}, "no puede estar en el futuro"),
        ({"discovered_at": "9999-12-31T23:59"}, "del 01/01/2000 al 31/12/2100"),
        ({"discovered_at": "1500-01-01T10:00"}, "del 01/01/2000 al 31/12/2100"),
        ({"people_affected": "-3"}, "mayor o igual a 0"),
        ({"people_affected": "99999999999999999999"}, "menor o igual a"),
    ],
)
def test_a_bad_breach_is_refused_in_spanish(dpo, client_for, overrides, message):
    response = client_for(dpo).post(reverse("privacy:breach_new"), breach_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Breach.objects.exists()


def test_a_notice_before_the_discovery_is_refused(dpo, client_for):
    client = client_for(dpo)
    client.post(reverse("privacy:breach_new"), breach_form())
    breach = Breach.objects.get()
    early = (breach.discovered_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("privacy:breach_notice", args=[breach.pk]), {"authority": "on", "at": early}
    )
    assert response.status_code == 400
    assert "anterior al descubrimiento" in response.content.decode()


def test_a_user_over_the_hourly_threshold_is_an_unusual_access(
    settings, resolution, agent, make_case, dpo, client_for
):
    settings.PERSONAL_DATA_ALERT_PER_HOUR = 3
    cases = [make_case() for _ in range(5)]
    access.record(resolution, AccessVia.CASE_PAGE, case_ids=[case.pk for case in cases])
    access.record(agent, AccessVia.CASE_PAGE, case_ids=[cases[0].pk])
    now = timezone.now()
    assert sweeper.find_unusual_access(now) == 1
    assert sweeper.find_unusual_access(now) == 0  # once an hour
    alert = UnusualAccess.objects.get()
    assert (alert.user, alert.accesses, alert.threshold) == (resolution, 5, 3)
    client = client_for(dpo)
    page = client.get(reverse("privacy:unusual")).content.decode()
    assert "rosa" in page
    client.post(reverse("privacy:unusual_review", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.reviewed_by == dpo


def test_the_access_log_by_person_and_by_user(resolution, agent, make_case, dpo, client_for):
    mine = make_case(citizen={"name": "Ana", "dui": "00016297-5"})
    other = make_case(citizen={"name": "Beto", "dui": "04567890-3"})
    client_for(resolution).get(reverse("cases:detail", args=[mine.pk]))
    client_for(resolution).get(reverse("cases:detail", args=[other.pk]))
    client = client_for(dpo)
    by_person = client.get(reverse("privacy:access_log"), {"dui": "00016297-5"}).content.decode()
    assert mine.display_code in by_person
    assert other.display_code not in by_person
    assert "rosa" in by_person
    assert "Página del caso" in by_person
    by_user = client.get(reverse("privacy:access_log"), {"username": "rosa"}).content.decode()
    assert mine.display_code in by_user
    assert other.display_code in by_user
    empty = client.get(reverse("privacy:access_log"), {"dui": ""})
    assert empty.status_code == 400
    assert "Busque por el DUI" in empty.content.decode()
    bad = client.get(reverse("privacy:access_log"), {"dui": "1234"})
    assert bad.status_code == 400
    # An impossible "older than" is ignored, not a 500.
    odd = client.get(reverse("privacy:access_log"), {"username": "rosa", "antes": "99999-1-1"})
    assert odd.status_code == 200


# --- Retention ---------------------------------------------------------------------------
def _figures():
    period = Period(date(2020, 1, 1), date(2020, 12, 31))
    return (
        participation_report(period),
        [row.__dict__ for row in deadline_compliance(period.start, period.end)],
        dashboard(period).__dict__,
    )


@pytest.fixture
def old_cases(make_case):
    with time_machine.travel(
        timezone.make_aware(timezone.datetime(2020, 3, 10, 10, 0)), tick=False
    ):
        cases = [
            make_case(
                citizen={"name": f"Persona {n}", "dui": "00016297-5"}, description=f"Texto {n}"
            )
            for n in range(6)
        ]
        cases += [
            make_case(CaseKind.INQUIRY, citizen={"name": "Consulta", "phone": "+50371234567"})
        ]
    closed = cases[:5]
    Case.objects.filter(pk__in=[c.pk for c in closed]).update(
        status="closed", closed_at=timezone.make_aware(timezone.datetime(2020, 4, 1, 9, 0))
    )
    Call.objects.create(
        pbx_call_id="old",
        caller="+50371234567",
        started_at=timezone.make_aware(timezone.datetime(2020, 3, 10, 9, 0)),
    )
    return cases


def test_retention_anonymises_what_is_due_and_the_reports_stay(old_cases, dpo, client_for):
    before = _figures()
    page = client_for(dpo).get(reverse("privacy:retention")).content.decode()
    assert "Opiniones y consultas cerradas" in page
    dry = sweeper.apply_retention(timezone.now(), dry_run=True)
    assert dry["cases.closed"] == 5
    assert dry["callcentre.calls"] == 1
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 0
    done = sweeper.apply_retention(timezone.now())
    assert done["cases.closed"] == 5
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 5
    still_open = Case.objects.exclude(pk__in=[c.pk for c in old_cases[:5]])
    assert set(still_open.values_list("citizen_name", flat=True)) == {"Persona 5", "Consulta"}
    assert Call.objects.get(pbx_call_id="old").caller == ""
    assert _figures() == before
    # Nothing more is due: a second run changes nothing.
    assert sum(sweeper.apply_retention(timezone.now()).values()) == 0


def test_an_inactive_or_longer_policy_keeps_the_data(old_cases):
    RetentionPolicy.objects.filter(kind="cases.closed").update(is_active=False)
    RetentionPolicy.objects.filter(kind="callcentre.calls").update(months=120)
    done = sweeper.apply_retention(timezone.now())
    assert "cases.closed" not in done
    assert done["callcentre.calls"] == 0
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 0


def test_the_retention_command_counts_then_anonymises(old_cases, capsys):
    call_command("retention", "--dry-run")
    out = capsys.readouterr().out
    assert "cases.closed: 5 due" in out
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 0
    call_command("retention")
    assert "cases.closed: 5 anonymised" in capsys.readouterr().out
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 5


def test_the_access_log_itself_is_kept_two_years(resolution, make_case):
    case = make_case()
    with time_machine.travel(timezone.now() - timedelta(days=800), tick=False):
        access.record(resolution, AccessVia.CASE_PAGE, case_ids=[case.pk])
    access.record(resolution, AccessVia.CASE_PAGE, case_ids=[case.pk])
    assert sweeper.apply_retention(timezone.now())["privacy.access_log"] == 1
    assert PersonalDataAccess.objects.count() == 1


def test_an_administrator_changes_a_retention_period(admin_user, resolution, client_for):
    policy = RetentionPolicy.objects.get(kind="cases.closed")
    url = reverse("admin:privacy_retentionpolicy_change", args=[policy.pk])
    assert client_for(resolution).get(url).status_code == 302  # not staff: to the admin's login
    client = client_for(admin_user)
    listed = client.get(reverse("admin:privacy_retentionpolicy_changelist")).content.decode()
    assert "Opiniones y consultas cerradas" in listed
    response = client.post(url, {"months": "84", "is_active": "on"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.months == 84
    assert client.get(reverse("admin:privacy_retentionpolicy_add")).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_api_page_is_logged_with_an_asynchronous_commit_that_does_not_leak(request) -> None:
    """In autocommit (the API's reads), a page is one batch row written by one statement whose
    own commit is asynchronous; the connection keeps its synchronous commits afterwards."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    make_case = request.getfixturevalue("make_case")
    ids = [make_case().pk for _ in range(3)]
    assert access.record(None, AccessVia.API_LIST, case_ids=ids) == 3
    assert AccessBatch.objects.get().case_ids == ids
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert sorted(access.log().filter(case_id__in=ids).values_list("case_id", flat=True)) == ids
    assert not AccessBatch.objects.exists()
