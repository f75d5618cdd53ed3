"""The resolution workflow from a case's page: one endpoint, /casos/<id>/<slug>/, for every
action. Each slug works for the role that may use it, is refused (404) to a user who may not see
the case and (403) to a role without the capability, and a step the lifecycle forbids is a 400
with nothing changed. The page offers only what the user may do now, and shows the deadlines."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from enlace.cases import actions
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import (
    Case,
    CaseDeadline,
    CaseEvent,
    DeadlineStatus,
    DeadlineStep,
    EventKind,
)
from enlace.cases.sweeper import sweep_deadlines
from enlace.catalogues.models import OpinionType
from enlace.channels.actions import do_process_message, do_receive_message
from enlace.channels.meta.tests.conftest import whatsapp_text
from enlace.channels.models import OutboundMessage
from enlace.directory.models import Dependency

SV = ZoneInfo("America/El_Salvador")


def at(month, day, hour=9):
    return time_machine.travel(datetime(2026, month, day, hour, 0, tzinfo=SV), tick=False)


def url(case, slug):
    return reverse("cases:action", args=[case.pk, slug])


def detail(case):
    return reverse("cases:detail", args=[case.pk])


def snapshot(case):
    """Everything an action could change: the case row, its events, its deadlines, and how many
    cases there are (escalating makes one)."""
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        list(CaseEvent.objects.filter(case=case).values_list("id", flat=True)),
        list(CaseDeadline.objects.filter(case=case).order_by("id").values()),
        Case.objects.count(),
    )


# --- Arranging a case in the state an action needs (through the real actions) ---------------
def received(w):
    return w.make_case(centre="HG", type="queja", citizen={"name": "Ana", "dui": "00016297-5"})


def assigned(w):
    case = received(w)
    return actions.do_assign_case(case, case.dependency, acting_user=w.resolution)


def proposed(w):
    case = assigned(w)
    return actions.do_propose_answer(case, "Se entregará el medicamento.", acting_user=w.liaison)


def answered(w):
    case = proposed(w)
    return actions.do_answer_case(case, case.proposed_answer, acting_user=w.resolution)


def waiting(w):
    return actions.do_wait_for_citizen(received(w), "Copia de la receta", acting_user=w.resolution)


def closed(w):
    return actions.do_close_case(received(w), "Se resolvió.", acting_user=w.resolution)


def inquiry(w):
    return w.make_case(CaseKind.INQUIRY, centre="HG", description="¿Por qué no hay insulina?")


class World:
    """The personas and helpers every scenario may need, in one argument."""

    def __init__(self, **fixtures):
        self.__dict__.update(fixtures)


@pytest.fixture
def w(db, make_case, client_for, agent, resolution, liaison, outsider, analyst, settings):
    # Named, not looked up at run time: pytest-django orders tests by the fixtures they name,
    # and a test that does not name `db` would run after the transactional ones.
    return World(
        make_case=make_case,
        client_for=client_for,
        agent=agent,
        resolution=resolution,
        liaison=liaison,
        outsider=outsider,
        analyst=analyst,
        settings=settings,
    )


def written_on_whatsapp(w):
    """A case whose citizen then wrote on WhatsApp from the case's phone, quoting its code."""
    w.settings.WHATSAPP_ACCESS_TOKEN = "token"
    w.settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    case = w.make_case(centre="HG", type="queja", citizen={"name": "Ana", "phone": "+50371234567"})
    body = json.dumps(whatsapp_text(f"Sobre mi caso {case.display_code}", wamid="wamid.1"))
    message, _created = do_receive_message("whatsapp", "wamid.1", body=body, sender="50371234567")
    do_process_message(message.pk)
    return case


# --- Per slug: how to arrange it, what to post, who may, who may not, and what it did -------
def check_platform_reply(case, w):
    outbound = OutboundMessage.objects.get(case=case)
    assert (outbound.recipient, outbound.text) == ("50371234567", "Le esperamos el lunes")
    assert case.events.get(kind=EventKind.MESSAGE_SENT).note == "Le esperamos el lunes"


def check_comment(case, w):
    assert case.events.filter(kind=EventKind.COMMENTED, note="Revisado con el centro").exists()
    assert case.status == CaseStatus.RECEIVED


def check_reclassify(case, w):
    assert case.opinion_type.code == "reclamo"
    assert case.limitante.code == "trato_personal"
    assert (case.priority, case.patient_safety) == ("urgent", True)
    event = case.events.get(kind=EventKind.RECLASSIFIED)
    assert event.changes["opinion_type"] == {"from": "Queja", "to": "Reclamo"}
    assert event.note == "Es un reclamo"


def check_acknowledge(case, w):
    assert case.status == CaseStatus.ACKNOWLEDGED
    ack = case.deadlines.get(step=DeadlineStep.ACKNOWLEDGE)
    assert ack.status == DeadlineStatus.MET
    assert case.events.get(kind=EventKind.ACKNOWLEDGED).note == "Acuse por teléfono"


def check_assess(case, w):
    assert case.status == CaseStatus.IN_ASSESSMENT


def check_assign(case, w):
    assert case.status == CaseStatus.ASSIGNED
    assert case.dependency.code == "UM-ZAC"
    assert case.events.get(kind=EventKind.ASSIGNED).note == "Corresponde a Zacamil"


def check_propose(case, w):
    assert case.status == CaseStatus.ANSWER_PROPOSED
    assert case.proposed_answer == "Se repondrá el medicamento el lunes."


def check_return(case, w):
    assert case.status == CaseStatus.ASSIGNED
    assert case.events.get(kind=EventKind.ANSWER_RETURNED).note == "Indique la fecha"


def check_answer(case, w):
    assert case.status == CaseStatus.ANSWERED
    assert case.answer == "Le entregaremos el medicamento el lunes."
    assert case.deadlines.get(step=DeadlineStep.ANSWER).status == DeadlineStatus.MET


def check_wait(case, w):
    assert case.status == CaseStatus.WAITING_CITIZEN
    assert case.paused_on is not None
    assert case.events.get(kind=EventKind.WAITING).note == "Copia del DUI"


def check_resume(case, w):
    assert case.status == CaseStatus.RECEIVED  # where it was before waiting
    assert case.paused_on is None


def check_close(case, w):
    assert case.status == CaseStatus.CLOSED
    assert case.answer == "Se entregará el medicamento."  # the answer it had
    assert case.citizen_accepted is True
    assert case.next_due_on is None


def check_reopen(case, w):
    assert case.status == CaseStatus.REOPENED
    assert case.closed_at is None
    assert case.deadlines.get(step=DeadlineStep.ANSWER).status == DeadlineStatus.OPEN


def check_merge(case, w):
    assert case.status == CaseStatus.MERGED
    assert case.merged_into == Case.objects.exclude(pk=case.pk).get()
    assert case.next_due_on is None


def check_void(case, w):
    assert case.status == CaseStatus.VOID
    assert case.events.get(kind=EventKind.VOIDED).note == "Llamada de prueba"


def check_escalate(case, w):
    opinion = Case.objects.get(escalated_from=case)
    assert (opinion.kind, opinion.opinion_type.code, opinion.dependency.code) == (
        "opinion",
        "queja",
        "HG",
    )
    assert opinion.description == "No hay insulina desde hace un mes"
    assert opinion.status == CaseStatus.RECEIVED
    assert case.status == CaseStatus.CLOSED


def merge_data(case, w):
    other = Case.objects.exclude(pk=case.pk).get()
    return {"into": other.display_code}


def with_other_case(w):
    w.make_case(centre="HG", type="reclamo")
    return received(w)


def to_classify(w):
    from enlace.cases.actions import NewCase, do_register_case
    from enlace.catalogues.models import Channel

    case, _created = do_register_case(
        NewCase(
            kind="opinion",
            channel=Channel.objects.get(code="whatsapp"),
            description="Me trataron mal en la farmacia",
            to_classify=True,
        ),
        acting_user=None,
    )
    return case


def check_triage(case, w):
    assert not case.to_classify
    assert (case.kind, case.opinion_type.code, case.dependency.code) == ("opinion", "queja", "HG")
    assert case.level_of_care == "hospital"


def check_taken(case, w):
    assert case.owner == w.liaison
    assert case.events.get(kind=EventKind.OWNER_SET).actor == w.liaison


def check_owner(case, w):
    assert case.owner == w.liaison
    assert case.events.get(kind=EventKind.OWNER_SET).note == "Revíselo hoy"


SCENARIOS = {
    # slug: (arrange, data, who may, who may not (403), check)
    "tomar": (received, {}, "liaison", "analyst", check_taken),
    "responsable": (
        received,
        {"owner": "bruno", "note": "Revíselo hoy"},
        "resolution",
        "analyst",
        check_owner,
    ),
    "triaje": (
        to_classify,
        {"kind": "opinion", "opinion_type": "queja", "dependency": "HG"},
        "resolution",
        "agent",
        check_triage,
    ),
    "comentar": (received, {"body": "Revisado con el centro"}, "liaison", "analyst", check_comment),
    "mensaje": (
        written_on_whatsapp,
        {"text": "Le esperamos el lunes"},
        "resolution",
        "agent",
        check_platform_reply,
    ),
    "clasificar": (
        received,
        {
            "opinion_type": "reclamo",
            "limitante": "trato_personal",
            "priority": "urgent",
            "patient_safety": "on",
            "note": "Es un reclamo",
        },
        "resolution",
        "liaison",
        check_reclassify,
    ),
    "acusar": (
        received,
        {"note": "Acuse por teléfono"},
        "resolution",
        "liaison",
        check_acknowledge,
    ),
    "evaluar": (received, {}, "resolution", "agent", check_assess),
    "asignar": (
        received,
        {"dependency": "UM-ZAC", "reason": "Corresponde a Zacamil"},
        "resolution",
        "liaison",
        check_assign,
    ),
    "proponer": (
        assigned,
        {"answer": "Se repondrá el medicamento el lunes."},
        "liaison",
        "agent",
        check_propose,
    ),
    "devolver": (proposed, {"reason": "Indique la fecha"}, "resolution", "liaison", check_return),
    "responder": (
        proposed,
        {"answer": "Le entregaremos el medicamento el lunes."},
        "resolution",
        "liaison",
        check_answer,
    ),
    "esperar": (received, {"reason": "Copia del DUI"}, "resolution", "agent", check_wait),
    "reanudar": (waiting, {"note": "Llegó la copia"}, "resolution", "liaison", check_resume),
    "cerrar": (answered, {"answer": "", "accepted": "yes"}, "resolution", "liaison", check_close),
    "reabrir": (closed, {"reason": "No quedó conforme"}, "resolution", "agent", check_reopen),
    "fusionar": (with_other_case, merge_data, "resolution", "agent", check_merge),
    "anular": (received, {"reason": "Llamada de prueba"}, "resolution", "liaison", check_void),
    "escalar": (
        inquiry,
        {
            "opinion_type": "queja",
            "dependency": "HG",
            "description": "No hay insulina desde hace un mes",
        },
        "agent",
        "liaison",
        check_escalate,
    ),
}


@pytest.mark.parametrize("slug", list(SCENARIOS))
def test_each_action_works_for_its_role_and_no_one_else(slug, w):
    arrange, data, allowed, forbidden, check = SCENARIOS[slug]
    case = arrange(w)
    data = data(case, w) if callable(data) else data
    before = snapshot(case)

    # A user of another centre does not learn the case exists; a read-only role and a role
    # without the capability are refused; a GET is not an action.
    assert w.client_for(w.outsider).post(url(case, slug), data).status_code == 404
    assert w.client_for(w.analyst).post(url(case, slug), data).status_code == 403
    assert w.client_for(getattr(w, forbidden)).post(url(case, slug), data).status_code == 403
    assert w.client_for(getattr(w, allowed)).get(url(case, slug)).status_code == 405
    assert snapshot(case) == before

    # The page of that role offers it, and posting it works.
    client = w.client_for(getattr(w, allowed))
    assert slug in client.get(detail(case)).context["offered"]
    response = client.post(url(case, slug), data)
    assert response.status_code == 302
    assert response["Location"] == detail(case)
    case.refresh_from_db()
    check(case, w)


def test_every_slug_has_a_scenario():
    from enlace.cases.steps import CASE_STEPS as CASE_ACTIONS

    assert set(CASE_ACTIONS) == set(SCENARIOS)


def test_an_unknown_action_is_404(w):
    case = received(w)
    response = w.client_for(w.resolution).post(url(case, "teletransportar"), {})
    assert response.status_code == 404


# --- What the lifecycle forbids: 400, the message at the top, nothing changed ---------------
def test_answering_a_void_case_is_refused_with_the_lifecycles_message(w):
    case = actions.do_void_case(received(w), "Duplicado", acting_user=w.resolution)
    before = snapshot(case)
    response = w.client_for(w.resolution).post(url(case, "responder"), {"answer": "Hola"})
    assert response.status_code == 400
    assert "no puede pasar a" in response.content.decode()
    assert snapshot(case) == before


def test_closing_a_received_case_needs_the_answer(w):
    case = received(w)
    before = snapshot(case)
    response = w.client_for(w.resolution).post(url(case, "cerrar"), {"answer": " "})
    assert response.status_code == 400
    form = next(item.form for item in response.context["actions"] if item.slug == "cerrar")
    assert "answer" in form.errors
    assert snapshot(case) == before


def test_a_liaison_cannot_propose_before_the_case_is_assigned(w):
    case = received(w)
    before = snapshot(case)
    response = w.client_for(w.liaison).post(url(case, "proponer"), {"answer": "Ya está."})
    assert response.status_code == 400
    assert "no puede pasar a" in response.content.decode()
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("arrange", "slug", "data"),
    [
        # Returning is only ever from a proposal, though the lifecycle allows assigned->assigned.
        (assigned, "devolver", {"reason": "x"}),
        # A waiting case moves on only by resuming, which moves its deadlines by the days waited.
        (waiting, "evaluar", {}),
        (waiting, "asignar", {"dependency": "HG"}),
        (received, "reanudar", {}),
        # Acknowledging twice.
        (
            lambda w: actions.do_acknowledge_case(received(w), acting_user=w.resolution),
            "acusar",
            {},
        ),
        # A closed case is reopened, not classified.
        (closed, "clasificar", {"opinion_type": "reclamo"}),
    ],
)
def test_a_step_the_case_is_not_at_is_refused(w, arrange, slug, data):
    case = arrange(w)
    before = snapshot(case)
    response = w.client_for(w.resolution).post(url(case, slug), data)
    assert response.status_code == 400
    assert list(response.context["messages"])  # said at the top of the page
    assert snapshot(case) == before


def test_merging_into_an_unknown_code_is_a_field_error(w):
    case = received(w)
    before = snapshot(case)
    client = w.client_for(w.resolution)
    for code in ("ZZZZZ-ZZZZZ", "no es un código", case.display_code):
        response = client.post(url(case, "fusionar"), {"into": code})
        assert response.status_code == 400
        form = next(item.form for item in response.context["actions"] if item.slug == "fusionar")
        assert "into" in form.errors  # the last one: a case cannot be merged into itself
    assert snapshot(case) == before


def test_a_missing_reason_is_a_field_error(w):
    case = received(w)
    before = snapshot(case)
    response = w.client_for(w.resolution).post(url(case, "anular"), {"reason": "  "})
    assert response.status_code == 400
    form = next(item.form for item in response.context["actions"] if item.slug == "anular")
    assert "reason" in form.errors
    assert snapshot(case) == before


# --- What the page offers --------------------------------------------------------------------
def offered(w, user, case):
    return set(w.client_for(user).get(detail(case)).context["offered"])


OWNING = {"tomar", "responsable"}  # taking the case, giving it to a person: while it is open


def test_the_page_offers_only_what_the_user_may_do_now(w):
    case = received(w)
    assert offered(w, w.resolution, case) == OWNING | {
        "acusar",
        "evaluar",
        "asignar",
        "responder",
        "esperar",
        "cerrar",
        "comentar",
        "clasificar",
        "fusionar",
        "anular",
    }
    assert offered(w, w.liaison, case) == OWNING | {"comentar"}
    # An analyst reads figures: the case page itself is closed to them.
    assert w.client_for(w.analyst).get(detail(case)).status_code == 403
    case = actions.do_assign_case(case, case.dependency, acting_user=w.resolution)
    assert offered(w, w.liaison, case) == OWNING | {"comentar", "proponer"}
    assert offered(w, w.resolution, case) >= {"proponer", "responder", "evaluar", "asignar"}
    case = actions.do_propose_answer(case, "Propuesta", acting_user=w.liaison)
    assert offered(w, w.liaison, case) == OWNING | {"comentar"}
    assert {"responder", "devolver"} <= offered(w, w.resolution, case)
    assert "asignar" not in offered(w, w.resolution, case)
    case = actions.do_answer_case(case, "Respuesta", acting_user=w.resolution)
    assert offered(w, w.resolution, case) == OWNING | {
        "comentar",
        "clasificar",
        "cerrar",
        "reabrir",
        "fusionar",
        "anular",
    }
    case = actions.do_close_case(case, acting_user=w.resolution)
    assert offered(w, w.resolution, case) == {"comentar", "reabrir"}


def test_a_waiting_case_offers_resuming_not_assessing(w):
    assert offered(w, w.resolution, waiting(w)) == OWNING | {
        "reanudar",
        "comentar",
        "clasificar",
        "cerrar",
        "fusionar",
        "anular",
    }


def test_an_agent_may_close_and_escalate_an_inquiry_once(w):
    case = inquiry(w)
    assert offered(w, w.agent, case) == OWNING | {"comentar", "cerrar", "escalar"}
    actions.do_escalate_inquiry(
        case,
        opinion_type=OpinionType.objects.get(code="queja"),
        dependency=Dependency.objects.get(code="HG"),
        description="",
        acting_user=w.agent,
    )
    case.refresh_from_db()
    assert offered(w, w.agent, case) == {"comentar"}


def test_the_next_step_is_unfolded_and_first(w):
    page = w.client_for(w.resolution).get(detail(received(w)))
    items = page.context["actions"]
    assert items[0].slug == "acusar"
    assert items[0].is_next
    assert items[0].is_open
    assert [item.slug for item in items if item.is_open] == ["acusar", "comentar"]
    html = page.content.decode()
    assert f'action="{url(page.context["case"], "acusar")}"' in html
    # Every form on the page has ids of its own.
    assert 'id="id_comentar_body"' in html
    assert 'id="id_anular_reason"' in html


def test_answering_is_prefilled_with_the_proposed_answer(w):
    case = proposed(w)
    page = w.client_for(w.resolution).get(detail(case))
    form = next(item.form for item in page.context["actions"] if item.slug == "responder")
    assert form["answer"].value() == "Se entregará el medicamento."
    assert "Se entregará el medicamento." in page.content.decode()


def test_a_possible_duplicate_is_shown_with_the_merge_form_prefilled(w):
    first = received(w)
    second = received(w)  # same DUI, same centre, days apart at most
    assert second.possible_duplicate_of == first
    page = w.client_for(w.resolution).get(detail(second))
    assert page.context["possible_duplicate_of"] == first
    merge = page.context["merge_in_notice"]
    assert merge.form["into"].value() == first.display_code
    html = page.content.decode()
    assert f'href="{detail(first)}"' in html
    assert f'value="{first.display_code}"' in html
    # Merging from the notice.
    response = w.client_for(w.resolution).post(
        url(second, "fusionar"), {"into": first.display_code}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first
    page = w.client_for(w.resolution).get(detail(second))
    assert page.context["merged_into"] == first
    assert page.context["possible_duplicate_of"] is None
    assert w.client_for(w.resolution).get(detail(first)).context["merged_cases"] == [second]


def test_escalations_link_both_ways(w):
    case = inquiry(w)
    w.client_for(w.agent).post(
        url(case, "escalar"), {"opinion_type": "queja", "dependency": "HG", "description": ""}
    )
    opinion = Case.objects.get(escalated_from=case)
    assert opinion.description == case.description  # empty: the inquiry's own
    client = w.client_for(w.resolution)
    assert client.get(detail(case)).context["escalations"] == [opinion]
    page = client.get(detail(opinion))
    assert page.context["escalated_from"] == case
    assert f'href="{detail(case)}"' in page.content.decode()


# --- Deadlines on the page -------------------------------------------------------------------
def deadline_rows(page):
    return {row.deadline.step: row for row in page.context["deadlines"]}


def test_the_page_shows_the_deadlines_and_their_badges(w):
    # Tuesday 31 March 2026: acknowledge by Tue 7 April, answer (queja) by Thu 23 April.
    with at(3, 31, 10):
        case = received(w)
    client = w.client_for(w.resolution)
    with at(4, 1):
        page = client.get(detail(case))
        rows = deadline_rows(page)
        assert rows["acknowledge"].deadline.due_on == date(2026, 4, 7)
        assert rows["answer"].deadline.due_on == date(2026, 4, 23)
        assert "badge-soon" not in page.content.decode()
        assert "badge-overdue" not in page.content.decode()
    with at(4, 5):  # two days before: due soon
        html = client.get(detail(case)).content.decode()
        assert html.count("badge-soon") == 1
        assert "07/04/2026" in html
    with at(4, 7):  # the day itself: still due soon, not overdue
        html = client.get(detail(case)).content.decode()
        assert html.count("badge-soon") == 1
        assert "badge-overdue" not in html
    with at(4, 8):  # the day after: overdue
        html = client.get(detail(case)).content.decode()
        assert html.count("badge-overdue") == 1
        assert "badge-soon" not in html
        actions.do_acknowledge_case(case, acting_user=w.resolution)
        page = client.get(detail(case))
        html = page.content.decode()
        # Met late: its status is shown, no badge any more.
        assert deadline_rows(page)["acknowledge"].deadline.status == DeadlineStatus.MET_LATE
        assert not deadline_rows(page)["acknowledge"].is_open
        assert "badge-overdue" not in html
        assert "badge-soon" not in html
        assert "deadline-status-met_late" in html
    with at(4, 21):
        assert client.get(detail(case)).content.decode().count("badge-soon") == 1


def test_the_timeline_shows_deadline_events_by_the_system(w):
    with at(3, 31, 10):
        case = received(w)
    with at(4, 6, 7):
        assert sweep_deadlines() == {"reminded": 1}
    with at(4, 6, 9):
        page = w.client_for(w.resolution).get(detail(case))
    items = page.context["timeline_items"]
    reminder = next(i for i in items if i.event.kind == EventKind.DEADLINE_REMINDER)
    assert reminder.event.actor is None
    assert reminder.is_deadline
    with translation.override("es"):  # the sweeper writes the step in the site's language
        step = str(DeadlineStep.ACKNOWLEDGE.label)
    assert [(c.label, c.after) for c in reminder.changes] == [(step, "07/04/2026")]
    html = page.content.decode()
    assert "Sistema" in html
    assert "07/04/2026" in html


def test_priority_and_patient_safety_are_shown(w):
    case = w.make_case(centre="HG", priority="urgent", patient_safety=True)
    page = w.client_for(w.resolution).get(detail(case))
    html = page.content.decode()
    assert "badge-safety" in html
    assert "badge-priority-urgent" in html
    normal = w.make_case(centre="HG")
    html = w.client_for(w.resolution).get(detail(normal)).content.decode()
    assert "badge-safety" not in html
    assert "badge-priority" not in html


def test_a_liaisons_internal_action_never_reaches_the_citizen(w, client):
    case = assigned(w)
    response = w.client_for(w.liaison).post(
        url(case, "proponer"),
        {
            "answer": "Ya hay medicamento en la farmacia.",
            "improvement_action": "Revisar el inventario semanal con el jefe de farmacia.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.proposed_answer == "Ya hay medicamento en la farmacia."
    assert case.proposed_action == "Revisar el inventario semanal con el jefe de farmacia."
    # The resolution section reads both, and is offered only the answer to send.
    page = w.client_for(w.resolution).get(detail(case))
    assert "Revisar el inventario semanal" in page.content.decode()
    form = next(item.form for item in page.context["actions"] if item.slug == "responder")
    assert form["answer"].value() == "Ya hay medicamento en la farmacia."
    response = w.client_for(w.resolution).post(
        url(case, "responder"), {"answer": form["answer"].value()}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.answer == "Ya hay medicamento en la farmacia."
    # The citizen's tracking page shows the answer, never the internal action.
    tracking = client.post(
        reverse("portal:track"), {"code": case.display_code, "factor": "00016297-5"}
    )
    assert "Ya hay medicamento en la farmacia." in tracking.content.decode()
    assert "inventario semanal" not in tracking.content.decode()


def complaint_of(w):
    return w.make_case(centre="HG", type="queja")


def test_an_aviso_de_denuncia_is_hidden_from_its_centre_until_triaged(w, punto_seguro):
    case = w.make_case(centre="HG", type="denuncia", by=punto_seguro)
    liaison = w.client_for(w.liaison)
    assert liaison.get(detail(case)).status_code == 404
    assert case.display_code not in liaison.get(reverse("cases:list")).content.decode()
    # Whoever registered it, and the resolution section, see it.
    assert w.client_for(punto_seguro).get(detail(case)).status_code == 200
    assert w.client_for(w.resolution).get(detail(case)).status_code == 200
    # Once the resolution section routes it to the centre, the centre investigates it.
    actions.do_assign_case(case, case.dependency, acting_user=w.resolution)
    assert liaison.get(detail(case)).status_code == 200
    # The case's page says who has seen it, each once, from the access log.
    page = w.client_for(w.resolution).get(detail(case))
    seen = [(viewer["name"], viewer["times"]) for viewer in page.context["seen_by"]]
    assert seen == [("pablo", 1), ("rosa", 2), ("bruno", 1)]
    assert "Quién ha visto este aviso de denuncia" in page.content.decode()
    assert not w.client_for(w.resolution).get(detail(complaint_of(w))).context["seen_by"]
    # Other opinions of the centre were never hidden.
    complaint = w.make_case(centre="HG", type="queja")
    assert liaison.get(detail(complaint)).status_code == 200
    inquiry = w.make_case(CaseKind.INQUIRY, centre="HG")
    assert liaison.get(detail(inquiry)).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_answer_given_while_the_queue_is_down_is_kept_and_mailed_later(w, settings):
    """Redis down (the chaos test's fault): the answer is committed and the page answers as
    usual; its e-mail stays pending until the sweeper hands it back to the queue."""
    from enlace.notifications.delivery import OUTBOX
    from enlace.notifications.models import Notification

    case = w.make_case(centre="HG", type="queja", citizen={"name": "Ana", "email": "ana@a.sv"})
    case = actions.do_assign_case(case, case.dependency, acting_user=w.resolution)
    case = actions.do_propose_answer(case, "Se entregará.", acting_user=w.liaison)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there
    response = w.client_for(w.resolution).post(
        url(case, "responder"), {"answer": "Se entregará el medicamento."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    mail = Notification.objects.filter(case=case).latest("pk")
    assert mail.status == "pending"
    assert mail.pk in OUTBOX.left_behind(mail.created_at + OUTBOX.grace + OUTBOX.grace)
