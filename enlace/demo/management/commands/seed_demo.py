"""Demo data for `make run`: one user per role and a year of realistic cases.

Safe to run again: users are updated (and their password reset to the printed one); cases are
generated only into an empty case table. Cases are written in bulk with their event rows, as a
historical import would, because an action stamps the present time and a demo needs a past.
Studies (satisfaction survey, mystery shopper, monitoring visits) are added once, by
enlace/demo/studies.py.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from enlace.accounts.models import Role, User
from enlace.cases import deadlines
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, DeadlineStep, EventKind
from enlace.cases.rules import dui_check_digit, new_tracking_code, search_text
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.demo import texts
from enlace.demo.apikeys import seed_api_key
from enlace.demo.calls import seed_calls
from enlace.demo.campaigns import seed_campaigns
from enlace.demo.mechanisms import seed_mechanisms, seed_opinions
from enlace.demo.media import seed_media
from enlace.demo.oir import seed_oir
from enlace.demo.owners import seed_owners
from enlace.demo.quality import seed_quality
from enlace.demo.semester import INQUIRIES, OPINIONS, SOURCE_NAME, Semester
from enlace.demo.studies import seed_studies
from enlace.directory.models import Dependency, LevelOfCare
from enlace.imports.actions import do_import_cases
from enlace.imports.readers import RowsSource

DEMO_PASSWORD = "enlace-demo"  # noqa: S105 - printed on purpose, demo only

DEMO_USERS: list[dict[str, Any]] = [
    {"username": "agente", "first_name": "Ana", "last_name": "Agente (127)", "role": Role.AGENT},
    # Two more call-centre agents: the satisfaction survey's interviewers are several.
    {"username": "agente2", "first_name": "Luis", "last_name": "Agente (127)", "role": Role.AGENT},
    {"username": "agente3", "first_name": "Karla", "last_name": "Agente (127)", "role": Role.AGENT},
    {
        "username": "supervisor",
        "first_name": "Sofía",
        "last_name": "Supervisora (127)",
        "role": Role.CALL_SUPERVISOR,
    },
    {
        "username": "puntoseguro",
        "first_name": "Pedro",
        "last_name": "Punto Seguro",
        "role": Role.PUNTO_SEGURO,
        "dependency": "HG",
    },
    {
        "username": "resolucion",
        "first_name": "Rosa",
        "last_name": "Resolución",
        "role": Role.RESOLUTION,
    },
    {
        # Resolution staff who visit centres (mystery shopper, monitoring visits).
        "username": "monitoreo",
        "first_name": "Marcos",
        "last_name": "Monitoreo",
        "role": Role.RESOLUTION,
    },
    {
        "username": "enlace.hg",
        "first_name": "Elena",
        "last_name": "Enlace Hospital General",
        "role": Role.LIAISON,
        "dependency": "HG",
    },
    {
        "username": "enlace.zacamil",
        "first_name": "Ernesto",
        "last_name": "Enlace UM Zacamil",
        "role": Role.LIAISON,
        "dependency": "UM-ZAC",
    },
    {"username": "oir", "first_name": "Olga", "last_name": "Oficial OIR", "role": Role.OIR_OFFICER},
    {
        "username": "comunicaciones",
        "first_name": "Carmen",
        "last_name": "Comunicaciones",
        "role": Role.COMMUNICATIONS,
    },
    {"username": "analista", "first_name": "Andrés", "last_name": "Analista", "role": Role.ANALYST},
    {
        "username": "datos",
        "first_name": "Diana",
        "last_name": "Protección de Datos",
        "role": Role.DPO,
    },
    {
        "username": "admin",
        "first_name": "Adela",
        "last_name": "Administradora",
        "role": Role.ADMINISTRATOR,
        "is_staff": True,
        "is_superuser": True,
    },
]

# Proportions like the participation report of seed 003 (January-June 2016).
OPINION_TYPES = {
    "reclamo": 48,
    "queja": 30.5,
    "sugerencia": 14,
    "denuncia": 2.5,
    "peticion": 2,
    "felicitacion": 3,
}
OPINION_CHANNELS = {
    "llamada_127": 55,
    "buzon": 18,
    "facebook": 7,
    "twitter": 4,
    "whatsapp": 3,
    "correo": 4,
    "sitio_web": 2,
    "depto_atencion": 3,
    "punto_seguro": 3,
    "oir": 1,
}
OPINION_LEVELS: dict[str, float] = {
    LevelOfCare.HOSPITAL: 56,
    LevelOfCare.UNIDAD_MEDICA: 35,
    LevelOfCare.CLINICA_COMUNAL: 6,
    LevelOfCare.ADMINISTRATIVO: 3,
}
INQUIRY_CHANNELS = {
    "llamada_127": 97.76,
    "facebook": 0.7,
    "whatsapp": 0.43,
    "twitter": 0.2,
    "sitio_web": 0.5,
    "correo": 0.31,
    "otro": 0.10,
}
INQUIRY_TOPICS = {
    "citas": 24,
    "horarios": 14,
    "requisitos": 12,
    "portafolio_servicios": 10,
    "incapacidades": 9,
    "pensiones": 8,
    "medicamentos": 6,
    "afiliacion": 5,
    "ubicacion_centros": 4,
    "cotizaciones": 3,
    "reintegros": 2,
    "seguimiento_caso": 2,
    "otro": 1,
}
LIMITANTES = {
    "tiempo_espera": 24,
    "trato_personal": 16,
    "falta_medicamento": 15,
    "demora_citas": 13,
    "reprogramacion_citas": 7,
    "atencion_medica": 6,
    "infraestructura": 5,
    "tramites_administrativos": 4,
    "incapacidades": 3,
    "examenes": 3,
    "cirugias": 2,
    "informacion": 2,
}


def pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Command(BaseCommand):
    help = (
        "Create demo users for every role, a year of demo cases and demo studies (safe to re-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--opinions", type=int, default=900)
        parser.add_argument("--inquiries", type=int, default=4000)
        parser.add_argument("--seed", type=int, default=2016)
        parser.add_argument("--force", action="store_true", help="allow it with DEBUG off")
        parser.add_argument(
            "--seed-semester",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="also load January-June 2016 with the exact figures of seed 003 (108k cases)",
        )
        parser.add_argument(
            "--seed-studies",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="also add the demo studies: satisfaction survey, mystery shopper, visits",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo users have known passwords: refusing with DEBUG off.")
        if not Dependency.objects.exists() or not Channel.objects.exists():
            raise CommandError("Load the directory and catalogues first.")
        with transaction.atomic():
            self.seed_users()
            admin = User.objects.get(username="admin")
            self.stdout.write(f"Demo information requests (OIR): {seed_oir()} created.")
            if Case.objects.exists():
                self.stdout.write("Demo cases: the case table is not empty, none added.")
            else:
                made = self.seed_cases(options["opinions"], options["inquiries"], options["seed"])
                self.stdout.write(f"Demo cases: {made} created.")
                if options["seed_semester"]:
                    made = self.seed_semester(options["seed"])
                    self.stdout.write(
                        f"January-June 2016 as published in seed 003: {made} cases created."
                    )
                    made = seed_opinions(seed=options["seed"], actor=admin)
                    self.stdout.write(
                        f"August-December 2016 opinions as seed 002 counts them: {made} created."
                    )
            if options["seed_semester"]:
                self.stdout.write(seed_mechanisms(seed=options["seed"], actor=admin).line())
            self.stdout.write(seed_media(seed=options["seed"]).line())
            if options["seed_studies"]:
                self.stdout.write(seed_studies().line())
            self.stdout.write(seed_owners().line())
            self.stdout.write(seed_calls(seed=options["seed"]).line())
            self.stdout.write(seed_quality(seed=options["seed"]).line())
            self.stdout.write(seed_campaigns(seed=options["seed"]).line())
            api_key = seed_api_key(User.objects.get(username="admin"))
        self.print_logins()
        if api_key:
            self.stdout.write(
                f"\nDemo API key (resolution staff, every centre, read and write): {api_key}\n"
                f"  try: curl -H 'Authorization: Bearer {api_key}' <server>/api/v1/cases\n"
                "  docs: /api/v1/docs; Open311: /open311/v2/discovery.json"
            )

    def print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for user in (
            User.objects.filter(username__in=[u["username"] for u in DEMO_USERS])
            .select_related("dependency")
            .order_by("id")
        ):
            centre = f" - {user.dependency.name}" if user.dependency else ""
            self.stdout.write(f"  {user.username:<16} {user.get_role_display()}{centre}")

    def seed_users(self) -> None:
        for spec in DEMO_USERS:
            spec = dict(spec)
            code = spec.pop("dependency", None)
            spec["dependency"] = Dependency.objects.get(code=code) if code else None
            username = spec.pop("username")
            spec["email"] = f"{username}@enlace.localhost"  # notifications have an address
            user, _ = User.objects.update_or_create(username=username, defaults=spec)
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])

    def seed_semester(self, seed: int) -> int:
        """The semester of seed 003, through the historical import (enlace/demo/semester.py)."""
        semester = Semester(random.Random(seed), limitantes=LIMITANTES, topics=INQUIRY_TOPICS)
        result = do_import_cases(
            RowsSource(semester.rows(), SOURCE_NAME, total=OPINIONS + INQUIRIES),
            actor=User.objects.get(username="admin"),  # history is loaded by an administrator
        )
        if not result.committed:
            problems = "; ".join(str(p) for p in result.first_problems[:5])
            raise CommandError(f"The seed-003 semester does not import: {problems}")
        return result.imported

    def seed_cases(self, opinions: int, inquiries: int, seed: int) -> int:
        rng = random.Random(seed)
        now = timezone.now()
        channels = {c.code: c for c in Channel.objects.all()}
        types = {t.code: t for t in OpinionType.objects.all()}
        topics = {t.code: t for t in InquiryTopic.objects.all()}
        limitantes = {x.code: x for x in Limitante.objects.all()}
        centres: dict[str, list[Dependency]] = {}
        for dep in Dependency.objects.care_centres().active():
            centres.setdefault(dep.level_of_care, []).append(dep)
        # A few centres receive more than the rest, as in the seeds' tables.
        weights = {level: [rng.uniform(0.3, 3) for _ in deps] for level, deps in centres.items()}
        agent = User.objects.get(username="agente")
        staff = User.objects.get(username="resolucion")
        cases: list[Case] = []
        events: list[tuple[int, list[CaseEvent]]] = []

        def when() -> datetime:
            # Spread over the last 365 days, working hours, a little more in recent months.
            days = int(365 * (rng.random() ** 1.15))
            at = timezone.localtime(now - timedelta(days=days))
            at = at.replace(
                hour=rng.randint(7, 18), minute=rng.randint(0, 59), second=0, microsecond=0
            )
            return min(at, now - timedelta(minutes=rng.randint(5, 120)))

        def person() -> dict[str, str]:
            if rng.random() < 0.35:
                return {}
            name = (
                f"{rng.choice(texts.NOMBRES)} {rng.choice(texts.APELLIDOS)} "
                f"{rng.choice(texts.APELLIDOS)}"
            )
            body = f"{rng.randint(0, 9_999_999):08d}"
            return {
                "citizen_name": name,
                "citizen_dui": f"{body}-{dui_check_digit(body)}",
                "citizen_phone": f"+503{rng.choice('267')}{rng.randint(0, 9_999_999):07d}",
            }

        def fill(template: str, centre: Dependency | None) -> str:
            return texts.fill(rng, template, centre.name if centre else None)

        for _ in range(opinions):
            type_code = pick(rng, OPINION_TYPES)
            level = pick(rng, OPINION_LEVELS)
            centre = rng.choices(centres[level], weights=weights[level])[0]
            limitante_code, template = texts.opinion_template(
                rng, type_code, lambda: pick(rng, LIMITANTES)
            )
            limitante = limitantes[limitante_code] if limitante_code else None
            received = when()
            age = (now - received).days
            description = fill(template, centre)
            who = person()
            case = Case(
                kind=CaseKind.OPINION,
                tracking_code=new_tracking_code(),
                channel=channels[pick(rng, OPINION_CHANNELS)],
                opinion_type=types[type_code],
                dependency=centre,
                level_of_care=centre.level_of_care,
                limitante=limitante,
                description=description,
                received_at=received,
                created_by=agent,
                search_text=search_text(who.get("citizen_name", ""), description),
                **who,
            )
            history = [
                CaseEvent(
                    kind=EventKind.REGISTERED,
                    actor=agent,
                    at=received,
                    to_status=CaseStatus.RECEIVED,
                )
            ]
            if age > 3 or rng.random() < 0.5:
                assigned_at = received + timedelta(hours=rng.randint(2, 48))
                case.status = CaseStatus.ASSIGNED
                history.append(
                    CaseEvent(
                        kind=EventKind.ASSIGNED,
                        actor=staff,
                        at=assigned_at,
                        from_status=CaseStatus.RECEIVED,
                        to_status=CaseStatus.ASSIGNED,
                        changes={"dependency": {"from": "", "to": centre.name}},
                    )
                )
                if age > 30 or (age > 20 and rng.random() < 0.9):
                    closed_at = assigned_at + timedelta(days=rng.randint(3, 18))
                    case.status = CaseStatus.CLOSED
                    case.closed_at = closed_at
                    case.answer = fill(rng.choice(texts.ANSWERS), centre)
                    history.append(
                        CaseEvent(
                            kind=EventKind.CLOSED,
                            actor=staff,
                            at=closed_at,
                            from_status=CaseStatus.ASSIGNED,
                            to_status=CaseStatus.CLOSED,
                            note=case.answer,
                        )
                    )
            cases.append(case)
            events.append((len(cases) - 1, history))

        all_centres = [dep for deps in centres.values() for dep in deps]
        for _ in range(inquiries):
            topic_code = pick(rng, INQUIRY_TOPICS)
            question, answer = texts.INQUIRIES[topic_code]
            inquiry_centre = rng.choice(all_centres) if "{centro}" in question else None
            received = when()
            first_contact = rng.random() < 0.94
            description = fill(question, inquiry_centre)
            who = person() if rng.random() < 0.3 else {}
            case = Case(
                kind=CaseKind.INQUIRY,
                tracking_code=new_tracking_code(),
                channel=channels[pick(rng, INQUIRY_CHANNELS)],
                topic=topics[topic_code],
                dependency=inquiry_centre,
                level_of_care=inquiry_centre.level_of_care if inquiry_centre else "",
                description=description,
                received_at=received,
                created_by=agent,
                search_text=search_text(who.get("citizen_name", ""), description),
                **who,
            )
            history = [
                CaseEvent(
                    kind=EventKind.REGISTERED,
                    actor=agent,
                    at=received,
                    to_status=CaseStatus.RECEIVED,
                )
            ]
            if first_contact or (now - received).days > 5:
                case.status = CaseStatus.CLOSED
                case.closed_at = received + timedelta(minutes=rng.randint(2, 9))
                case.answer = answer
                case.resolved_at_first_contact = first_contact
                history.append(
                    CaseEvent(
                        kind=EventKind.CLOSED,
                        actor=agent,
                        at=case.closed_at,
                        from_status=CaseStatus.RECEIVED,
                        to_status=CaseStatus.CLOSED,
                        note=answer,
                    )
                )
            cases.append(case)
            events.append((len(cases) - 1, history))

        created = Case.objects.bulk_create(cases, batch_size=500)
        rows = []
        for index, history in events:
            for event in history:
                event.case = created[index]
                rows.append(event)
        CaseEvent.objects.bulk_create(rows, batch_size=1000)
        # The cases still open get their deadlines from the policies, as registration gives
        # them: the console then shows what is due soon and what is overdue.
        # Closed opinions get their answer deadline, met on the day they closed, so the
        # compliance figures have a history.
        for case in created:
            if case.status == CaseStatus.RECEIVED:
                deadlines.open_deadlines(case)
            elif case.status == CaseStatus.ASSIGNED:
                deadlines.open_deadlines(case, steps=(DeadlineStep.ANSWER,))
            elif case.kind == CaseKind.OPINION and case.closed_at is not None:
                deadlines.open_deadlines(case, steps=(DeadlineStep.ANSWER,))
                deadlines.meet(case, DeadlineStep.ANSWER, at=case.closed_at)
            else:
                continue
            case.save(update_fields=["next_due_on"])
        return len(created)
