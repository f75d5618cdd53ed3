"""Campaigns through their actions and pages: the list imported with its errors by line and
column, duplicates merged and the do-not-call register respected; the next contact claimed
(callbacks, priority, fewest attempts), held by a lease that lapses; outcomes recorded once,
the first to record winning; the register never undone; the supervisor's steps, progress and
results; and who may do what."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from conftest import make_user
from enlace.accounts.models import Role, User
from enlace.campaigns import actions, rules
from enlace.campaigns.models import (
    Attempt,
    Campaign,
    CampaignStatus,
    Contact,
    ContactImport,
    ContactState,
    DoNotCall,
    DoNotCallReason,
    Outcome,
)
from enlace.campaigns.tests import factories
from enlace.core import sweeping
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency

pytestmark = pytest.mark.django_db

SV = ZoneInfo("America/El_Salvador")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=SV)  # a Wednesday
LIST = """nombre,telefono,dui,fecha_cita,lugar,prioridad
Marta Pérez,7123-4567,00016297-5,25/11/2026 08:00,Consulta externa,
José López,2222-3333,,26/11/2026 10:00,Rayos X,5
Ana Ruiz,6111-2222,,27/11/2026 07:00,Consulta externa,
"""


@pytest.fixture
def supervisor(db: None) -> User:
    return make_user("sofia", Role.CALL_SUPERVISOR, first_name="Sofía")


@pytest.fixture
def agent2(db: None) -> User:
    return make_user("luis", Role.AGENT, first_name="Luis")


@pytest.fixture
def running(supervisor: User) -> Campaign:
    campaign = factories.campaign(supervisor)
    report = factories.import_text(campaign, supervisor, LIST)
    assert (report.created, report.problems) == (3, [])
    return actions.do_step(campaign, "start", acting_user=supervisor)


def record(
    contact: Contact, agent: User, outcome: str, *, now: datetime = NOW, **extra: object
) -> Attempt:
    contact.refresh_from_db()
    return actions.do_record_outcome(
        contact,
        actions.CallResult(outcome=outcome, **extra),  # type: ignore[arg-type]
        agent=agent,
        seen_version=contact.version,
        now=now,
    )


# --- The list ----------------------------------------------------------------------------------
def test_the_list_is_read_with_its_own_columns(supervisor: User) -> None:
    campaign = factories.campaign(supervisor)
    factories.import_text(campaign, supervisor, LIST)
    marta = Contact.objects.get(name="Marta Pérez")
    assert (marta.phone, marta.dui, marta.line) == ("+50371234567", "00016297-5", 2)
    assert marta.data == {"fecha_cita": "25/11/2026 08:00", "lugar": "Consulta externa"}
    assert Contact.objects.get(name="José López").priority == 5
    imported = ContactImport.objects.get()
    assert (imported.added, imported.merged, imported.excluded, imported.rejected_count) == (
        3,
        0,
        0,
        0,
    )


def test_errors_name_the_line_and_column_and_nothing_is_stored(supervisor: User) -> None:
    campaign = factories.campaign(supervisor)
    bad = LIST + "Sin Teléfono,,,,,\nLuis Mal,1234,,,,\nDUI Malo,7000-0001,123,,,\n"
    report = factories.import_text(campaign, supervisor, bad)
    assert [(p.line, p.column) for p in report.problems] == [
        (5, "telefono"),
        (6, "telefono"),
        (7, "dui"),
    ]
    assert "válido" in str(report.problems[1]) or "valid" in str(report.problems[1])
    assert not Contact.objects.exists()
    assert not ContactImport.objects.exists()


def test_skip_invalid_keeps_the_good_rows_and_gives_back_the_bad(
    supervisor: User, client_for: object
) -> None:
    campaign = factories.campaign(supervisor)
    report = factories.import_text(
        campaign, supervisor, LIST + "Luis Mal,1234,,,,\n", skip_invalid=True
    )
    assert (report.created, report.rejected_rows) == (3, 1)
    imported = ContactImport.objects.get()
    client = client_for(supervisor)  # type: ignore[operator]
    rejected = client.get(f"/campanas/importaciones/{imported.pk}/rechazadas.csv")
    assert rejected.status_code == 200
    lines = rejected.content.decode().splitlines()
    assert lines[0].startswith("linea,nombre,telefono")
    assert lines[1].startswith("5,Luis Mal,1234")


def test_duplicates_are_merged_and_the_register_leaves_people_out(supervisor: User) -> None:
    DoNotCall.objects.create(
        phone="+50361112222", reason=DoNotCallReason.DECEASED, at=timezone.now()
    )
    campaign = factories.campaign(supervisor)
    twice = LIST + "Marta P.,7123 4567,,,,\nMarta otra vez,7999-8888,00016297-5,,,\n"
    report = factories.import_text(campaign, supervisor, twice)
    assert (report.created, report.merged, report.excluded) == (2, 2, 1)
    marta = Contact.objects.get(name="Marta Pérez")
    assert marta.phone_alt == "+50379998888"  # the second row's other number kept
    ana = Contact.objects.get(name="Ana Ruiz")
    assert (ana.state, ana.excluded_reason) == (ContactState.EXCLUDED, "Fallecido")
    # A second import of the same list adds nobody.
    again = factories.import_text(campaign, supervisor, LIST)
    assert (again.created, again.merged) == (0, 3)


def test_an_xlsx_list_through_the_page(supervisor: User, client_for: object) -> None:
    campaign = factories.campaign(supervisor)
    book = Workbook()
    sheet: Any = book.active
    sheet.append(["Nombre", "Telefono", "Fecha_cita"])
    sheet.append(["Marta Pérez", 71234567, datetime(2026, 11, 25, 8, 0)])
    sheet.append(["Sin número", None, None])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "lista.xlsx"
    client = client_for(supervisor)  # type: ignore[operator]
    page = client.post(f"/campanas/{campaign.pk}/importar/", {"file": data})
    assert page.status_code == 400
    assert "línea 3, columna telefono" in page.content.decode()
    data.seek(0)
    page = client.post(f"/campanas/{campaign.pk}/importar/", {"file": data, "skip_invalid": "on"})
    assert page.status_code == 302
    assert Contact.objects.get().data == {"fecha_cita": "25/11/2026 08:00"}


def test_a_file_that_is_not_a_list(supervisor: User, client_for: object) -> None:
    campaign = factories.campaign(supervisor)
    client = client_for(supervisor)  # type: ignore[operator]
    upload = io.BytesIO(b"nombre;correo\nMarta;m@example.com\n")
    upload.name = "lista.csv"
    page = client.post(f"/campanas/{campaign.pk}/importar/", {"file": upload})
    assert page.status_code == 400
    assert "Faltan las columnas: telefono" in page.content.decode()


# --- Claiming and recording ---------------------------------------------------------------------
def test_the_next_contact_callbacks_first_then_priority_then_fewest_attempts(
    running: Campaign, agent: User, agent2: User
) -> None:
    first = actions.do_claim_next(running, agent, now=NOW)
    assert first is not None
    assert first.name == "José López"  # priority 5
    # The same agent asking again gets the contact they hold.
    assert actions.do_claim_next(running, agent, now=NOW) == first
    second = actions.do_claim_next(running, agent2, now=NOW)
    assert second is not None
    assert second.name == "Marta Pérez"  # fewest attempts, then the list's order
    record(first, agent, Outcome.CALL_BACK, call_back_at=NOW + timedelta(minutes=30))
    record(second, agent2, Outcome.NO_ANSWER)
    third = actions.do_claim_next(running, agent, now=NOW)
    assert third is not None
    assert third.name == "Ana Ruiz"
    # Half an hour later the callback is due first; Marta's retry (2 hours) is not yet.
    later = NOW + timedelta(minutes=31)
    record(third, agent, Outcome.CONFIRMED, now=later)
    assert actions.do_claim_next(running, agent2, now=later).name == "José López"  # type: ignore[union-attr]
    assert actions.do_claim_next(running, agent, now=later) is None


def test_a_lapsed_lease_returns_the_contact_and_the_first_to_record_wins(
    running: Campaign, agent: User, agent2: User
) -> None:
    first = actions.do_claim_next(running, agent, now=NOW)
    assert first is not None
    seen = first.version
    lapsed = NOW + actions.lease() + timedelta(seconds=1)
    taken = actions.do_claim_next(running, agent2, now=lapsed)
    assert taken == first  # the lease lapsed: the contact went back to the queue
    # The second agent records first; the first agent is told, and nothing is saved twice.
    record(taken, agent2, Outcome.CONFIRMED, now=lapsed)
    with pytest.raises(BusinessError, match="Otro agente ya registró"):
        actions.do_record_outcome(
            first,
            actions.CallResult(outcome=Outcome.BUSY),
            agent=agent,
            seen_version=seen,
            now=lapsed,
        )
    assert Attempt.objects.filter(contact=first).count() == 1


def test_an_outcome_on_a_contact_someone_else_holds_is_refused(
    running: Campaign, agent: User, agent2: User
) -> None:
    held = actions.do_claim_next(running, agent, now=NOW)
    assert held is not None
    with pytest.raises(BusinessError, match="Otro agente está llamando"):
        actions.do_record_outcome(
            held,
            actions.CallResult(outcome=Outcome.CONFIRMED),
            agent=agent2,
            seen_version=held.version,
            now=NOW,
        )


def test_outcomes_that_need_a_date(running: Campaign, agent: User) -> None:
    held = actions.do_claim_next(running, agent, now=NOW)
    assert held is not None
    with pytest.raises(BusinessError, match="nueva fecha"):
        record(held, agent, Outcome.RESCHEDULED)
    with pytest.raises(BusinessError, match="futuro"):
        record(held, agent, Outcome.RESCHEDULED, rescheduled_to=NOW - timedelta(days=1))
    # A call back after the campaign's end is outside its calling hours.
    too_late = datetime.combine(running.ends_on + timedelta(days=2), datetime.min.time(), SV)
    with pytest.raises(BusinessError, match="horario"):
        record(held, agent, Outcome.CALL_BACK, call_back_at=too_late.replace(hour=9))
    record(held, agent, Outcome.RESCHEDULED, rescheduled_to=NOW + timedelta(days=7))
    held.refresh_from_db()
    assert (held.state, held.rescheduled_to) == (ContactState.DONE, NOW + timedelta(days=7))


def test_retries_until_the_attempts_are_used_up(supervisor: User, agent: User) -> None:
    campaign = factories.campaign(supervisor, max_attempts=2, retry_no_answer_minutes=0)
    factories.import_text(campaign, supervisor, "nombre,telefono\nMarta,7123-4567\n")
    actions.do_step(campaign, "start", acting_user=supervisor)
    contact = None
    for number in (1, 2):
        contact = actions.do_claim_next(campaign, agent, now=NOW + timedelta(minutes=number))
        assert contact is not None
        record(contact, agent, Outcome.NO_ANSWER, now=NOW + timedelta(minutes=number))
    assert contact is not None
    contact.refresh_from_db()
    assert (contact.state, contact.attempts) == (ContactState.UNREACHABLE, 2)
    assert actions.do_claim_next(campaign, agent, now=NOW + timedelta(minutes=5)) is None


def test_do_not_call_is_never_overwritten(running: Campaign, supervisor: User, agent: User) -> None:
    held = actions.do_claim_next(running, agent, now=NOW)
    assert held is not None
    record(held, agent, Outcome.DO_NOT_CALL, note="Pidió que no le llamen más")
    entry = DoNotCall.objects.get()
    assert (entry.phone, entry.reason) == (held.phone, DoNotCallReason.ASKED)
    # A later campaign with the same person leaves them out; so does a new list here.
    other = factories.campaign(supervisor)
    report = factories.import_text(other, supervisor, LIST)
    assert report.excluded == 1
    # Deceased later: the entry keeps the stronger reason, and nothing removes it.
    held2 = Contact.objects.get(campaign=other, phone=held.phone)
    assert held2.state == ContactState.EXCLUDED
    actions.do_add_do_not_call(held.phone, "", DoNotCallReason.DECEASED, acting_user=supervisor)
    assert DoNotCall.objects.get().reason == DoNotCallReason.DECEASED
    actions.do_add_do_not_call(held.phone, "", DoNotCallReason.ASKED, acting_user=supervisor)
    assert DoNotCall.objects.get().reason == DoNotCallReason.DECEASED


def test_someone_put_on_the_register_after_the_import_is_not_called(
    running: Campaign, supervisor: User, agent: User
) -> None:
    actions.do_add_do_not_call("6111-2222", "", DoNotCallReason.ASKED, acting_user=supervisor)
    names = []
    while (contact := actions.do_claim_next(running, agent, now=NOW)) is not None:
        names.append(contact.name)
        record(contact, agent, Outcome.CONFIRMED)
    assert sorted(names) == ["José López", "Marta Pérez"]
    assert Contact.objects.get(name="Ana Ruiz").state == ContactState.EXCLUDED


def test_a_register_entry_the_exclusions_missed_is_caught_at_the_claim(
    running: Campaign, agent: User
) -> None:
    # An entry written without the action (another process, a race with the import): the
    # claim itself looks it up, by phone or by DUI, and leaves the person out.
    DoNotCall.objects.create(
        phone="+50361112222", reason=DoNotCallReason.DECEASED, at=timezone.now()
    )
    names = []
    while (contact := actions.do_claim_next(running, agent, now=NOW)) is not None:
        names.append(contact.name)
        assert (contact.lease_holder, contact.lease_until) == (agent, NOW + actions.lease())
        record(contact, agent, Outcome.CONFIRMED)
    assert sorted(names) == ["José López", "Marta Pérez"]
    ana = Contact.objects.get(name="Ana Ruiz")
    assert (ana.state, ana.excluded_reason) == (ContactState.EXCLUDED, "Fallecido")


def test_no_calls_when_paused_outside_the_hours_or_for_other_agents(
    supervisor: User, agent: User, agent2: User
) -> None:
    campaign = factories.campaign(
        supervisor, windows=factories.ALWAYS[:5], agents=(agent,)
    )  # weekdays only
    factories.import_text(campaign, supervisor, LIST)
    with pytest.raises(BusinessError, match=r"[Bb]orrador"):
        actions.do_claim_next(campaign, agent, now=NOW)
    actions.do_step(campaign, "start", acting_user=supervisor)
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=SV)
    with pytest.raises(BusinessError, match="horario"):
        actions.do_claim_next(campaign, agent, now=saturday)
    with pytest.raises(BusinessError):
        actions.do_claim_next(campaign, agent2, now=NOW)
    actions.do_step(campaign, "pause", acting_user=supervisor)
    with pytest.raises(BusinessError, match=r"[Pp]ausa"):
        actions.do_claim_next(campaign, agent, now=NOW)


def test_the_claim_keeps_to_the_windows_to_the_minute_and_not_on_holidays(
    supervisor: User, agent: User
) -> None:
    # Monday to Friday 7:30-16:30 (the claim asks its windows in SQL: rules.in_window's test).
    campaign = factories.campaign(supervisor, windows=rules.DEFAULT_WINDOWS)
    factories.import_text(campaign, supervisor, LIST)
    actions.do_step(campaign, "start", acting_user=supervisor)
    for moment in (NOW.replace(hour=7, minute=29), NOW.replace(hour=16, minute=30)):
        with pytest.raises(BusinessError, match="horario"):
            actions.do_claim_next(campaign, agent, now=moment)
    all_souls = datetime(2026, 11, 2, 10, 0, tzinfo=SV)  # a Monday, a national holiday
    with pytest.raises(BusinessError, match="horario"):
        actions.do_claim_next(campaign, agent, now=all_souls)
    assert actions.do_claim_next(campaign, agent, now=NOW.replace(hour=7, minute=30))
    assert actions.do_claim_next(campaign, agent, now=NOW.replace(hour=16, minute=29))


def test_the_sweeper_finishes_a_campaign_past_its_end(running: Campaign) -> None:
    after = datetime.combine(running.ends_on + timedelta(days=1), datetime.min.time(), tzinfo=SV)
    counts = sweeping.sweep(after.replace(hour=9))
    assert counts["campaigns_finished"] == 1
    running.refresh_from_db()
    assert running.status == CampaignStatus.FINISHED
    assert not Contact.objects.filter(state=ContactState.TO_CALL).exists()


# --- Pages -------------------------------------------------------------------------------------
def test_an_agent_works_a_contact_through_the_pages(
    running: Campaign, agent: User, client_for: object
) -> None:
    client: Client = client_for(agent)  # type: ignore[operator]
    page = client.get(f"/campanas/{running.pk}/")
    assert page.status_code == 200
    assert "Siguiente llamada" in page.content.decode()
    with _at(NOW):
        claimed = client.post(f"/campanas/{running.pk}/siguiente/")
        assert claimed.status_code == 302
        call_page = client.get(claimed["Location"])
        text = call_page.content.decode()
        assert "Buen día, José López" in text
        assert 'href="tel:+50322223333"' in text
        contact = call_page.context["contact"]
        saved = client.post(
            claimed["Location"],
            {"version": contact.version, "outcome": "confirmed", "then": "next"},
        )
        assert saved.status_code == 302
        assert saved["Location"].startswith("/campanas/llamada/")
    contact.refresh_from_db()
    assert (contact.state, contact.last_outcome) == (ContactState.DONE, Outcome.CONFIRMED)


@pytest.fixture
def at_now() -> Any:
    """The clock at NOW, a Wednesday inside every test campaign's hours."""
    with _at(NOW):
        yield


@pytest.mark.usefixtures("at_now")
def test_a_complaint_voiced_during_the_call_is_a_case_linked_to_the_outbound_call(
    running: Campaign, agent: User, client_for: object
) -> None:
    client: Client = client_for(agent)  # type: ignore[operator]
    claimed = client.post(f"/campanas/{running.pk}/siguiente/")
    assert claimed.status_code == 302
    contact = Contact.objects.get(lease_holder=agent)
    call = contact.open_call
    assert call is not None
    assert (call.direction, call.agent_id, call.caller) == ("outbound", agent.pk, contact.phone)
    page = client.get(claimed["Location"]).content.decode()
    intake_url = f"/casos/nuevo/?contacto={contact.pk}&amp;llamada={call.pk}"
    assert intake_url in page
    intake = client.get(intake_url.replace("&amp;", "&"))
    initial = intake.context["form"].initial
    assert (initial["citizen_name"], initial["citizen_phone"], initial["call"]) == (
        contact.name,
        "2222-3333",
        call.pk,
    )
    registered = client.post(
        "/casos/nuevo/",
        {
            "kind": "opinion",
            "channel": "llamada_127",
            "opinion_type": "queja",
            "dependency": "Hospital General [HG]",
            "limitante": "Trato inadecuado del personal",
            "description": "Dice que en rayos X lo trataron mal la última vez.",
            "citizen_name": contact.name,
            "citizen_phone": "2222-3333",
            "call": str(call.pk),
            "intake_token": "5f0b8a9e-3f7e-4a43-9d7c-2c1b0a7e9f11",
        },
    )
    assert registered.status_code == 302
    saved = client.post(
        claimed["Location"], {"version": contact.version, "outcome": "confirmed", "then": "stop"}
    )
    assert saved.status_code == 302
    attempt = Attempt.objects.get(contact=contact)
    call.refresh_from_db()
    assert attempt.call == call
    assert attempt.case is not None
    assert attempt.case == call.case
    assert attempt.case.description.startswith("Dice que en rayos X")
    assert call.ended_at is not None
    assert call.answered_at == call.started_at  # the person was reached
    contact.refresh_from_db()
    assert contact.open_call is None


def test_outbound_calls_stay_out_of_the_lines_figures(
    running: Campaign, agent: User, client_for: object
) -> None:
    from enlace.callcentre.figures import Period, call_figures

    client: Client = client_for(agent)  # type: ignore[operator]
    with _at(NOW):
        client.post(f"/campanas/{running.pk}/siguiente/")
        contact = Contact.objects.get(lease_holder=agent)
        client.post(
            f"/campanas/llamada/{contact.pk}/",
            {"version": contact.version, "outcome": "no_answer", "then": "stop"},
        )
    assert Attempt.objects.get().call is not None
    day = NOW.date()
    assert call_figures(Period(day, day)).totals.offered == 0


def test_the_supervisor_pauses_and_exports(
    running: Campaign, supervisor: User, agent: User, client_for: object
) -> None:
    held = actions.do_claim_next(running, agent, now=NOW)
    assert held is not None
    record(held, agent, Outcome.RESCHEDULED, rescheduled_to=NOW + timedelta(days=3))
    client: Client = client_for(supervisor)  # type: ignore[operator]
    assert client.post(f"/campanas/{running.pk}/paso/", {"do": "pause"}).status_code == 302
    running.refresh_from_db()
    assert running.status == CampaignStatus.PAUSED
    page = client.get(f"/campanas/{running.pk}/")
    assert page.context["progress"]["done"] == 1
    assert page.context["progress"]["attempts_by_outcome"][0]["code"] == Outcome.RESCHEDULED
    xlsx = client.get(f"/campanas/{running.pk}/resultados.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    jose = dict(zip(header, next(r for r in rows if r[1] == "José López"), strict=True))
    assert jose["Último resultado"] == "Reprogramada"
    assert jose["fecha_cita"] == "26/11/2026 10:00"


def test_refusals_per_role(
    running: Campaign, analyst: User, liaison: User, agent: User, client_for: object
) -> None:
    for user in (analyst, liaison):
        client: Client = client_for(user)  # type: ignore[operator]
        assert client.get("/campanas/").status_code == 403
        assert client.get(f"/campanas/{running.pk}/").status_code == 404
    agent_client: Client = client_for(agent)  # type: ignore[operator]
    assert agent_client.get("/campanas/nueva/").status_code == 403
    assert agent_client.get(f"/campanas/{running.pk}/importar/").status_code == 403
    assert agent_client.get(f"/campanas/{running.pk}/resultados.xlsx").status_code == 403
    assert agent_client.post(f"/campanas/{running.pk}/paso/", {"do": "pause"}).status_code == 403
    assert agent_client.get("/campanas/no-llamar/").status_code == 403
    # A contact the agent does not hold is not theirs to see.
    other = Contact.objects.first()
    assert other is not None
    assert agent_client.get(f"/campanas/llamada/{other.pk}/").status_code == 404
    # An agent not named by a campaign that names its agents does not see it.
    boss = running.created_by
    assert boss is not None
    named = factories.campaign(boss, agents=(make_user("otro", Role.AGENT),))
    factories.import_text(named, boss, LIST)
    actions.do_step(named, "start", acting_user=boss)
    assert agent_client.get(f"/campanas/{named.pk}/").status_code == 404


def _at(moment: datetime) -> Any:
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_a_survey_campaign_opens_the_questionnaire_during_the_call(
    supervisor: User, agent: User, resolution: User, client_for: object
) -> None:
    from enlace.surveys.models import Response, StudyMethod
    from enlace.surveys.tests import factories as survey_factories

    study = survey_factories.study(
        resolution,
        survey_factories.questionnaire(resolution),
        [("UM-ZAC", 50), ("HG", 50)],
        method=StudyMethod.PHONE,
    )
    campaign = factories.campaign(
        supervisor, purpose="satisfaction_survey", study=study, requested_by=None
    )
    factories.import_text(campaign, supervisor, "nombre,telefono,centro\nMarta,7123-4567,HG\n")
    actions.do_step(campaign, "start", acting_user=supervisor)
    client: Client = client_for(agent)  # type: ignore[operator]
    with _at(NOW):
        claimed = client.post(f"/campanas/{campaign.pk}/siguiente/")
        page = client.get(claimed["Location"])
    assert page.context["survey_centre"] == Dependency.objects.get(code="HG").pk
    started = client.post(
        f"/estudios/{study.pk}/entrevista/", {"centre": page.context["survey_centre"]}
    )
    assert started.status_code == 302
    assert Response.objects.get().dependency.code == "HG"


def test_the_supervisor_gives_back_what_an_agent_holds(
    running: Campaign, supervisor: User, agent: User, agent2: User, client_for: object
) -> None:
    with _at(NOW):
        held = actions.do_claim_next(running, agent)
        assert held is not None
        call = actions.do_dial(held, agent)
        client: Client = client_for(supervisor)  # type: ignore[operator]
        page = client.get(f"/campanas/{running.pk}/")
        assert [u.pk for u in page.context["holders"]] == [agent.pk]
        answer = client.post(f"/campanas/{running.pk}/reasignar/", {"agent": agent.pk})
        assert answer.status_code == 302
        # Another agent takes it at once; the first one's call ended unanswered.
        assert actions.do_claim_next(running, agent2) == held
    call.refresh_from_db()
    assert (call.ended_at is not None, call.answered_at) == (True, None)
    assert running.events.filter(action="reassigned").exists()
