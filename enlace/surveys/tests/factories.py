"""Instruments and studies built through the real actions, for the surveys' tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.surveys.actions import design, studies
from enlace.surveys.models import (
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    QuestionKind,
    Study,
    StudyKind,
    StudyMethod,
)


def questionnaire(user: User, *, code: str = "satisfaccion", publish: bool = True) -> Instrument:
    """A satisfaction questionnaire: a 1-5 scale, the 0-10 recommendation, the Friends and
    Family question, a yes/no with a follow-up shown only on "no", a multiple choice and a
    comment."""
    instrument = design.do_create_instrument(
        name="Satisfacción con la atención",
        kind=InstrumentKind.QUESTIONNAIRE,
        code=code,
        acting_user=user,
    )
    version = instrument.versions.get()
    section = version.sections.get()
    spec = design.QuestionSpec

    def add(**fields: object) -> None:
        design.do_save_question(version, spec(section=section, **fields))  # type: ignore[arg-type]

    add(
        code="trato",
        text="¿Cómo califica el trato recibido?",
        kind=QuestionKind.SCALE,
        required=True,
        low_label="Muy malo",
        high_label="Muy bueno",
    )
    add(code="recomienda", text="¿Recomendaría este centro?", kind=QuestionKind.NPS)
    add(code="experiencia", text="En general, ¿cómo fue su experiencia?", kind=QuestionKind.FFT)
    add(
        code="resuelto",
        text="¿Se resolvió lo que vino a hacer?",
        kind=QuestionKind.YES_NO,
        required=True,
    )
    resolved = version.questions.get(code="resuelto")
    add(
        code="por-que",
        text="¿Qué faltó?",
        kind=QuestionKind.MULTIPLE,
        required=True,
        condition_question=resolved,
        condition_values=["no"],
        options=[("medicina", "Medicina"), ("cita", "Cita"), ("informacion", "Información")],
    )
    add(code="comentario", text="Comentarios", kind=QuestionKind.LONG_TEXT)
    if publish:
        design.do_publish_version(version, acting_user=user)
    return instrument


def checklist(user: User, *, code: str = "visita", publish: bool = True) -> Instrument:
    """A monitoring checklist: three weighted items, one critical, and a photo."""
    instrument = design.do_create_instrument(
        name="Lista de verificación de visita",
        kind=InstrumentKind.CHECKLIST,
        code=code,
        acting_user=user,
    )
    version = instrument.versions.get()
    section = version.sections.get()
    for item, weight, critical in (
        ("senalizacion", "1", False),
        ("limpieza", "2", False),
        ("buzon", "3", True),
    ):
        design.do_save_question(
            version,
            design.QuestionSpec(
                section=section,
                code=item,
                text=f"¿Cumple: {item}?",
                kind=QuestionKind.YES_NO,
                required=True,
                weight=Decimal(weight),
                critical=critical,
            ),
        )
    design.do_save_question(
        version,
        design.QuestionSpec(
            section=section, code="foto", text="Evidencia", kind=QuestionKind.PHOTO
        ),
    )
    if publish:
        design.do_publish_version(version, acting_user=user)
    return instrument


def published(instrument: Instrument) -> InstrumentVersion:
    return instrument.versions.filter(status="published").order_by("-number").first()  # type: ignore[return-value]


def study(
    user: User,
    instrument: Instrument,
    centres: list[tuple[str, int]],
    *,
    kind: str = StudyKind.SATISFACTION,
    method: str = StudyMethod.LINK,
    start: bool = True,
    requires_review: bool = False,
    visit_every_days: int | None = None,
) -> Study:
    today = timezone.localdate()
    plan = studies.StudyPlan(
        name=f"Estudio {instrument.code}",
        kind=kind,
        version=published(instrument),
        method=method,
        period_start=today - timedelta(days=10),
        period_end=today + timedelta(days=20),
        centres=[(Dependency.objects.get(code=code), target) for code, target in centres],
        requires_review=requires_review,
        visit_every_days=visit_every_days,
    )
    created = studies.do_create_study(plan, acting_user=user)
    if start:
        created = studies.do_start_fieldwork(created, acting_user=user)
    return created


def in_period(study: Study) -> date:
    return study.period_start
