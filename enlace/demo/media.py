"""Demo data of the media archive for `make run`: eleven of El Salvador's outlets (press,
television, radio, digital) and about 150 news items about the ISSS, half in 2016 and half in
the current year so far, with their topics, tones, centres or authorities mentioned and
spokespeople, so the list, its search and the analysis (`/medios/analisis/`) have something
real to show.

Items are written in bulk with their past dates (an action stamps the present), their search
words computed by the archive's own rules (`enlace.media.rules`), as an import would. Safe to
run again: nothing is added once the demo outlets have items. No link is made up: the items
carry no URL, and no file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from enlace.accounts.models import User
from enlace.demo.texts import MEDICAMENTOS, SERVICIOS
from enlace.directory.models import Dependency, DependencyKind
from enlace.media import rules
from enlace.media.loading import ensure_topics
from enlace.media.models import MediaTopic, Medium, NewsItem, Outlet

# (code, name, medium, first year it published)
OUTLETS = [
    ("lpg", "La Prensa Gráfica", Medium.PRESS, 1915),
    ("edh", "El Diario de Hoy", Medium.PRESS, 1936),
    ("diario-el-mundo", "Diario El Mundo", Medium.PRESS, 1967),
    ("colatino", "Diario Co Latino", Medium.PRESS, 1890),
    ("diario-el-salvador", "Diario El Salvador", Medium.PRESS, 2019),
    ("canal-12", "Canal 12", Medium.TV, 1984),
    ("canal-33", "Canal 33", Medium.TV, 1993),
    ("tcs", "Telecorporación Salvadoreña (canales 2 y 4)", Medium.TV, 1985),
    ("yskl", "Radio YSKL", Medium.RADIO, 1956),
    ("radio-nacional", "Radio Nacional de El Salvador", Medium.RADIO, 1926),
    ("el-faro", "El Faro", Medium.DIGITAL, 1998),
]


@dataclass(frozen=True)
class Story:
    topic: str
    tone: str
    headline: str
    summary: str
    spokesperson: str = ""
    authority: str = ""  # when no centre is named: who the story is about
    centre: bool = True  # the story names a care centre


STORIES = [
    Story(
        "medicamentos",
        "negative",
        "Derechohabientes denuncian falta de {medicamento} en {el_centro}",
        "Pacientes crónicos aseguran que desde hace {semanas} semanas la farmacia {del_centro} "
        "les entrega solo una parte de su tratamiento y les pide regresar.",
        "Jefa de farmacia {del_centro}",
    ),
    Story(
        "medicamentos",
        "neutral",
        "ISSS asegura que el abastecimiento de {medicamento} se normalizará este mes",
        "La institución explicó que el retraso se debe a una licitación declarada desierta y que "
        "ya se adjudicó una compra de emergencia.",
        "Jefe de la División de Abastecimientos",
        "División de Abastecimientos del ISSS",
        centre=False,
    ),
    Story(
        "medicamentos",
        "positive",
        "Farmacia {del_centro} amplía su horario y reduce las filas",
        "Los derechohabientes ahora pueden retirar sus medicamentos hasta las 7 de la noche; la "
        "espera promedio bajó de dos horas a cuarenta minutos.",
        "Director {del_centro}",
    ),
    Story(
        "tiempos_espera",
        "negative",
        "Pacientes esperan hasta {meses} meses por una cita de {servicio}",
        "Usuarios {del_centro} relatan que la cita con el especialista se las programan para "
        "dentro de varios meses y que las reprogramaciones son frecuentes.",
        "",
    ),
    Story(
        "tiempos_espera",
        "negative",
        "Largas filas desde la madrugada en la emergencia {del_centro}",
        "Derechohabientes denuncian esperas de más de seis horas para ser atendidos en la "
        "emergencia; el hospital atribuye la saturación a la temporada de enfermedades "
        "respiratorias.",
        "Director {del_centro}",
    ),
    Story(
        "tiempos_espera",
        "positive",
        "ISSS lanza citas por teléfono y WhatsApp para la consulta externa",
        "Los derechohabientes podrán pedir y reprogramar sus citas llamando al 127 o por "
        "WhatsApp, sin hacer fila en la unidad médica.",
        "Jefa del Centro de Llamadas 127",
        "Dirección General del ISSS",
        centre=False,
    ),
    Story(
        "infraestructura",
        "negative",
        "Filtraciones y aires acondicionados dañados en {el_centro}",
        "Pacientes y personal muestran en redes sociales las goteras en los pasillos de "
        "{servicio}; la institución dice que las reparaciones ya están contratadas.",
        "",
    ),
    Story(
        "infraestructura",
        "positive",
        "ISSS inaugura nueva sala de {servicio} en {el_centro}",
        "La obra, con una inversión de más de un millón de dólares, permitirá atender a más "
        "derechohabientes de la zona con equipo moderno.",
        "Director general del ISSS",
    ),
    Story(
        "infraestructura",
        "neutral",
        "Avanza la construcción del nuevo hospital regional del ISSS",
        "La obra lleva un avance del {avance} % según la institución; los derechohabientes de la "
        "zona esperan que esté lista el próximo año.",
        "Jefe de la Unidad de Proyectos",
        "Consejo Directivo del ISSS",
        centre=False,
    ),
    Story(
        "atencion",
        "negative",
        "Familia denuncia mala atención a un paciente en {el_centro}",
        "Familiares de un derechohabiente aseguran que pasó horas sin ser evaluado; el ISSS "
        "informó que abrió una investigación y que atenderá el caso por la Oficina de Atención "
        "al Usuario.",
        "Oficina de Atención al Usuario",
    ),
    Story(
        "atencion",
        "positive",
        "Médicos {del_centro} realizan con éxito cirugía de alta complejidad",
        "El equipo de {servicio} del hospital realizó un procedimiento que antes solo se hacía "
        "en el extranjero; el paciente se recupera favorablemente.",
        "Jefe de cirugía {del_centro}",
    ),
    Story(
        "atencion",
        "positive",
        "Derechohabientes califican bien la atención en {el_centro}, según encuesta",
        "La encuesta de satisfacción del ISSS muestra una mejora en el trato del personal y en "
        "la limpieza de las instalaciones.",
        "Jefa del Departamento de Atención al Usuario",
    ),
    Story(
        "pensiones",
        "neutral",
        "ISSS recuerda a pensionados la firma de sobrevivencia",
        "Los pensionados deben presentarse a la agencia más cercana o registrar su firma por los "
        "medios que la institución habilitó para no ver suspendido su pago.",
        "Jefe de la Unidad de Pensiones",
        "Unidad de Pensiones del ISSS",
        centre=False,
    ),
    Story(
        "pensiones",
        "negative",
        "Pensionados reclaman atrasos en el pago de su pensión",
        "Un grupo de pensionados protestó frente a la Torre Administrativa por el retraso de "
        "hasta {semanas} semanas en el depósito de sus pensiones.",
        "",
        "Unidad de Pensiones del ISSS",
        centre=False,
    ),
    Story(
        "gestion",
        "neutral",
        "Consejo Directivo del ISSS aprueba el presupuesto del próximo año",
        "El presupuesto prioriza la compra de medicamentos, la contratación de especialistas y "
        "el mantenimiento de los hospitales.",
        "Presidente del Consejo Directivo",
        "Consejo Directivo del ISSS",
        centre=False,
    ),
    Story(
        "gestion",
        "negative",
        "Corte de Cuentas señala irregularidades en compras del ISSS",
        "El informe de auditoría observa procesos de compra de insumos médicos sin la "
        "documentación requerida; el ISSS responde que presentará los descargos.",
        "",
        "Dirección General del ISSS",
        centre=False,
    ),
    Story(
        "personal",
        "negative",
        "Sindicato del ISSS anuncia paro de labores en {el_centro}",
        "El Sindicato de Trabajadores del ISSS exige el pago del escalafón; la institución "
        "asegura que los servicios de emergencia se mantendrán.",
        "Secretario general del STISSS",
    ),
    Story(
        "personal",
        "positive",
        "ISSS contrata nuevos especialistas para {servicio}",
        "La institución incorporó médicos especialistas para reducir la espera en la consulta "
        "{del_centro}.",
        "Subdirector de Salud del ISSS",
    ),
    Story(
        "salud_publica",
        "neutral",
        "ISSS habilita áreas de atención por aumento de casos de dengue",
        "Las unidades médicas atenderán en horario extendido a pacientes con fiebre; la "
        "institución pide a la población eliminar los criaderos de zancudos.",
        "Jefe de Epidemiología del ISSS",
        "Subdirección de Salud del ISSS",
        centre=False,
    ),
    Story(
        "salud_publica",
        "positive",
        "Jornada de vacunación del ISSS en {el_centro}",
        "Derechohabientes y beneficiarios pueden vacunarse contra la influenza sin cita previa "
        "durante toda la semana.",
        "Directora {del_centro}",
    ),
    Story(
        "servicios_nuevos",
        "positive",
        "ISSS lanza la receta electrónica en {el_centro}",
        "Con la receta electrónica los pacientes ya no pierden sus recetas y la farmacia prepara "
        "los medicamentos antes de que lleguen.",
        "Director general del ISSS",
    ),
    Story(
        "servicios_nuevos",
        "positive",
        "ISSS estrena portal para seguir en línea los reclamos de los derechohabientes",
        "Con el código de seguimiento, el derechohabiente puede conocer en qué etapa está su "
        "caso y cuándo debe recibir respuesta.",
        "Jefe de la Unidad de Comunicaciones y Atención al Usuario",
        "Unidad de Comunicaciones y Atención al Usuario",
        centre=False,
    ),
]
# The tones of the demo lean as a monitoring report would find them: about half negative.
WEIGHTS = {"negative": 5, "neutral": 3, "positive": 4}


@dataclass
class SeededMedia:
    outlets: int = 0
    items: int = 0

    def line(self) -> str:
        return f"Demo media archive: {self.outlets} outlets, {self.items} news items."


def with_article(name: str, preposition: str = "") -> str:
    """'el Hospital General', 'la Unidad Médica Zacamil'; with "de": 'del Hospital General'."""
    article = "la" if name.split(" ", 1)[0] in ("Unidad", "Clínica", "Torre") else "el"
    if preposition == "de":
        return f"del {name}" if article == "el" else f"de la {name}"
    return f"{article} {name}"


def _days(start: date, end: date, count: int, rng: random.Random) -> list[date]:
    span = max((end - start).days, 0)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))


def seed_media(*, seed: int = 2016, per_year: int = 75, today: date | None = None) -> SeededMedia:
    """Eleven outlets and `per_year` news items in 2016 and as many in the current year up to
    `today`; nothing when the demo outlets already have items."""
    seeded = SeededMedia()
    today = today or timezone.localdate()
    codes = [code for code, _name, _medium, _since in OUTLETS]
    if NewsItem.objects.filter(outlet__code__in=codes).exists():
        return seeded
    rng = random.Random(seed)
    ensure_topics()
    topics = {topic.code: topic for topic in MediaTopic.objects.all()}
    centres = list(
        Dependency.objects.filter(kind=DependencyKind.CARE_CENTRE, is_active=True).order_by("code")
    )
    registrar = User.objects.filter(username="comunicaciones").first()
    zone = timezone.get_current_timezone()
    now = timezone.now()
    stories = [story for story in STORIES if story.topic in topics]
    weights = [WEIGHTS[story.tone] for story in stories]
    with transaction.atomic():
        outlets = []
        for code, name, kind, since in OUTLETS:
            outlet, created = Outlet.objects.get_or_create(
                code=code, defaults={"name": name, "medium": kind}
            )
            outlets.append((outlet, since))
            seeded.outlets += int(created)
        days = _days(date(2016, 1, 4), date(2016, 12, 30), per_year, rng)
        days += _days(date(today.year, 1, 2), today, per_year, rng)
        items = []
        for day in days:
            story = rng.choices(stories, weights)[0]
            outlet = rng.choice([o for o, since in outlets if since <= day.year])
            centre = rng.choice(centres) if story.centre and centres else None
            values = {
                "el_centro": with_article(centre.name) if centre else "",
                "del_centro": with_article(centre.name, "de") if centre else "",
                "medicamento": rng.choice(MEDICAMENTOS),
                "servicio": rng.choice(SERVICIOS),
                "semanas": rng.randint(2, 8),
                "meses": rng.randint(3, 9),
                "avance": rng.choice((35, 48, 60, 72, 85)),
            }
            headline = story.headline.format(**values)
            summary = story.summary.format(**values)
            # Online outlets and TV websites republish: now and then an item is the site's.
            medium = Medium.DIGITAL if rng.random() < 0.1 else outlet.medium
            registered = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), zone)
            items.append(
                NewsItem(
                    outlet=outlet,
                    medium=medium,
                    published_on=day,
                    headline=headline,
                    summary=summary,
                    topic=topics[story.topic],
                    dependency=centre,
                    authority=story.authority,
                    tone=story.tone,
                    spokesperson=story.spokesperson.format(**values),
                    registered_by=registrar,
                    registered_at=min(registered, now),
                    search_text=rules.search_text(headline, summary, outlet.name),
                    search_stems=rules.search_stems(headline, summary, outlet.name),
                )
            )
        NewsItem.objects.bulk_create(items)
        seeded.items = len(items)
    return seeded
