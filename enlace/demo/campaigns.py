"""Demo call campaigns for `make run`: the pensioners' proof-of-life reminder of this month, about
2,000 pensioners partly worked by the demo agents; an appointment reschedule asked by Hospital
General, started today; and a few people on the do-not-call register.

The lists go through the real import (`do_import_contacts`: phones normalised, duplicates
merged, the register respected). The calls already made are written in bulk from a seeded
random generator, each contact's next state decided by the campaign's own rules
(`rules.after_outcome`), so the progress, the outcomes and the export show what a campaign
halfway through looks like. Safe to run again: nothing is added once the campaigns exist.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from enlace.accounts.models import User
from enlace.campaigns import actions, rules
from enlace.campaigns.models import (
    Attempt,
    Campaign,
    Contact,
    ContactState,
    DoNotCall,
    DoNotCallReason,
    Outcome,
    Purpose,
)
from enlace.core.identifiers import dui_check_digit
from enlace.core.tabular import Values
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency

PROOF_OF_LIFE = "Recordatorio de firma de sobrevivencia"
RESCHEDULE = "Reprogramación de citas de consulta externa, Hospital General"
FIRST = (
    "María", "José", "Ana", "Juan", "Rosa", "Carlos", "Marta", "Luis", "Carmen", "Jorge",
    "Teresa", "Francisco", "Gloria", "Manuel", "Elena", "Pedro", "Blanca", "Ramón",
)  # fmt: skip
LAST = (
    "Hernández", "López", "Martínez", "García", "Rodríguez", "Pérez", "Flores", "Rivas",
    "Ramírez", "Cruz", "Castillo", "Mejía", "Alvarado", "Guevara", "Portillo", "Chávez",
)  # fmt: skip
AGENCIES = ("Agencia Centro, San Salvador", "Agencia Santa Ana", "Agencia San Miguel",
            "Agencia Soyapango", "Agencia Santa Tecla")  # fmt: skip
# Outcomes of a proof-of-life call, and how often.
OUTCOMES = [
    (Outcome.INFORMED, 46),
    (Outcome.NO_ANSWER, 22),
    (Outcome.BUSY, 6),
    (Outcome.VOICEMAIL, 8),
    (Outcome.CALL_BACK, 5),
    (Outcome.WRONG_NUMBER, 5),
    (Outcome.DECEASED, 2),
    (Outcome.REFUSED, 2),
    (Outcome.DO_NOT_CALL, 1),
]


@dataclass
class Seeded:
    campaigns: int = 0
    contacts: int = 0
    attempts: int = 0

    def line(self) -> str:
        return (
            f"Demo call campaigns: {self.campaigns} created, {self.contacts} contacts, "
            f"{self.attempts} calls made."
        )


class _Rows:
    """A list made here, read through the same path as a file's rows."""

    def __init__(self, rows: list[Values], name: str) -> None:
        self.name = name
        self.items = rows
        self.total = len(rows)

    def done(self) -> int:
        return self.total

    def rows(self) -> Iterator[tuple[int, Values]]:
        yield from enumerate(self.items, start=2)


def _dui(rng: random.Random) -> str:
    body = f"{rng.randrange(10**8):08d}"
    return f"{body}-{dui_check_digit(body)}"


def _person(rng: random.Random) -> dict[str, str]:
    return {
        "nombre": f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}",
        "telefono": f"{rng.choice('67')}{rng.randrange(10**7):07d}",
        "dui": _dui(rng),
    }


def seed_campaigns(*, seed: int = 7) -> Seeded:
    seeded = Seeded()
    if Campaign.objects.filter(name__in=(PROOF_OF_LIFE, RESCHEDULE)).exists():
        return seeded
    boss = User.objects.filter(username="supervisor").first()
    agents = list(User.objects.filter(username__in=("agente", "agente2", "agente3")))
    if boss is None or not agents:
        return seeded
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        for phone, reason in (
            ("7000-1111", DoNotCallReason.ASKED),
            ("6000-2222", DoNotCallReason.DECEASED),
        ):
            actions.do_add_do_not_call(phone, "", reason, acting_user=boss)
        life = _proof_of_life(boss, rng, today)
        seeded.attempts += _work(life, agents, rng, today)
        moved = _reschedule(boss, rng, today)
        seeded.campaigns = 2
        seeded.contacts = Contact.objects.filter(campaign__in=(life, moved)).count()
    return seeded


def _proof_of_life(boss: User, rng: random.Random, today: date) -> Campaign:
    start = today - timedelta(days=21)
    campaign = actions.do_save_campaign(
        actions.CampaignPlan(
            name=PROOF_OF_LIFE,
            purpose=Purpose.PROOF_OF_LIFE,
            starts_on=start,
            ends_on=start + timedelta(days=45),
            script=(
                "Buen día, ¿hablo con {nombre}? Le llamamos del Instituto Salvadoreño del Seguro "
                "Social para recordarle que debe presentarse a firmar su sobrevivencia antes del "
                "{fecha_limite} en la {agencia}, con su DUI. Si no puede presentarse, un familiar "
                "puede solicitar una visita domiciliar llamando al 127."
            ),
            max_attempts=4,
            windows=(*rules.DEFAULT_WINDOWS, rules.Window(5, time(8, 0), time(12, 0))),
        ),
        acting_user=boss,
    )
    rows = []
    for _n in range(2000):
        person = _person(rng)
        person["fecha_limite"] = f"{start + timedelta(days=40):%d/%m/%Y}"
        person["agencia"] = rng.choice(AGENCIES)
        rows.append(person)
    rows.append({"nombre": "Pensionado de prueba", "telefono": "7000-1111"})  # on the register
    rows.append(dict(rows[10]))  # a duplicate
    actions.do_import_contacts(
        campaign, _Rows(rows, "pensionados-noviembre.xlsx"), acting_user=boss, skip_invalid=True
    )
    return actions.do_step(campaign, "start", acting_user=boss)


def _work(campaign: Campaign, agents: list[User], rng: random.Random, today: date) -> int:
    """Calls made on the business days since the campaign started, about 70 a day."""
    calendar = business_calendar(today)
    windows = actions.windows_of(campaign)
    retry = rules.Retry(
        campaign.max_attempts,
        campaign.retry_busy_minutes,
        campaign.retry_no_answer_minutes,
        campaign.retry_voicemail_minutes,
    )
    contacts = {
        c.pk: c for c in Contact.objects.filter(campaign=campaign, state=ContactState.TO_CALL)
    }
    queue = sorted(contacts)
    attempts: list[Attempt] = []
    day = campaign.starts_on
    tz = timezone.get_current_timezone()
    outcomes, weights = zip(*OUTCOMES, strict=True)
    while day < today:
        if calendar.is_business_day(day):
            for _n in range(rng.randint(55, 85)):
                due = [pk for pk in queue[:400] if _due(contacts[pk], day)]
                if not due:
                    break
                contact = contacts[due[0]]
                at = datetime.combine(day, time(rng.randint(8, 15), rng.randrange(60)), tzinfo=tz)
                outcome = rng.choices(outcomes, weights)[0]
                call_back = None
                if outcome == Outcome.CALL_BACK:
                    call_back = rules.next_slot(
                        at + timedelta(days=1), windows, calendar, campaign.ends_on
                    )
                    if call_back is None:
                        outcome = Outcome.NO_ANSWER
                contact.attempts += 1
                after = rules.after_outcome(
                    outcome,
                    attempts=contact.attempts,
                    now=at,
                    retry=retry,
                    windows=windows,
                    calendar=calendar,
                    ends_on=campaign.ends_on,
                    call_back_at=call_back,
                )
                contact.state = after.state
                contact.next_attempt_at = after.next_attempt_at
                contact.callback = after.callback
                contact.last_outcome = outcome
                contact.last_attempt_at = at
                contact.version += 1
                queue.remove(contact.pk)
                if after.state == ContactState.TO_CALL:
                    queue.append(contact.pk)
                attempts.append(
                    Attempt(
                        contact=contact,
                        campaign=campaign,
                        agent=rng.choice(agents),
                        at=at,
                        outcome=outcome,
                        phone=contact.phone,
                        call_back_at=call_back,
                        note="Dijo que se presentará esta semana"
                        if outcome == Outcome.INFORMED and rng.random() < 0.1
                        else "",
                    )
                )
                if outcome in rules.DO_NOT_CALL:
                    DoNotCall.objects.create(
                        phone=contact.phone,
                        dui=contact.dui,
                        reason=DoNotCallReason.DECEASED
                        if outcome == Outcome.DECEASED
                        else DoNotCallReason.ASKED,
                        at=at,
                        note=campaign.name,
                    )
        day += timedelta(days=1)
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    Contact.objects.bulk_update(
        [contacts[a.contact_id] for a in attempts],
        [
            "state",
            "next_attempt_at",
            "callback",
            "last_outcome",
            "last_attempt_at",
            "attempts",
            "version",
        ],
        batch_size=2000,
    )
    return len(attempts)


def _due(contact: Contact, day: date) -> bool:
    if contact.state != ContactState.TO_CALL:
        return False
    at = contact.next_attempt_at
    return at is None or timezone.localdate(at) <= day


def _reschedule(boss: User, rng: random.Random, today: date) -> Campaign:
    hospital = Dependency.objects.filter(code="HG").first()
    campaign = actions.do_save_campaign(
        actions.CampaignPlan(
            name=RESCHEDULE,
            purpose=Purpose.APPOINTMENT_RESCHEDULE,
            requested_by=hospital,
            starts_on=today,
            ends_on=today + timedelta(days=14),
            priority=8,
            script=(
                "Buen día, {nombre}. Le llamamos del ISSS: su cita de {especialidad} del "
                "{fecha_cita} en el Hospital General debe cambiarse porque el especialista no "
                "estará. ¿Le conviene el {nueva_fecha_propuesta}?"
            ),
            max_attempts=5,
            retry_no_answer_minutes=60,
        ),
        acting_user=boss,
    )
    rows = []
    for _n in range(150):
        person = _person(rng)
        cita = today + timedelta(days=rng.randint(3, 12))
        person["especialidad"] = rng.choice(("Cardiología", "Medicina interna", "Ortopedia"))
        person["fecha_cita"] = f"{cita:%d/%m/%Y} 07:00"
        person["nueva_fecha_propuesta"] = f"{cita + timedelta(days=14):%d/%m/%Y} 07:00"
        rows.append(person)
    actions.do_import_contacts(
        campaign, _Rows(rows, "citas-cardiologia-HG.csv"), acting_user=boss, skip_invalid=True
    )
    return actions.do_step(campaign, "start", acting_user=boss)
