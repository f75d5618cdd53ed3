"""Demo quality evaluations for `make run`: the call centre's evaluation form "Monitoreo de calidad
de llamadas" (eight weighted items in three sections, two of them critical), designed and
published through the real actions of enlace/surveys/actions/design.py, and sixty
evaluations of the demo calls (enlace/demo/calls.py) of agente, agente2 and agente3 by the
supervisor `supervisor` and by `resolucion`, so /llamadas/calidad/ and the quality score of
/llamadas/indicadores/ have something to show: each agent with their own level, a few failed by a
critical item, some acknowledged by their agent (with a reply now and then), and five calls
evaluated by both evaluators (the calibration table).

The evaluations are rows as `quality_actions.do_evaluate_call` writes them (one `Evaluation`,
one `EvaluationAnswer` per item), written in bulk from a seeded random generator and dated a few
hours after their call, as the demo calls are (an action stamps the present time and a demo
needs a past).

Safe to run again: once the form is there (by its code), nothing is added. Without the demo
calls, the form is made and no evaluation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from enlace.accounts.models import User
from enlace.callcentre.models import Call, Evaluation, EvaluationAnswer
from enlace.demo.calls import PREFIX
from enlace.surveys.actions import design
from enlace.surveys.models import Instrument, InstrumentKind, QuestionKind, Section, YesNo

CODE = "monitoreo-calidad-llamadas"
NAME = "Monitoreo de calidad de llamadas"
# (section, code, text, weight, critical)
ITEMS = [
    ("Apertura", "saludo", "Saluda e identifica la institución", "1", False),
    ("Apertura", "identidad", "Verifica la identidad (DUI) antes de dar datos", "2", True),
    ("Gestión", "escucha", "Escucha sin interrumpir y confirma lo que necesita", "1.5", False),
    ("Gestión", "registro", "Registra el caso correctamente", "2", False),
    ("Gestión", "informacion", "Da información correcta", "3", True),
    ("Gestión", "trato", "Trata a la persona con cortesía y lenguaje claro", "1.5", False),
    ("Cierre", "resumen", "Resume lo acordado y los siguientes pasos", "1", False),
    ("Cierre", "despedida", "Ofrece otra ayuda y se despide", "1", False),
]
# The agents evaluated, and how often each does an item right (a critical one, more often).
AGENTS = {"agente": 0.93, "agente2": 0.86, "agente3": 0.78}
CRITICAL_FAILS = {"agente": 0.02, "agente2": 0.05, "agente3": 0.09}
NOT_APPLICABLE = 0.06
SINGLE = 50  # calls evaluated once
DOUBLE = 5  # and calls evaluated by both evaluators (calibration)
DISAGREE = 0.15  # the second evaluator's chance of seeing an item differently
ACKNOWLEDGED = 0.2  # of the evaluations older than two days
NOTES = [
    "No confirmó el número de DUI completo.",
    "Buen tono durante toda la llamada.",
    "Tardó en encontrar el horario del centro.",
    "Faltó ofrecer el número de seguimiento.",
]
FAILED_COMMENT = "Un punto crítico no se cumplió: lo revisaremos juntos en la próxima sesión."
REPLIES = ["Entendido, lo tendré presente.", "Gracias por la retroalimentación."]


@dataclass(frozen=True)
class SeededQuality:
    made_form: bool
    evaluations: int
    acknowledged: int

    def line(self) -> str:
        if not self.made_form:
            return "Demo quality evaluations: already there, none added."
        return (
            f"Demo quality evaluations: the form {NAME!r}, {self.evaluations} evaluations of "
            f"demo calls ({DOUBLE} calls by two evaluators), {self.acknowledged} acknowledged."
        )


def _form(author: User) -> Instrument:
    """The evaluation form, through the design actions, published."""
    instrument = design.do_create_instrument(
        name=NAME,
        kind=InstrumentKind.CHECKLIST,
        code=CODE,
        description="Lista de verificación de la calidad de las llamadas del centro de llamadas.",
        acting_user=author,
    )
    version = instrument.versions.get()
    first = version.sections.get()
    sections: dict[str, Section] = {}
    for title, *_rest in ITEMS:
        if title not in sections:
            existing = first if not sections else None
            sections[title] = design.do_save_section(version, title=title, section=existing)
    for title, code, text, weight, critical in ITEMS:
        design.do_save_question(
            version,
            design.QuestionSpec(
                section=sections[title],
                code=code,
                text=text,
                kind=QuestionKind.YES_NO,
                required=True,
                weight=Decimal(weight),
                critical=critical,
            ),
        )
    design.do_publish_version(version, acting_user=author)
    return instrument


def _office_hours(moment: datetime, rng: random.Random) -> datetime:
    """The moment, or the next working morning when it falls out of the office's hours (8 to
    17, Monday to Saturday)."""
    local = timezone.localtime(moment)
    if local.hour >= 17:
        local += timedelta(days=1)
    if local.hour >= 17 or local.hour < 8:
        local = local.replace(hour=8 + rng.randrange(3), minute=rng.randrange(60))
    if local.weekday() == 6:
        local += timedelta(days=1)
    return local


def _value(rng: random.Random, agent: str, critical: bool) -> str:
    if critical:
        return YesNo.NO if rng.random() < CRITICAL_FAILS[agent] else YesNo.YES
    if rng.random() < NOT_APPLICABLE:
        return YesNo.NOT_APPLICABLE
    return YesNo.YES if rng.random() < AGENTS[agent] else YesNo.NO


def seed_quality(*, now: datetime | None = None, seed: int = 2016) -> SeededQuality:
    now = now or timezone.now()
    if Instrument.objects.filter(code=CODE).exists():
        return SeededQuality(False, 0, 0)
    evaluators = {
        u.username: u for u in User.objects.filter(username__in=("supervisor", "resolucion"))
    }
    if "supervisor" not in evaluators:
        return SeededQuality(False, 0, 0)
    instrument = _form(evaluators["supervisor"])
    version = instrument.versions.get()
    items = list(version.questions.order_by("section__position", "position"))
    rng = random.Random(seed)
    calls = [
        (pk, agent_id, username, ended_at)
        for pk, agent_id, username, ended_at in Call.objects.filter(
            pbx_call_id__startswith=PREFIX,
            answered_at__isnull=False,
            ended_at__lt=now - timedelta(days=1),  # evaluated the next days
            agent__username__in=AGENTS,
        )
        .order_by("pk")
        .values_list("pk", "agent_id", "agent__username", "ended_at")
        if ended_at is not None and agent_id is not None
    ]
    chosen = rng.sample(calls, min(len(calls), SINGLE + DOUBLE))
    names = list(evaluators)
    evaluations: list[Evaluation] = []
    values: list[list[tuple[str, str]]] = []
    for n, (call_id, agent_id, username, ended_at) in enumerate(chosen):
        first = (
            "supervisor" if n < DOUBLE or rng.random() < 0.7 or len(names) == 1 else "resolucion"
        )
        given = [
            (_value(rng, username, item.critical), rng.choice(NOTES) if rng.random() < 0.08 else "")
            for item in items
        ]
        rounds = [(first, given)]
        if n < DOUBLE and len(names) > 1:
            # The second evaluator sees a non-critical item differently now and then.
            second = [
                (
                    rng.choice([YesNo.YES, YesNo.NO])
                    if not item.critical and rng.random() < DISAGREE
                    else value,
                    "",
                )
                for item, (value, _note) in zip(items, given, strict=True)
            ]
            rounds.append(("resolucion", second))
        for turn, (evaluator, answers) in enumerate(rounds):
            later = timedelta(hours=rng.uniform(1, 30) + 24 * turn)
            at = min(_office_hours(ended_at + later, rng), now)
            acknowledged_at = None
            reply = ""
            if at < now - timedelta(days=2) and rng.random() < ACKNOWLEDGED:
                read = timedelta(hours=rng.uniform(1, 30))
                acknowledged_at = min(_office_hours(at + read, rng), now)
                reply = rng.choice(REPLIES) if rng.random() < 0.4 else ""
            failed = any(
                item.critical and value == YesNo.NO
                for item, (value, _note) in zip(items, answers, strict=True)
            )
            evaluations.append(
                Evaluation(
                    version=version,
                    agent_id=agent_id,
                    evaluator=evaluators[evaluator],
                    call_id=call_id,
                    evaluated_at=at,
                    comment=FAILED_COMMENT if failed else "",
                    acknowledged_at=acknowledged_at,
                    agent_comment=reply,
                )
            )
            values.append(answers)
    Evaluation.objects.bulk_create(evaluations)
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(evaluation=evaluation, question=item, value=value, note=note)
        for evaluation, answers in zip(evaluations, values, strict=True)
        for item, (value, note) in zip(items, answers, strict=True)
    )
    acknowledged = sum(1 for e in evaluations if e.acknowledged_at is not None)
    return SeededQuality(True, len(evaluations), acknowledged)
