"""One complaint through every step of the resolution workflow, on a frozen clock that crosses
Semana Santa (Jueves and Viernes Santo, 2 and 3 April 2026), weekends and Labour Day (1 May),
with every due date asserted."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from enlace.cases import actions
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import CaseDeadline, DeadlineStatus, DeadlineStep, EventKind
from enlace.cases.sweeper import sweep_deadlines
from enlace.notifications.models import Notification

SV = ZoneInfo("America/El_Salvador")


def at(month, day, hour=9):
    return time_machine.travel(datetime(2026, month, day, hour, 0, tzinfo=SV), tick=False)


def deadline(case, step):
    return CaseDeadline.objects.get(case=case, step=step)


@pytest.mark.django_db
def test_a_complaint_from_receipt_to_closing(make_case, agent, resolution, liaison):
    liaison.email = "enlace.hg@example.com"
    liaison.save()
    resolution.email = "supervision@example.com"
    resolution.save()

    # Tuesday 31 March: a complaint about Hospital General arrives by phone.
    with at(3, 31, 10):
        case = make_case(
            type="queja",
            centre="HG",
            by=agent,
            citizen={"name": "Ana", "email": "ana@example.com"},
        )
    ack, answer = deadline(case, DeadlineStep.ACKNOWLEDGE), deadline(case, DeadlineStep.ANSWER)
    # Acknowledge within 3 business days, counted from the next one: Wed 1, (Thu 2 and Fri 3
    # are Semana Santa, then the weekend) Mon 6, Tue 7.
    assert (ack.due_on, ack.remind_on, ack.escalate_on) == (
        date(2026, 4, 7),
        date(2026, 4, 6),
        date(2026, 4, 8),
    )
    # Answer a complaint within 15 business days: Thursday 23 April.
    assert (answer.due_on, answer.remind_on, answer.escalate_on) == (
        date(2026, 4, 23),
        date(2026, 4, 22),
        date(2026, 4, 24),
    )
    case.refresh_from_db()
    assert case.next_due_on == date(2026, 4, 7)

    # Nothing is due over Easter: the sweeper finds no work.
    with at(4, 3):
        assert sum(sweep_deadlines().values()) == 0

    # Monday 6 April, early: the acknowledgement reminder goes to the centre's liaison.
    with at(4, 6, 7):
        assert sweep_deadlines() == {"reminded": 1}
        assert sweep_deadlines() == {}  # never twice
    assert Notification.objects.filter(kind="reminder", recipient=liaison.email).count() == 1

    # The resolution section acknowledges: the citizen is told the tracking code.
    with at(4, 6, 9):
        actions.do_acknowledge_case(case, acting_user=resolution)
    ack.refresh_from_db()
    assert ack.status == DeadlineStatus.MET
    assert ack.business_days_taken == 2
    mail = Notification.objects.get(kind="acknowledgement")
    assert mail.recipient == "ana@example.com"
    assert case.display_code in mail.body
    case.refresh_from_db()
    assert case.next_due_on == date(2026, 4, 23)

    # Tuesday 7: routed to the centre, whose liaison is told.
    with at(4, 7):
        actions.do_assign_case(case, case.dependency, acting_user=resolution)
    assert Notification.objects.filter(kind="assignment", recipient=liaison.email).exists()

    # Wednesday 8: the citizen must send a document; the clock stops until Monday 13.
    with at(4, 8):
        actions.do_wait_for_citizen(case, "Falta copia de la receta", acting_user=resolution)
    with at(4, 10):
        assert sum(sweep_deadlines().values()) == 0
    with at(4, 13):
        case = actions.do_resume_case(case, acting_user=resolution)
    assert case.status == CaseStatus.ASSIGNED
    assert case.paused_days == 3  # Thu 9, Fri 10, Mon 13
    answer.refresh_from_db()
    assert (answer.due_on, answer.remind_on, answer.escalate_on) == (
        date(2026, 4, 28),
        date(2026, 4, 27),
        date(2026, 4, 29),
    )
    assert case.next_due_on == date(2026, 4, 28)

    # Monday 27: reminder. Wednesday 29: missed, and escalated to the supervisor.
    with at(4, 27, 6):
        assert sweep_deadlines() == {"reminded": 1}
    with at(4, 29, 6):
        assert sweep_deadlines() == {"missed": 1, "escalated": 1}
        assert sweep_deadlines() == {}
    escalated_to = set(
        Notification.objects.filter(kind="escalation").values_list("recipient", flat=True)
    )
    assert escalated_to == {resolution.email, liaison.email}

    # The centre proposes; the section returns it; Labour Day; the centre proposes again.
    with at(4, 29, 10):
        actions.do_propose_answer(case, "Se entregará el medicamento.", acting_user=liaison)
    with at(4, 30):
        actions.do_return_answer(case, "Indique la fecha de entrega.", acting_user=resolution)
    with at(5, 4):
        actions.do_propose_answer(
            case, "El medicamento se entregará el 6 de mayo.", acting_user=liaison
        )
        case = actions.do_answer_case(
            case, "El medicamento se entregará el 6 de mayo.", acting_user=resolution
        )
    answer.refresh_from_db()
    assert answer.status == DeadlineStatus.MET_LATE
    # 31 March -> 4 May is 21 business days (Easter and Labour Day excluded); 3 were paused.
    assert answer.business_days_taken == 18
    assert Notification.objects.filter(kind="answer", recipient="ana@example.com").count() == 1

    with at(5, 5):
        case = actions.do_close_case(case, acting_user=resolution, accepted=True)
    assert case.status == CaseStatus.CLOSED
    assert case.citizen_accepted is True
    assert case.next_due_on is None
    assert list(case.events.order_by("at", "id").values_list("kind", flat=True)) == [
        EventKind.REGISTERED,
        EventKind.DEADLINE_REMINDER,
        EventKind.ACKNOWLEDGED,
        EventKind.ASSIGNED,
        EventKind.WAITING,
        EventKind.RESUMED,
        EventKind.DEADLINE_REMINDER,
        EventKind.DEADLINE_MISSED,
        EventKind.DEADLINE_ESCALATED,
        EventKind.ANSWER_PROPOSED,
        EventKind.ANSWER_RETURNED,
        EventKind.ANSWER_PROPOSED,
        EventKind.ANSWERED,
        EventKind.CLOSED,
    ]
