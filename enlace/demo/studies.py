"""Demo studies for `make run` (issue 16): a telephone satisfaction survey across ten centres
(about 3,000 responses, and an earlier closed round on version 1 of the questionnaire, so
trends have two points), a mystery-shopper round and monitoring visits whose findings are
improvement opportunities.

Instruments, versions and studies are made through the real actions of
`enlace/surveys/actions/` (design, publish, a new version, create, start fieldwork, close), as
are the visits, the reviews and the findings. The survey's thousands of interviews are written
in bulk, in the shape `actions/responses.py` stores (one `Answer` row per value, one per option
chosen), from a seeded random generator: the figures are the same on every run.

An action stamps the present time and a demo needs a past, so what an action writes is dated
afterwards to the day it stands for (`_happened_at`), as a historical import would: the
study's and the improvements' history rows written by the action are dated together with it,
never rows written before.

Safe to run again: each instrument is looked up by its code and, once there, nothing of it is
added.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Max, Model
from django.utils import timezone

from enlace.accounts.models import Role, User
from enlace.directory.models import Dependency
from enlace.improvements.models import (
    ImprovementEvent,
    ImprovementOpportunity,
)
from enlace.surveys.actions import design, findings, responses, studies
from enlace.surveys.models import (
    Answer,
    Finding,
    FriendsAndFamily,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Question,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseStatus,
    ReviewState,
    Study,
    StudyEvent,
    StudyKind,
    StudyMethod,
)

SATISFACTION_CODE = "satisfaccion-usuarios"
MYSTERY_CODE = "cliente-incognito-ventanilla"
MONITORING_CODE = "visita-monitoreo"

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


@dataclass
class Seeded:
    """What one run added, for seed_demo's summary."""

    studies: int = 0
    responses: int = 0
    findings: int = 0
    parts: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.studies:
            return "Demo studies: already there, none added."
        return (
            f"Demo studies: {self.studies} created ({', '.join(self.parts)}) with "
            f"{self.responses} responses and {self.findings} findings as improvement "
            "opportunities."
        )


def seed_studies(seed: int = 16) -> Seeded:
    """Write the demo studies (inside the caller's transaction); each instrument once."""
    rng = random.Random(seed)
    seeded = Seeded()
    today = timezone.localdate()
    if not Instrument.objects.filter(code=SATISFACTION_CODE).exists():
        _satisfaction(rng, today, seeded)
    if not Instrument.objects.filter(code=MYSTERY_CODE).exists():
        _mystery_shopper(today, seeded)
    if not Instrument.objects.filter(code=MONITORING_CODE).exists():
        _monitoring(today, seeded)
    return seeded


# --- Dates --------------------------------------------------------------------------------


def _at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """`minute` minutes after `hour` o'clock of `day`, El Salvador's time."""
    start = datetime.combine(day, time(hour), timezone.get_current_timezone())
    return start + timedelta(minutes=minute)


def _weekday(day: date) -> date:
    """The day, or the Friday before it if it falls on a weekend (visits are on work days)."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _max_id(model: type[Model]) -> int:
    found = model._default_manager.aggregate(last=Max("pk"))["last"]
    return int(found or 0)


@contextmanager
def _happened_at(at: datetime) -> Iterator[None]:
    """Date the history rows (and improvement opportunities) that the actions inside write:
    they stand for something done at `at`, not now. Rows written before are left alone."""
    study_events = _max_id(StudyEvent)
    opportunities = _max_id(ImprovementOpportunity)
    improvement_events = _max_id(ImprovementEvent)
    yield
    StudyEvent.objects.filter(pk__gt=study_events).update(at=at)
    new_events = ImprovementEvent.objects.filter(pk__gt=improvement_events)
    ImprovementOpportunity.objects.filter(
        pk__in=new_events.values("opportunity"), closed_at__isnull=False
    ).update(closed_at=at)
    ImprovementOpportunity.objects.filter(pk__in=new_events.values("opportunity")).update(
        updated_at=at
    )
    ImprovementOpportunity.objects.filter(pk__gt=opportunities).update(created_at=at)
    new_events.update(at=at)


def _date_study(
    study: Study, *, created: datetime, opened: datetime, closed: datetime | None
) -> None:
    Study.objects.filter(pk=study.pk).update(created_at=created, opened_at=opened, closed_at=closed)


def _date_version(version: InstrumentVersion, at: datetime) -> None:
    InstrumentVersion.objects.filter(pk=version.pk).update(created_at=at, published_at=at)
    Instrument.objects.filter(pk=version.instrument_id, created_at__gt=at).update(created_at=at)


def _month_name(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _designer() -> User:
    return User.objects.get(username="resolucion")


def _visitor() -> User:
    """Who visits centres: the unit's monitoring staff, else its resolution staff."""
    return (
        User.objects.filter(username="monitoreo").first()
        or User.objects.filter(role=Role.RESOLUTION).order_by("id").first()
        or _designer()
    )


# --- Designing instruments ----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    kind: str
    required: bool = False
    low: str = ""
    high: str = ""
    help_text: str = ""
    options: Sequence[tuple[str, str]] = ()
    min_value: str | None = None
    max_value: str | None = None
    weight: str | None = None
    critical: bool = False
    shown_if: tuple[str, Sequence[str]] | None = None


def _design(
    *,
    name: str,
    code: str,
    kind: str,
    description: str,
    sections: Sequence[tuple[str, Sequence[Item]]],
    designer: User,
) -> Instrument:
    """An instrument with its sections and questions, through the design actions."""
    instrument = design.do_create_instrument(
        name=name, kind=kind, description=description, code=code, acting_user=designer
    )
    version = instrument.versions.get()
    first = version.sections.get()
    made: dict[str, Question] = {}
    for index, (title, items) in enumerate(sections):
        section = design.do_save_section(
            version, title=title, section=first if index == 0 else None
        )
        for item in items:
            parent = made[item.shown_if[0]] if item.shown_if else None
            made[item.code] = design.do_save_question(
                version,
                design.QuestionSpec(
                    code=item.code,
                    text=item.text,
                    kind=item.kind,
                    section=section,
                    help_text=item.help_text,
                    required=item.required,
                    low_label=item.low,
                    high_label=item.high,
                    min_value=Decimal(item.min_value) if item.min_value else None,
                    max_value=Decimal(item.max_value) if item.max_value else None,
                    weight=Decimal(item.weight) if item.weight else None,
                    critical=item.critical,
                    condition_question=parent,
                    condition_values=item.shown_if[1] if item.shown_if else (),
                    options=item.options,
                ),
            )
    return instrument


# --- 1. Satisfaction by phone --------------------------------------------------------------

LOW, HIGH = "Muy insatisfecho", "Muy satisfecho"
SERVICES = [
    ("consulta-externa", "Consulta externa"),
    ("especialidades", "Consulta de especialidades"),
    ("farmacia", "Farmacia"),
    ("laboratorio", "Laboratorio clínico o rayos X"),
    ("emergencia", "Emergencia"),
]
REASONS = [
    ("sin-existencia", "No había existencia en farmacia"),
    ("entrega-parcial", "Le entregaron solo una parte"),
    ("referido", "Lo refirieron a otra farmacia o centro"),
    ("receta-error", "La receta tenía un error"),
    ("otro", "Otro motivo"),
]
WAIT_V1 = "¿Cómo califica el tiempo de espera?"
WAIT_V2 = "¿Qué tan satisfecho está con el tiempo que esperó desde que llegó hasta ser atendido?"


def _satisfaction_sections() -> list[tuple[str, list[Item]]]:
    return [
        (
            "Acceso y espera",
            [
                Item(
                    "servicio",
                    "¿Qué servicio utilizó en su última visita al centro?",
                    QuestionKind.SINGLE,
                    required=True,
                    options=SERVICES,
                ),
                Item(
                    "minutos-espera",
                    "Aproximadamente, ¿cuántos minutos esperó para ser atendido?",
                    QuestionKind.NUMBER,
                    help_text="Si no recuerda, deje la respuesta en blanco.",
                    min_value="0",
                    max_value="720",
                ),
                Item(
                    "tiempo-espera", WAIT_V1, QuestionKind.SCALE, required=True, low=LOW, high=HIGH
                ),
                Item(
                    "limpieza",
                    "¿Cómo califica la limpieza de las instalaciones?",
                    QuestionKind.SCALE,
                    required=True,
                    low=LOW,
                    high=HIGH,
                ),
            ],
        ),
        (
            "Trato",
            [
                Item(
                    "trato-personal",
                    "¿Cómo califica el trato que le dio el personal?",
                    QuestionKind.SCALE,
                    required=True,
                    low=LOW,
                    high=HIGH,
                ),
                Item(
                    "informacion",
                    "¿Cómo califica la información que recibió sobre su atención o trámite?",
                    QuestionKind.SCALE,
                    required=True,
                    low=LOW,
                    high=HIGH,
                ),
            ],
        ),
        (
            "Resultado",
            [
                Item(
                    "medicamento-completo",
                    "¿Obtuvo su medicamento completo?",
                    QuestionKind.YES_NO,
                    required=True,
                ),
                Item(
                    "motivo-incompleto",
                    "¿Por qué no obtuvo su medicamento completo?",
                    QuestionKind.MULTIPLE,
                    required=True,
                    options=REASONS,
                    shown_if=("medicamento-completo", ["no"]),
                ),
            ],
        ),
        (
            "General",
            [
                Item(
                    "experiencia",
                    "En general, ¿cómo fue su experiencia en el centro de atención?",
                    QuestionKind.FFT,
                    required=True,
                ),
                Item(
                    "recomendaria",
                    "¿Qué tan probable es que recomiende este centro de atención a un familiar "
                    "o amigo?",
                    QuestionKind.NPS,
                    required=True,
                    low="Nada probable",
                    high="Muy probable",
                ),
                Item(
                    "comentario",
                    "¿Desea agregar algún comentario o sugerencia?",
                    QuestionKind.LONG_TEXT,
                ),
            ],
        ),
    ]


@dataclass(frozen=True)
class Centre:
    """A centre of the survey: how well it serves (`quality`, about -1 to 1), how often its
    pharmacy gives the whole prescription, its typical wait (minutes), and how many people were
    interviewed in the current round (its target) and in the earlier one."""

    code: str
    quality: float
    medicine: float
    wait: int
    target: int
    interviews: int
    earlier: int
    earlier_quality: float


# Some centres serve better than others; Soyapango got worse, Hospital General better. San
# Martín has fewer than 30 interviews (flagged as unreliable) and Huizúcar fewer than 5 (not
# shown).
CENTRES = [
    Centre("HG", -0.35, 0.72, 95, 400, 420, 160, -0.7),
    Centre("HMQO", 0.25, 0.86, 70, 400, 410, 150, 0.15),
    Centre("H1M", 0.05, 0.8, 80, 400, 395, 150, -0.05),
    Centre("HRSA", -0.1, 0.78, 85, 400, 380, 140, -0.2),
    Centre("UM-ZAC", 0.45, 0.88, 45, 350, 365, 140, 0.35),
    Centre("UM-SOY", -0.55, 0.68, 75, 350, 350, 130, -0.15),
    Centre("UM-STE", 0.3, 0.86, 40, 350, 335, 130, 0.2),
    Centre("UM-APO", 0.0, 0.8, 55, 350, 310, 120, -0.1),
    Centre("CC-SMA", 0.6, 0.9, 25, 60, 27, 18, 0.5),
    Centre("CC-HUI", 0.5, 0.92, 20, 40, 3, 6, 0.4),
]

REJECTED = [
    "La persona colgó a la mitad y las respuestas se completaron sin confirmar.",
    "Entrevista duplicada: la misma persona ya había respondido esta semana.",
    "La persona describe la atención de otro centro, no del que se anotó.",
    "La persona no fue atendida en el periodo del estudio.",
    "Respuestas todas iguales sin escuchar las preguntas; la persona tenía prisa.",
    "Llamada con mucho ruido: no se entendieron las respuestas.",
    "Entrevista hecha a un menor de edad sin su responsable.",
    "Se anotó el servicio equivocado y la persona no confirmó sus respuestas.",
]
HAS_ISSUES = [
    "Los minutos de espera parecen exagerados; confirmar con la persona si es posible.",
    "El comentario menciona otro servicio; revisar si corresponde al centro.",
    "La entrevista duró menos de dos minutos.",
]

COMMENTS_GOOD = [
    "El personal fue muy amable y me explicó todo con paciencia.",
    "La doctora me atendió con mucho respeto y resolvió mis dudas.",
    "Me atendieron rápido y el lugar estaba limpio.",
    "Felicito al personal de {servicio}, siempre atentos.",
    "Excelente atención, me sentí bien tratado desde que llegué.",
    "Me dieron mi medicamento completo y me explicaron cómo tomarlo.",
    "Buena atención en general, solo la fila de entrada es un poco lenta.",
    "La enfermera fue muy atenta con mi mamá, que es adulta mayor.",
    "Muy ordenado todo, me dieron mi cita de control sin problema.",
]
COMMENTS_BAD = {
    "tiempo-espera": [
        "Esperé demasiado para pasar a {servicio}.",
        "La cita era a las siete y me atendieron pasado el mediodía.",
        "Deberían habilitar más ventanillas, la fila es muy larga.",
        "Hay que llegar de madrugada para alcanzar número en {servicio}.",
        "Perdí casi todo el día para una consulta de diez minutos.",
    ],
    "limpieza": [
        "Los baños estaban sucios y sin papel.",
        "La sala de espera necesita limpieza y mejor ventilación.",
        "No había agua en los lavamanos de los servicios sanitarios.",
        "Hacía mucho calor en la sala de espera, los ventiladores no funcionan.",
    ],
    "trato-personal": [
        "El personal de ventanilla fue descortés cuando pregunté por mi cita.",
        "Me hablaron de mala manera en {servicio}.",
        "El vigilante no quiso dar información y fue grosero.",
        "El médico casi no me revisó y no me explicó nada.",
    ],
    "informacion": [
        "Nadie sabía decirme a dónde tenía que ir para mi trámite.",
        "Me mandaron de una ventanilla a otra sin explicarme los requisitos.",
        "No me explicaron los resultados de mis exámenes.",
        "Falta rotulación, uno no sabe dónde queda {servicio}.",
    ],
    "medicamento": [
        "No había el medicamento de la presión y tuve que comprarlo.",
        "Me dieron solo la mitad de la receta y me dijeron que regresara.",
        "Siempre falta medicamento en farmacia, ya es la tercera vez.",
        "Me refirieron a otra farmacia que queda muy lejos de mi casa.",
    ],
}
CLOSINGS = [
    "",
    "",
    "",
    " Ojalá lo mejoren.",
    " Gracias por llamar.",
    " Es la segunda vez que me pasa.",
    " Espero que tomen en cuenta mi comentario.",
    " Por lo demás, todo bien.",
]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _interview(
    rng: random.Random, centre: Centre, quality: float, level: str, questions: dict[str, int]
) -> list[Answer]:
    """One person's answers (without their response yet)."""
    s = quality + rng.gauss(0, 0.8)
    rows: list[Answer] = []

    def put(code: str, *, choice: str = "", number: Decimal | None = None, text: str = "") -> None:
        rows.append(Answer(question_id=questions[code], choice=choice, number=number, text=text))

    services = [value for value, _label in SERVICES]
    weights = [45, 15, 20, 10, 10]
    if level == "clinica_comunal":
        weights = [60, 0, 30, 10, 0]
    service = rng.choices(services, weights=weights)[0]
    put("servicio", choice=service)
    factor = {"emergencia": 1.6, "especialidades": 1.3, "farmacia": 0.6, "laboratorio": 0.7}
    minutes = centre.wait * factor.get(service, 1.0) * math.exp(rng.gauss(0, 0.5))
    if rng.random() < 0.92:
        put(
            "minutos-espera",
            number=Decimal(_clamp(minutes / 5, 0, 144) * 5).quantize(Decimal("0.01")),
        )

    scores: dict[str, int] = {}

    def scale(code: str, offset: float) -> None:
        scores[code] = _clamp(3.7 + offset + 0.85 * s + rng.gauss(0, 0.6), 1, 5)
        put(code, number=Decimal(scores[code]))

    scale("tiempo-espera", -0.45 - 0.5 * math.log(max(minutes, 5) / 60))
    scale("limpieza", 0.0)
    scale("trato-personal", 0.15)
    scale("informacion", -0.1)

    if service == "laboratorio" or rng.random() < 0.08:
        medicine = "na"
    else:
        medicine = "yes" if rng.random() < centre.medicine + 0.06 * s else "no"
    put("medicamento-completo", choice=medicine)
    if medicine == "no":
        reasons = [value for value, _label in REASONS]
        chosen = {rng.choices(reasons, weights=[55, 25, 10, 5, 5])[0]}
        if rng.random() < 0.2:
            chosen.add(rng.choices(reasons, weights=[55, 25, 10, 5, 5])[0])
        for reason in sorted(chosen):
            put("motivo-incompleto", choice=reason)

    if rng.random() < 0.015:
        fft = FriendsAndFamily.DONT_KNOW
    else:
        v = 0.9 * s + rng.gauss(0, 0.5) - (0.4 if medicine == "no" else 0)
        fft = (
            FriendsAndFamily.VERY_GOOD
            if v > 0.7
            else FriendsAndFamily.GOOD
            if v > -0.1
            else FriendsAndFamily.NEUTRAL
            if v > -0.7
            else FriendsAndFamily.POOR
            if v > -1.3
            else FriendsAndFamily.VERY_POOR
        )
    put("experiencia", choice=fft)
    put("recomendaria", number=Decimal(_clamp(7.2 + 1.9 * s + rng.gauss(0, 1.2), 0, 10)))

    if rng.random() < 0.07 + (0.08 if s < -0.8 else 0):
        worst = min(scores, key=lambda code: scores[code])
        if medicine == "no" and rng.random() < 0.6:
            pool = COMMENTS_BAD["medicamento"]
        elif scores[worst] <= 3:
            pool = COMMENTS_BAD[worst]
        else:
            pool = COMMENTS_GOOD
        label = dict(SERVICES)[service].lower()
        text = rng.choice(pool).replace("{servicio}", label) + rng.choice(CLOSINGS)
        put("comentario", text=text)
    return rows


def _business_days(start: date, end: date) -> list[date]:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [day for day in days if day.weekday() < 5]


def _interviews(
    rng: random.Random,
    study: Study,
    days: Sequence[date],
    interviewers: Sequence[User],
    *,
    earlier: bool,
) -> list[Response]:
    """The study's interviews in bulk, as `do_finish_response` leaves them."""
    questions = dict(Question.objects.filter(version_id=study.version_id).values_list("code", "pk"))
    dependencies = {
        d.code: d for d in Dependency.objects.filter(code__in=[c.code for c in CENTRES])
    }
    made: list[Response] = []
    answers: list[list[Answer]] = []
    for centre in CENTRES:
        dependency = dependencies[centre.code]
        count = centre.earlier if earlier else centre.interviews
        quality = centre.earlier_quality if earlier else centre.quality
        for _ in range(count):
            rows = _interview(rng, centre, quality, dependency.level_of_care, questions)
            day = rng.choice(days)
            submitted = _at(day, 8, rng.randint(0, 510))
            made.append(
                Response(
                    study=study,
                    version_id=study.version_id,
                    dependency=dependency,
                    mode=ResponseMode.INTERVIEW,
                    status=ResponseStatus.SUBMITTED,
                    interviewer=rng.choice(interviewers),
                    started_at=submitted - timedelta(minutes=rng.randint(4, 12)),
                    submitted_at=submitted,
                    day=day,
                )
            )
            answers.append(rows)
    Response.objects.bulk_create(made, batch_size=500)
    for response, rows in zip(made, answers, strict=True):
        for row in rows:
            row.response = response
    Answer.objects.bulk_create([row for rows in answers for row in rows], batch_size=2000)
    return made


def _review(
    responses_: Sequence[Response], notes: Sequence[str], state: str, reviewer: User
) -> None:
    for response, note in zip(responses_, notes, strict=False):
        assert response.submitted_at is not None
        at = min(response.submitted_at + timedelta(days=1, hours=2), timezone.now())
        with _happened_at(at):
            responses.do_review_response(response, state=state, note=note, acting_user=reviewer)
        Response.objects.filter(pk=response.pk).update(reviewed_at=at)


def _satisfaction(rng: random.Random, today: date, seeded: Seeded) -> None:
    designer = _designer()
    interviewers = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("id"))
    interviewers = interviewers or [designer]
    centres = {d.code: d for d in Dependency.objects.filter(code__in=[c.code for c in CENTRES])}

    # Version 1, published about seven months ago, and its round by phone.
    earlier_start = today - timedelta(days=200)
    earlier_end = today - timedelta(days=150)
    with _happened_at(_at(earlier_start - timedelta(days=15))):
        instrument = _design(
            name="Encuesta de satisfacción de usuarios",
            code=SATISFACTION_CODE,
            kind=InstrumentKind.QUESTIONNAIRE,
            description=(
                "Encuesta telefónica del Centro de Llamadas 127 a derechohabientes atendidos "
                "en los centros de atención: espera, trato, resultado y experiencia general."
            ),
            sections=_satisfaction_sections(),
            designer=designer,
        )
        first = design.do_publish_version(
            instrument.versions.get(), change_note="Primera versión.", acting_user=designer
        )
    _date_version(first, _at(earlier_start - timedelta(days=15), 10))
    Instrument.objects.filter(pk=instrument.pk).update(
        created_at=_at(earlier_start - timedelta(days=16), 9)
    )

    plan_centres = [(centres[c.code], c.target * 2 // 5) for c in CENTRES]
    with _happened_at(_at(earlier_start - timedelta(days=5), 9)):
        earlier = studies.do_create_study(
            studies.StudyPlan(
                name=(
                    "Satisfacción de usuarios por teléfono, "
                    f"{_month_name(earlier_start)} a {_month_name(earlier_end)}"
                ),
                kind=StudyKind.SATISFACTION,
                version=first,
                method=StudyMethod.PHONE,
                period_start=earlier_start,
                period_end=earlier_end,
                centres=plan_centres,
            ),
            acting_user=designer,
        )
    with _happened_at(_at(earlier_start, 7, 30)):
        earlier = studies.do_start_fieldwork(earlier, acting_user=designer)
    made = _interviews(
        rng, earlier, _business_days(earlier_start, earlier_end), interviewers, earlier=True
    )
    _review(made[5::97][:3], REJECTED[:3], ReviewState.REJECTED, designer)
    with _happened_at(_at(earlier_end + timedelta(days=1), 9)):
        studies.do_close_study(earlier, acting_user=designer)
    _date_study(
        earlier,
        created=_at(earlier_start - timedelta(days=5), 9),
        opened=_at(earlier_start, 7, 30),
        closed=_at(earlier_end + timedelta(days=1), 9),
    )
    seeded.studies += 1
    seeded.responses += len(made)

    # Version 2 asks about the wait more precisely; same codes, so trends follow it.
    start = today - timedelta(days=42)
    end = today + timedelta(days=18)
    with _happened_at(_at(start - timedelta(days=8), 10)):
        draft = design.do_new_version(instrument)
        wait = draft.questions.get(code="tiempo-espera")
        design.do_save_question(
            draft,
            design.QuestionSpec(
                code=wait.code,
                text=WAIT_V2,
                kind=wait.kind,
                section=wait.section,
                required=True,
                low_label=LOW,
                high_label=HIGH,
            ),
            question=wait,
        )
        second = design.do_publish_version(
            draft,
            change_note=(
                "La pregunta del tiempo de espera se refiere ahora a la espera desde la llegada "
                "hasta ser atendido."
            ),
            acting_user=designer,
        )
    _date_version(second, _at(start - timedelta(days=8), 11))

    with _happened_at(_at(start - timedelta(days=3), 9)):
        current = studies.do_create_study(
            studies.StudyPlan(
                name=f"Satisfacción de usuarios por teléfono, {_month_name(start)}",
                kind=StudyKind.SATISFACTION,
                version=second,
                method=StudyMethod.PHONE,
                period_start=start,
                period_end=end,
                centres=[(centres[c.code], c.target) for c in CENTRES],
                request_note="Medición semestral del Departamento.",
            ),
            acting_user=designer,
        )
    with _happened_at(_at(start, 7, 30)):
        current = studies.do_start_fieldwork(current, acting_user=designer)
    _date_study(
        current, created=_at(start - timedelta(days=3), 9), opened=_at(start, 7, 30), closed=None
    )
    days = _business_days(start, today - timedelta(days=1)) or [start]
    made = _interviews(rng, current, days, interviewers, earlier=False)
    _review(made[11::331], REJECTED, ReviewState.REJECTED, designer)
    _review(made[40::997], HAS_ISSUES, ReviewState.HAS_ISSUES, designer)
    seeded.studies += 1
    seeded.responses += len(made)
    seeded.parts.append("satisfaction by phone at 10 centres, and its earlier round")

    # Two interviews under way today, saved answer by answer, not submitted yet.
    questions = responses.Questionnaire.of(second.pk).by_code
    for centre_code, agent in (("HG", interviewers[0]), ("UM-APO", interviewers[-1])):
        response = responses.do_start_response(
            current, centres[centre_code], mode=ResponseMode.INTERVIEW, interviewer=agent
        )
        responses.do_save_answer(
            response, questions["servicio"], ["consulta-externa"], acting_user=agent
        )
        responses.do_save_answer(response, questions["minutos-espera"], ["60"], acting_user=agent)


# --- 2. Mystery shopper ---------------------------------------------------------------------


def _mystery_sections() -> list[tuple[str, list[Item]]]:
    return [
        (
            "Llegada y espera",
            [
                Item(
                    "senalizacion",
                    "¿La ventanilla estaba señalizada con su horario de atención?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
                Item(
                    "minutos-fila",
                    "Minutos en la fila antes de ser atendido",
                    QuestionKind.NUMBER,
                    min_value="0",
                    max_value="480",
                ),
                Item(
                    "espera-15",
                    "¿Fue atendido en menos de 15 minutos?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="2",
                ),
                Item(
                    "limpieza",
                    "¿El área de espera estaba limpia y ordenada?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
            ],
        ),
        (
            "Atención en ventanilla",
            [
                Item(
                    "saludo",
                    "¿El personal saludó y se identificó?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="2",
                ),
                Item(
                    "carne-visible",
                    "¿El personal portaba su carné de identificación visible?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
                Item(
                    "trato-respetuoso",
                    "¿El trato fue respetuoso y cordial en todo momento?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="3",
                    critical=True,
                ),
                Item(
                    "informacion-correcta",
                    "¿La información sobre el trámite fue correcta y completa?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="3",
                    critical=True,
                ),
            ],
        ),
        (
            "Orientación y cierre",
            [
                Item(
                    "orientacion-reclamo",
                    "¿Le orientaron sobre cómo presentar un reclamo (Punto Seguro o línea 127)?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
                Item(
                    "buzon",
                    "¿Había un buzón de opiniones visible y con formularios?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
                Item("observaciones", "Observaciones de la visita", QuestionKind.LONG_TEXT),
            ],
        ),
    ]


# centre, days before today, answers ("n" no, "x" not applicable, else yes), minutes, notes,
# review (state, note)
MYSTERY_VISITS: list[tuple[str, int, dict[str, str], str, str, tuple[str, str] | None]] = [
    (
        "HG",
        16,
        {"espera-15": "n", "carne-visible": "n"},
        "35",
        "Fila larga en la ventanilla de citas; la atención fue amable una vez en ventanilla.",
        (ReviewState.ACCEPTED, ""),
    ),
    (
        "H1M",
        14,
        {"buzon": "n"},
        "12",
        "El buzón estaba vacío, sin formularios.",
        (ReviewState.ACCEPTED, ""),
    ),
    (
        "UM-ZAC",
        11,
        {},
        "8",
        "Atención rápida y cordial; el personal explicó los requisitos con claridad.",
        (ReviewState.ACCEPTED, ""),
    ),
    (
        "UM-ATL",
        9,
        {"saludo": "n", "orientacion-reclamo": "n"},
        "22",
        "No se saludó; al preguntar por reclamos respondieron que no sabían.",
        (
            ReviewState.HAS_ISSUES,
            "Falta la hora de llegada; confirmar con el visitante el tiempo de espera.",
        ),
    ),
    (
        "UM-SMI",
        7,
        {"trato-respetuoso": "n", "espera-15": "n", "orientacion-reclamo": "n", "saludo": "n"},
        "48",
        "La persona de ventanilla levantó la voz y se negó a explicar el trámite de "
        "incapacidad; indicó que regresara otro día.",
        (ReviewState.ACCEPTED, ""),
    ),
    (
        "CC-ZAR",
        3,
        {"orientacion-reclamo": "x", "carne-visible": "n"},
        "10",
        "Centro pequeño, una sola ventanilla; sin Punto Seguro en el centro.",
        None,
    ),
]


def _fill(visit: Response, answers: dict[str, list[str]], user: User) -> None:
    questions = responses.Questionnaire.of(visit.version_id).questions
    for question in questions:
        if question.code in answers:
            responses.do_save_answer(visit, question, answers[question.code], acting_user=user)


def _date_visit(visit: Response, at: datetime, *, planned: bool = False) -> None:
    fields: dict[str, object] = {
        "started_at": at - timedelta(minutes=50),
        "submitted_at": at,
        "day": timezone.localdate(at),
        "updated_at": at,
    }
    if planned:
        fields["planned_on"] = timezone.localdate(at)
    Response.objects.filter(pk=visit.pk).update(**fields)


def _mystery_shopper(today: date, seeded: Seeded) -> None:
    designer = _designer()
    visitor = _visitor()
    start = today - timedelta(days=21)
    with _happened_at(_at(start - timedelta(days=7), 10)):
        instrument = _design(
            name="Cliente incógnito: atención en ventanilla",
            code=MYSTERY_CODE,
            kind=InstrumentKind.CHECKLIST,
            description=(
                "Lista de verificación de la persona que, sin identificarse, hace un trámite "
                "en la ventanilla de citas. Un ítem crítico no cumplido reprueba la visita."
            ),
            sections=_mystery_sections(),
            designer=designer,
        )
        version = design.do_publish_version(instrument.versions.get(), acting_user=designer)
    _date_version(version, _at(start - timedelta(days=7), 10))
    centres = {
        d.code: d for d in Dependency.objects.filter(code__in=[v[0] for v in MYSTERY_VISITS])
    }
    requester = Dependency.objects.filter(code="SS").first()
    with _happened_at(_at(start - timedelta(days=2), 9)):
        study = studies.do_create_study(
            studies.StudyPlan(
                name=f"Cliente incógnito en ventanillas de citas, {_month_name(start)}",
                kind=StudyKind.MYSTERY_SHOPPER,
                version=version,
                method=StudyMethod.VISIT,
                period_start=start,
                period_end=today + timedelta(days=9),
                centres=[(centres[v[0]], 1) for v in MYSTERY_VISITS],
                requested_by=requester,
                request_note="Aumento de quejas por trato en ventanillas de citas.",
                requires_review=True,
            ),
            acting_user=designer,
        )
    with _happened_at(_at(start, 8)):
        study = studies.do_start_fieldwork(study, acting_user=designer)
    _date_study(study, created=_at(start - timedelta(days=2), 9), opened=_at(start, 8), closed=None)
    items = responses.Questionnaire.of(version.pk).questions
    for code, days_ago, failed, minutes, notes, review in MYSTERY_VISITS:
        at = _at(_weekday(today - timedelta(days=days_ago)), 9, 40)
        answers = {
            q.code: [{"n": "no", "x": "na"}.get(failed.get(q.code, ""), "yes")]
            for q in items
            if q.kind == QuestionKind.YES_NO
        }
        answers["minutos-fila"] = [minutes]
        answers["observaciones"] = [notes]
        with _happened_at(at):
            visit = responses.do_start_response(
                study, centres[code], mode=ResponseMode.VISIT, interviewer=visitor
            )
            _fill(visit, answers, visitor)
            responses.do_finish_response(visit, acting_user=visitor)
            if "trato-respetuoso" in failed:
                findings.do_record_finding(
                    visit,
                    title="Trato irrespetuoso en la ventanilla de citas",
                    description=notes,
                    question=next(q for q in items if q.code == "trato-respetuoso"),
                    owner=designer,
                    due_on=today + timedelta(days=23),
                    acting_user=visitor,
                )
                seeded.findings += 1
        _date_visit(visit, at)
        if review is not None:
            visit.refresh_from_db()
            _review([visit], [review[1]], review[0], designer)
        seeded.responses += 1
    seeded.studies += 1
    seeded.parts.append("mystery shopper at 6 centres")


# --- 3. Monitoring visits --------------------------------------------------------------------


def _monitoring_sections() -> list[tuple[str, list[Item]]]:
    return [
        (
            "Infraestructura y ambiente",
            [
                Item(
                    "senalizacion",
                    "¿La señalización de servicios y rutas de evacuación es visible?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
                Item(
                    "sanitarios",
                    "¿Los servicios sanitarios de usuarios están limpios y abastecidos?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="2",
                ),
                Item(
                    "sala-espera",
                    "¿La sala de espera tiene asientos suficientes y ventilación?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
            ],
        ),
        (
            "Atención al usuario",
            [
                Item(
                    "horarios",
                    "¿Los horarios de atención están publicados en cada ventanilla?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
                Item(
                    "fila-farmacia",
                    "¿La fila de farmacia se atiende en menos de 30 minutos?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="2",
                ),
                Item(
                    "punto-seguro",
                    "¿El Punto Seguro atiende en el horario establecido?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="1",
                ),
            ],
        ),
        (
            "Participación y respuesta",
            [
                Item(
                    "buzon",
                    "¿El buzón de opiniones está visible, con formularios, y se abrió según "
                    "el procedimiento el último mes?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="2",
                    critical=True,
                ),
                Item(
                    "casos-en-plazo",
                    "¿El centro respondió en plazo los casos que se le asignaron el último mes?",
                    QuestionKind.YES_NO,
                    required=True,
                    weight="2",
                ),
                Item(
                    "usuarios-entrevistados",
                    "Usuarios entrevistados durante la visita",
                    QuestionKind.NUMBER,
                    min_value="0",
                    max_value="100",
                ),
                Item("observaciones", "Observaciones de la visita", QuestionKind.LONG_TEXT),
            ],
        ),
    ]


FINDINGS = {
    "sanitarios": (
        "Sanitarios de usuarios sin papel ni jabón en consulta externa",
        "Los dos sanitarios de consulta externa estaban sin papel ni jabón a media mañana.",
    ),
    "buzon": (
        "Buzón de opiniones sin formularios ni acta de apertura del último mes",
        "No había formularios junto al buzón y no se encontró el acta de apertura del mes.",
    ),
    "fila-farmacia": (
        "Fila de farmacia de más de 45 minutos en la mañana",
        "Entre las 8:00 y las 10:00 la fila de farmacia superó los 45 minutos; una sola "
        "ventanilla de entrega abierta.",
    ),
    "horarios": (
        "Horarios de atención no publicados en las ventanillas de citas",
        "Las ventanillas de citas no muestran su horario; los usuarios preguntan al vigilante.",
    ),
    "casos-en-plazo": (
        "Casos del 127 respondidos fuera de plazo",
        "Cuatro de los once casos asignados el último mes se respondieron fuera de plazo.",
    ),
    "sala-espera": (
        "Ventiladores de la sala de espera sin funcionar",
        "Tres de los cuatro ventiladores de la sala de espera de medicina general no funcionan.",
    ),
}


@dataclass(frozen=True)
class Visit:
    days_ago: int
    failed: Sequence[str] = ()
    # Earlier findings this visit checks: item code -> solved
    checks: dict[str, bool] = field(default_factory=dict)
    not_applicable: Sequence[str] = ()


# Each centre's visits; the next visit of each is planned 30 days after its last one.
VISITS: dict[str, list[Visit]] = {
    "HG": [
        Visit(58, failed=("sanitarios", "buzon")),
        Visit(27, failed=("buzon", "fila-farmacia"), checks={"sanitarios": True, "buzon": False}),
    ],
    "UM-ZAC": [
        Visit(50, failed=("horarios",)),
        Visit(19, checks={"horarios": True}),
    ],
    "UM-SOY": [Visit(24, failed=("fila-farmacia", "casos-en-plazo", "sala-espera"))],
    "CC-SMA": [Visit(12, failed=("sanitarios",), not_applicable=("punto-seguro",))],
}


def _monitoring(today: date, seeded: Seeded) -> None:
    designer = _designer()
    visitor = _visitor()
    liaisons = {u.dependency_id: u for u in User.objects.filter(role=Role.LIAISON).order_by("-id")}
    start = today - timedelta(days=60)
    with _happened_at(_at(start - timedelta(days=10), 10)):
        instrument = _design(
            name="Visita de monitoreo",
            code=MONITORING_CODE,
            kind=InstrumentKind.CHECKLIST,
            description=(
                "Lista de verificación de las visitas periódicas a los centros: ambiente, "
                "atención y mecanismos de participación. Lo que no se cumple se registra como "
                "oportunidad de mejora y la visita siguiente lo verifica."
            ),
            sections=_monitoring_sections(),
            designer=designer,
        )
        version = design.do_publish_version(instrument.versions.get(), acting_user=designer)
    _date_version(version, _at(start - timedelta(days=10), 10))
    centres = {d.code: d for d in Dependency.objects.filter(code__in=list(VISITS))}
    with _happened_at(_at(start - timedelta(days=3), 9)):
        study = studies.do_create_study(
            studies.StudyPlan(
                name=f"Visitas de monitoreo desde {_month_name(start)}",
                kind=StudyKind.MONITORING,
                version=version,
                method=StudyMethod.VISIT,
                period_start=start,
                period_end=start + timedelta(days=364),
                centres=[(centres[code], 0) for code in VISITS],
                requires_review=True,
                visit_every_days=30,
            ),
            acting_user=designer,
        )
    with _happened_at(_at(start, 8)):
        study = studies.do_start_fieldwork(study, acting_user=designer)
    _date_study(study, created=_at(start - timedelta(days=3), 9), opened=_at(start, 8), closed=None)
    items = responses.Questionnaire.of(version.pk).questions
    by_code = {q.code: q for q in items}
    for code, visits in VISITS.items():
        dependency = centres[code]
        owner = liaisons.get(dependency.pk) or designer
        recorded: dict[str, Finding] = {}
        for visit_spec in visits:
            at = _at(_weekday(today - timedelta(days=visit_spec.days_ago)), 10, 15)
            # The visit planned for the centre (by the fieldwork's start or the last visit).
            visit = Response.objects.get(
                study=study, dependency=dependency, status=ResponseStatus.IN_PROGRESS
            )
            answers = {
                q.code: [
                    "no"
                    if q.code in visit_spec.failed
                    else "na"
                    if q.code in visit_spec.not_applicable
                    else "yes"
                ]
                for q in items
                if q.kind == QuestionKind.YES_NO
            }
            answers["usuarios-entrevistados"] = [str(6 + visit_spec.days_ago % 7)]
            failed_titles = [FINDINGS[c][0].lower() for c in visit_spec.failed]
            answers["observaciones"] = [
                "Visita sin novedades."
                if not failed_titles
                else "Se encontró: " + "; ".join(failed_titles) + "."
            ]
            with _happened_at(at):
                _fill(visit, answers, visitor)
                for item_code, solved in visit_spec.checks.items():
                    findings.do_check_finding(
                        recorded.pop(item_code), visit, solved=solved, acting_user=visitor
                    )
                for item_code in visit_spec.failed:
                    if item_code in visit_spec.checks:
                        continue  # checked and not solved yet: its opportunity stays open
                    title, description = FINDINGS[item_code]
                    recorded[item_code] = findings.do_record_finding(
                        visit,
                        title=title,
                        description=description,
                        question=by_code[item_code],
                        owner=owner,
                        due_on=max(today, timezone.localdate(at) + timedelta(days=45)),
                        acting_user=visitor,
                    )
                    seeded.findings += 1
                responses.do_finish_response(visit, acting_user=visitor)
            # The first visit was planned by the fieldwork's start (for today): it was for
            # the day it was done; a later one keeps the day its predecessor planned.
            _date_visit(visit, at, planned=visit_spec is visits[0])
            visit.refresh_from_db()
            _review([visit], [""], ReviewState.ACCEPTED, designer)
            # The next visit as `do_finish_response` planned it, dated from this one.
            following = timezone.localdate(at) + timedelta(days=30)
            Response.objects.filter(
                study=study, dependency=dependency, status=ResponseStatus.IN_PROGRESS
            ).update(planned_on=following, day=following, started_at=at, updated_at=at)
            seeded.responses += 1
    seeded.studies += 1
    seeded.parts.append("monitoring visits at 4 centres")
