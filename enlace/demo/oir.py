"""Demo public-information requests for `seed_demo`: about thirty, across every state (some
overdue, one extended, one waiting for a clarification, resolved ones with each outcome and
their PDF, one appealed before the IAIP), received over the last three months.

Like the demo cases, they are written with past dates (an action stamps the present), but every
date that depends on the law comes from the same pure arithmetic the actions use
(enlace/oir/deadlines.py), so the due dates and computed states are the real ones. Only into an
empty table: running it again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from enlace.accounts.models import Role, User
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency
from enlace.oir import actions, sweeper
from enlace.oir.models import (
    Appeal,
    Clarification,
    EventKind,
    InformationRequest,
    ItemStatus,
    RequestEvent,
    RequestItem,
    RequestStatus,
    ReservedEntry,
    ResolutionDocument,
    UnitFinding,
)
from enlace.oir.pdf import resolution_pdf
from enlace.oir.rules import format_number, legal_rules

PEOPLE = [
    ("Carmen Elena Flores", "female", "natural"),
    ("José Antonio Martínez", "male", "natural"),
    ("Ana Guadalupe Rivas", "female", "natural"),
    ("Luis Alberto Hernández", "male", "natural"),
    ("Asociación Salvadoreña de Pacientes Renales", "unstated", "juridical"),
    ("Fundación Transparencia y Salud", "unstated", "juridical"),
    ("María de los Ángeles Portillo", "female", "natural"),
    ("Periódico Digital El Observador", "unstated", "juridical"),
    ("Roberto Carlos Menjívar", "male", "natural"),
    ("Sindicato de Trabajadores del Seguro Social", "unstated", "juridical"),
]
QUESTIONS = [
    ("Listado de medicamentos adquiridos en 2025 con su precio unitario.", "UCAU"),
    ("Tiempo promedio de espera para cirugía electiva en el Hospital General en 2025.", "HG"),
    (
        "Número de consultas de especialidad atendidas por mes en la Unidad Médica Zacamil.",
        "UM-ZAC",
    ),
    ("Contratos de mantenimiento de equipo de hemodiálisis vigentes.", "SA"),
    ("Presupuesto asignado y ejecutado por la Subdirección de Salud en 2024.", "SS"),
    ("Actas del Consejo Directivo de enero a junio de 2025.", "CD"),
    ("Plazas vacantes de médicos especialistas y su fecha de apertura.", "HG"),
    ("Informes de auditoría interna sobre compras de insumos médicos de 2019.", "SA"),
    ("Estadísticas de quejas recibidas por el Centro de Llamadas 127 en 2025.", "UVE-SCL"),
    ("Protocolos de atención a pacientes renales en la red hospitalaria.", "SS"),
]

OUTCOMES_CYCLE = [
    ["delivered"],
    ["delivered", "nonexistent"],
    ["partial"],
    ["reserved"],
    ["confidential"],
    ["nonexistent"],
    ["not_competent"],
    ["withdrawn"],
    ["delivered", "partial"],
]


@dataclass
class Spec:
    days_ago: int
    outcomes: list[str] = field(default_factory=list)  # empty: still open
    old: bool = False
    extend: bool = False
    clarification: str = ""  # "pending" or "answered"
    notified: str = ""  # the medium, when notified
    appeal: bool = False
    publish: bool = False


def _specs() -> list[Spec]:
    specs = [
        # Open: on time, due soon, overdue and very overdue.
        Spec(1),
        Spec(3),
        Spec(6),
        Spec(10),
        Spec(12),
        Spec(16),
        Spec(20),
        Spec(30),
        Spec(9, extend=True),
        Spec(5, clarification="pending"),
        Spec(25, clarification="answered"),
        Spec(8, old=True),
    ]
    for n, outcomes in enumerate(OUTCOMES_CYCLE * 2):
        medium = "" if n % 5 == 4 else ("email" if n % 2 == 0 else "in_person")
        specs.append(
            Spec(
                35 + 3 * n,
                outcomes=outcomes,
                old=n == 3,
                extend=n == 6,
                notified=medium,
                appeal=outcomes == ["reserved"] and n < 9,
                publish=bool(medium) and outcomes[0] in ("delivered", "partial", "nonexistent"),
            )
        )
    return specs


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, time(8, 0), timezone.get_current_timezone()) + timedelta(
        minutes=minute
    )


def seed_oir(rng: random.Random | None = None) -> int:
    """Write the demo requests (inside the caller's transaction); 0 if there are some."""
    if InformationRequest.objects.exists():
        return 0
    rng = rng or random.Random(534)
    today = timezone.localdate()
    officer = User.objects.filter(role=Role.OIR_OFFICER).order_by("id").first()
    units = {d.code: d for d in Dependency.objects.filter(code__in={q[1] for q in QUESTIONS})}
    entry, _created = ReservedEntry.objects.get_or_create(
        reference="IR-2025-001",
        defaults={
            "information": "Expedientes de procesos disciplinarios en trámite",
            "dependency": units.get("SA") or Dependency.objects.order_by("id")[0],
            "legal_article": "Art. 19 lit. e LAIP",
            "cause": "Su divulgación perjudicaría la conducción de procesos administrativos.",
            "classified_on": today - timedelta(days=400),
            "period_years": 5,
        },
    )
    rules = legal_rules()
    events: list[RequestEvent] = []
    made = 0
    for index, spec in enumerate(sorted(_specs(), key=lambda s: -s.days_ago)):
        received_on = today - timedelta(days=spec.days_ago)
        calendar = business_calendar(received_on)
        if not calendar.is_business_day(received_on):
            received_on = calendar.previous_business_day(received_on)
        received_at = _at(received_on, 7 * index % 480)
        name, gender, person = PEOPLE[index % len(PEOPLE)]
        question, unit_code = QUESTIONS[index % len(QUESTIONS)]
        email = f"solicitante{index + 1}@example.com" if index % 3 else ""
        sequence = actions.next_sequence(received_on.year)
        request = InformationRequest.objects.create(
            number=format_number(received_on.year, sequence),
            year=received_on.year,
            sequence=sequence,
            status=RequestStatus.RECEIVED,
            channel=("portal", "email", "in_person")[index % 3],
            requester_name=name,
            person_type=person,
            gender=gender,
            document_type="dui" if person == "natural" else "nit",
            document_number=f"0{4567890 + index:08d}-0" if person == "natural" else "0614-0101",
            notify_by="email" if email else "office",
            email=email,
            description=question,
            delivery_mode=rng.choice(["", "electronic", "simple_copy", "direct"]),
            received_at=received_at,
            received_on=received_on,
            old_information=spec.old,
            created_by=officer,
        )
        events.append(_event(request, EventKind.RECEIVED, officer, received_at, to="received"))
        if spec.clarification:
            asked = calendar.add_business_days(received_on, 1)
            answered = (
                calendar.add_business_days(asked, 3) if spec.clarification == "answered" else None
            )
            Clarification.objects.create(
                request=request,
                question="Indique el periodo al que se refiere la información.",
                asked_on=asked,
                answered_on=answered,
                answer="Del año 2025." if answered else "",
                previous_status=RequestStatus.RECEIVED,
            )
            if answered:
                request.paused_days = calendar.business_days_between(asked, answered)
            else:
                request.status = RequestStatus.CLARIFICATION
        actions.recompute_due(request)
        if spec.extend and request.due_on:
            request.extended = True
            request.extension_reason = "La unidad debe revisar el archivo histórico."
            request.extended_on = min(
                calendar.subtract_business_days(request.due_on, 1),
                calendar.previous_business_day(today + timedelta(days=1)),
            )
            request.status = RequestStatus.EXTENDED
            actions.recompute_due(request)
        unit = units.get(unit_code)
        outcomes = spec.outcomes or ["open"]
        items = []
        for position, outcome in enumerate(outcomes, start=1):
            sent = request.status != RequestStatus.CLARIFICATION and spec.days_ago > 1
            item = RequestItem(
                request=request,
                position=position,
                description=question if position == 1 else "Documentos de respaldo.",
                dependency=unit if sent else None,
                status=ItemStatus.SENT if sent else ItemStatus.PENDING,
                sent_at=received_at + timedelta(hours=2) if sent else None,
                internal_due_on=calendar.add_business_days(received_on, 6) if sent else None,
            )
            if outcome != "open":
                item.status = ItemStatus.DECIDED
                item.unit_finding = (
                    UnitFinding.NOT_FOUND if outcome == "nonexistent" else UnitFinding.FOUND
                )
                item.unit_answer = "Información remitida a la OIR."
                item.unit_answered_at = received_at + timedelta(days=3)
                item.outcome = outcome
                item.answer = {
                    "delivered": "Se entrega en archivo electrónico.",
                    "partial": "Se entrega en versión pública, sin datos personales.",
                    "nonexistent": "La unidad buscó en sus archivos físicos y digitales.",
                }.get(outcome, "")
                item.reserved_entry = entry if outcome == "reserved" else None
                item.confidential_ground = (
                    "art24_c" if outcome in ("confidential", "partial") else ""
                )
                item.referral = "Ministerio de Salud" if outcome == "not_competent" else ""
            items.append(item)
        if spec.outcomes:
            if request.status in (RequestStatus.RECEIVED,):
                request.status = RequestStatus.IN_PROCESS
            due = request.due_on or today
            resolved_on = min(
                calendar.subtract_business_days(due, rng.randint(0, 4)),
                calendar.previous_business_day(today),
            )
            resolved_on = max(resolved_on, calendar.next_business_day(received_on))
            request.resolved_at = _at(resolved_on, 9 * 60)
            request.resolved_on = resolved_on
            request.business_days_to_answer = max(
                0, calendar.business_days_between(received_on, resolved_on) - request.paused_days
            )
            request.status = RequestStatus.RESOLVED
            for item in items:
                item.decided_at = request.resolved_at
            if spec.notified:
                request.notified_on = resolved_on
                request.notification_medium = spec.notified
                request.status = RequestStatus.NOTIFIED
            if spec.publish:
                request.published = True
                request.public_summary = question
        elif request.status == RequestStatus.RECEIVED and any(
            i.status == ItemStatus.SENT for i in items
        ):
            request.status = RequestStatus.IN_PROCESS
        # Reminders as the actions plan them: what stands today counts as told already.
        sweeper.plan_request_alerts(request, calendar, today, rules)
        for item in items:
            sweeper.plan_item_alerts(item, calendar, today, rules)
        request.save()
        RequestItem.objects.bulk_create(items)
        if any(i.sent_at for i in items):
            events.append(
                _event(request, EventKind.ITEM_SENT, officer, received_at + timedelta(hours=2))
            )
        if request.extended:
            events.append(
                _event(
                    request,
                    EventKind.EXTENDED,
                    officer,
                    _at(request.extended_on or received_on, 60),
                    note=request.extension_reason,
                )
            )
        if request.resolved_at:
            saved = list(request.items.select_related("reserved_entry", "dependency"))
            pdf = resolution_pdf(request, saved, rules, officer=officer)
            ResolutionDocument.objects.create(request=request, pdf=ContentFile(pdf, name="r.pdf"))
            events.append(_event(request, EventKind.RESOLVED, officer, request.resolved_at))
        if request.notified_on:
            events.append(
                _event(request, EventKind.NOTIFIED, officer, _at(request.notified_on, 10 * 60))
            )
        if spec.appeal and request.notified_on:
            filed = calendar.add_business_days(request.notified_on, 5)
            if filed <= today:
                Appeal.objects.create(
                    request=request,
                    kind="appeal",
                    case_number=f"NUE-{100 + index}-A-{filed.year}",
                    filed_on=filed,
                )
                events.append(_event(request, EventKind.APPEAL, officer, _at(filed, 11 * 60)))
        made += 1
    RequestEvent.objects.bulk_create(events)
    return made


def _event(
    request: InformationRequest,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    to: str = "",
    note: str = "",
) -> RequestEvent:
    return RequestEvent(request=request, kind=kind, actor=actor, at=at, to_status=to, note=note)
