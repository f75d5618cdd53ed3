"""Seed 002's year 2016 ("Mecanismos de participación institucional implementados por el ISSS,
a enero de 2017") as demo data: rows from which the mechanisms report computes the seed's
figures, never the figures themselves.

- 3,658 health campaigns, each supported by one of 38 clínicas comunales (the directory has 14;
  24 more are added here as demo centres, named after the municipalities they serve);
- 18 festivals "para el Buen Vivir" in the 18 places the seed lists, supported by 34 centres;
- the two transparency fairs, on the seed's days and places;
- 1,030 opinions from August to December 2016 through the historical import, by channel group
  as the seed gives them (call centre 682, social networks 146, suggestion boxes 87, the
  user-attention department 54, website 46, OIR 15); the year's table counts opinions over that
  window (a ReportingYear), as the unit did;
- the accounts' monthly figures from December 2015 to December 2016: followers Facebook 15,188
  to 21,097, @isss_gob_sv 39,400 to 45,337, @ISSS_Atento 1,785 to 2,030; interactions over 2016
  Facebook 1,648, Twitter 1,682 (both accounts), YouTube 12,661; and at June 2016 the figures of
  seed 003 (Facebook 19,416 subscriptions, 61 % women; @isss_gob_sv 43,700 followers and 18,200
  tweets; @ISSS_Atento 1,925 and 2,744; YouTube 68,194 views, 446 videos, 178 subscribers),
  then on to the last month ended (demo figures, no seed's);
- the information media of seed 003: 14 bulletin boards in the Torre Administrativa and 82 in
  the centres, ISSS TV in 29 centres, the publications.

Where the seed's own arithmetic does not hold (docs/seed-figures.md): Facebook's growth is
21,097 - 15,188 = 5,909 (the seed prints 5,409); the festivals' shares by zone (29 %, 41 %, 12 %,
18 %) are those of 17 places (5, 7, 2 and 3), while it lists 18.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from enlace.accounts.models import User
from enlace.demo import texts
from enlace.demo.semester import deal, deck
from enlace.directory.models import (
    Dependency,
    DependencyKind,
    LevelOfCare,
    Municipality,
    Region,
)
from enlace.imports.actions import do_import_cases
from enlace.imports.readers import RowsSource
from enlace.participation import actions
from enlace.participation.loading import load_mechanisms
from enlace.participation.models import (
    AccountFigures,
    InformationMedium,
    MediumKind,
    ParticipationEvent,
    ReportingYear,
    SocialAccount,
)

YEAR = 2016
CAMPAIGNS = 3_658
OPINIONS_FROM = date(2016, 8, 1)
OPINIONS_TO = date(2016, 12, 31)
OPINION_CHANNELS = {
    "llamada_127": 682,  # centro de llamadas
    "facebook": 80,  # redes sociales: 146
    "twitter": 46,
    "whatsapp": 20,
    "buzon": 87,
    "depto_atencion": 54,
    "correo": 30,  # sitio web: 46
    "sitio_web": 16,
    "oir": 15,
}
OPINION_TYPES = {"reclamo": 5, "queja": 2, "sugerencia": 1.5, "felicitacion": 0.4, "peticion": 0.3}
OPINION_LEVELS: dict[str, float] = {
    LevelOfCare.HOSPITAL: 5,
    LevelOfCare.UNIDAD_MEDICA: 3.2,
    LevelOfCare.CLINICA_COMUNAL: 0.7,
}
SOURCE_NAME = "seed-002-agosto-diciembre-2016"

# The 24 clínicas comunales the demo adds to the directory's 14: (code, municipality, department).
DEMO_CLINICS = [
    ("CC-D01", "Apopa", "SS"),
    ("CC-D02", "Ayutuxtepeque", "SS"),
    ("CC-D03", "Cuscatancingo", "SS"),
    ("CC-D04", "Ciudad Delgado", "SS"),
    ("CC-D05", "Ilopango", "SS"),
    ("CC-D06", "Mejicanos", "SS"),
    ("CC-D07", "Nejapa", "SS"),
    ("CC-D08", "Panchimalco", "SS"),
    ("CC-D09", "Santo Tomás", "SS"),
    ("CC-D10", "Tonacatepeque", "SS"),
    ("CC-D11", "Colón", "LI"),
    ("CC-D12", "Quezaltepeque", "LI"),
    ("CC-D13", "San Juan Opico", "LI"),
    ("CC-D14", "Cojutepeque", "CU"),
    ("CC-D15", "Sensuntepeque", "CA"),
    ("CC-D16", "Chalatenango", "CH"),
    ("CC-D17", "Atiquizaya", "AH"),
    ("CC-D18", "Metapán", "SA"),
    ("CC-D19", "Izalco", "SO"),
    ("CC-D20", "Acajutla", "SO"),
    ("CC-D21", "Jiquilisco", "US"),
    ("CC-D22", "Santa Rosa de Lima", "UN"),
    ("CC-D23", "San Francisco Gotera", "MO"),
    ("CC-D24", "San Marcos", "SS"),
]

# The festivals' 18 places, as seed 002 lists them: (municipality, department, venue, zone).
# San Jacinto is a district of San Salvador. The zone is the one the unit gives the place: the
# municipalities around the capital served from it count as "San Salvador".
FESTIVALS = [
    ("San Salvador", "SS", "San Jacinto", Region.SAN_SALVADOR),
    ("Huizúcar", "LI", "", Region.SAN_SALVADOR),
    ("San Martín", "SS", "", Region.SAN_SALVADOR),
    ("Olocuilta", "PA", "", Region.CENTRAL),
    ("Zaragoza", "LI", "", Region.SAN_SALVADOR),
    ("San Vicente", "SV", "", Region.CENTRAL),
    ("San Pedro Perulapán", "CU", "", Region.CENTRAL),
    ("Ilobasco", "CA", "", Region.CENTRAL),
    ("Zacatecoluca", "PA", "", Region.CENTRAL),
    ("Ciudad Arce", "LI", "", Region.CENTRAL),
    ("San Rafael Cedros", "CU", "", Region.CENTRAL),
    ("Santiago Nonualco", "PA", "", Region.CENTRAL),
    ("Ahuachapán", "AH", "", Region.WEST),
    ("Chalchuapa", "SA", "", Region.WEST),
    ("Usulután", "US", "", Region.EAST),
    ("San Miguel", "SM", "", Region.EAST),
    ("La Unión", "UN", "", Region.EAST),
    ("El Paisnal", "SS", "", Region.SAN_SALVADOR),
]
FESTIVAL_CENTRES = 34

TRANSPARENCY_FAIRS = [
    (date(2016, 5, 26), "Parque Central Rafael Campo", "Sonsonate", "SO"),
    (date(2016, 12, 13), "Plaza Cívica Capitán Gerardo Barrios", "San Salvador", "SS"),
]

# Each account's figures on the days the seeds give them: {day: (followers, posts, views)}.
ANCHORS: dict[str, dict[date, tuple[int, int | None, int | None]]] = {
    "Instituto Salvadoreño del Seguro Social": {
        date(2015, 12, 31): (15_188, None, None),
        date(2016, 6, 30): (19_416, None, None),
        date(2016, 12, 31): (21_097, None, None),
    },
    "@isss_gob_sv": {
        date(2015, 12, 31): (39_400, 16_950, None),
        date(2016, 6, 30): (43_700, 18_200, None),
        date(2016, 12, 31): (45_337, 19_310, None),
    },
    "@ISSS_Atento": {
        date(2015, 12, 31): (1_785, 2_380, None),
        date(2016, 6, 30): (1_925, 2_744, None),
        date(2016, 12, 31): (2_030, 3_090, None),
    },
    "InformacionesISSS": {
        date(2015, 12, 31): (131, 410, 55_120),
        date(2016, 6, 30): (178, 446, 68_194),
        date(2016, 12, 31): (226, 481, 80_950),
    },
}
# Interactions over the twelve months of 2016 (seed 002's "Interactuaron").
INTERACTIONS = {
    "Instituto Salvadoreño del Seguro Social": 1_648,
    "@isss_gob_sv": 1_402,  # Twitter: 1,682 with @ISSS_Atento
    "@ISSS_Atento": 280,
    "InformacionesISSS": 12_661,
}
# Facebook's audience at June 2016 (seed 003: 61 % women, 39 % men, most between 25 and 34).
FACEBOOK_AUDIENCE = {
    "sex": {"women": Decimal(61), "men": Decimal(39)},
    "age": {
        "18-24": Decimal(21),
        "25-34": Decimal(37),
        "35-44": Decimal(22),
        "45-54": Decimal(11),
        "55-64": Decimal(6),
        "65+": Decimal(3),
    },
}


@dataclass
class Summary:
    events: int = 0
    figures: int = 0
    media: int = 0

    def line(self) -> str:
        return (
            f"Seed 002 (2016): {self.events} participation events, {self.figures} records of "
            f"social-network figures, {self.media} information media."
        )


def _month_ends(start: date, end: date) -> list[date]:
    days: list[date] = []
    year, month = start.year, start.month
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        day = following - timedelta(days=1)
        if day > end:
            return days
        days.append(day)
        year, month = following.year, following.month


def _interpolate(anchors: dict[date, tuple[int, int | None, int | None]], day: date) -> list[Any]:
    points = sorted(anchors)
    for first, last in itertools.pairwise(points):
        if first <= day <= last:
            share = Decimal((day - first).days) / Decimal((last - first).days)
            return [
                None if a is None or b is None else a + int((b - a) * share)
                for a, b in zip(anchors[first], anchors[last], strict=True)
            ]
    return list(anchors[points[-1]])


def _clinics() -> list[Dependency]:
    parent = Dependency.objects.filter(code="SS").first()
    for code, municipality, department in DEMO_CLINICS:
        Dependency.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Clínica Comunal {municipality}",
                "kind": DependencyKind.CARE_CENTRE,
                "level_of_care": LevelOfCare.CLINICA_COMUNAL,
                "department": department,
                "parent": parent,
            },
        )
    return list(
        Dependency.objects.care_centres()
        .active()
        .filter(level_of_care=LevelOfCare.CLINICA_COMUNAL)
        .order_by("code")
    )


class _Rows:
    """Rows in the events import's own columns, read by `do_import_events`."""

    def __init__(self, rows: list[dict[str, Any]], name: str) -> None:
        self.rows_ = rows
        self.name = name
        self.total = len(rows)
        self.index = 0

    def done(self) -> int:
        return self.index

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for index, values in enumerate(self.rows_, start=2):
            self.index = index - 1
            yield index, values


def _event_rows(rng: random.Random, clinics: list[Dependency]) -> list[dict[str, Any]]:
    municipalities: dict[str, list[str]] = {}
    for name, department in Municipality.objects.values_list("name", "department"):
        municipalities.setdefault(department, []).append(name)
    days = [date(YEAR, 1, 1) + timedelta(days=n) for n in range(366)]
    workdays = [day for day in days if day.weekday() < 5]
    rows: list[dict[str, Any]] = []
    # Every clinic holds campaigns; a few hold many more than the rest.
    weights = [rng.uniform(0.5, 2.5) for _ in clinics]
    owners = list(clinics) + rng.choices(clinics, weights=weights, k=CAMPAIGNS - len(clinics))
    topics = [
        *("vacunación", "prevención del dengue", "salud bucal", "control prenatal"),
        *("detección de diabetes", "hipertensión arterial", "citología", "nutrición infantil"),
    ]
    for number, clinic in enumerate(owners, start=1):
        day = rng.choice(workdays)
        place = rng.choice(municipalities[clinic.department or "SS"])
        topic = rng.choice(topics)
        rows.append(
            {
                "mecanismo": "campanas_salud",
                "nombre": f"Campaña de {topic} n.º {number}",
                "inicio": day.isoformat(),
                "municipio": place,
                "departamento": clinic.department or "SS",
                "centros": clinic.code,
                "asistencia": rng.randint(15, 180),
                "servicios": rng.randint(10, 150),
                "fuente": "Sistema Estadístico de Salud (SES), enero a diciembre 2016",
            }
        )
    # The festivals: about one every three weeks, on Saturdays, supported by 34 centres.
    supporters = list(
        Dependency.objects.care_centres()
        .active()
        .exclude(level_of_care=LevelOfCare.ADMINISTRATIVO)
        .order_by("code")
    )
    rng.shuffle(supporters)
    supporters = supporters[:FESTIVAL_CENTRES]
    saturdays = [day for day in days if day.weekday() == 5]
    step = len(saturdays) / len(FESTIVALS)
    for index, (municipality, department, venue, zone) in enumerate(FESTIVALS):
        # Each festival: two centres of its own and two of the pool, so all 34 take part.
        own = supporters[(2 * index) % FESTIVAL_CENTRES : (2 * index) % FESTIVAL_CENTRES + 2]
        centres = {c.code for c in own} | {c.code for c in rng.sample(supporters, 2)}
        rows.append(
            {
                "mecanismo": "ferias_salud",
                "nombre": f"Festival para el Buen Vivir, {venue or municipality}",
                "inicio": saturdays[int(index * step)].isoformat(),
                "municipio": municipality,
                "departamento": department,
                "lugar": venue,
                "zona": zone,
                "centros": ",".join(sorted(centres)),
                "asistencia": rng.randint(900, 2600),
                "servicios": rng.randint(600, 1800),
                "fuente": "Informe participación Festival para el Buen Vivir año 2016",
            }
        )
    for day, venue, municipality, department in TRANSPARENCY_FAIRS:
        rows.append(
            {
                "mecanismo": "ferias_transparencia",
                "nombre": "Feria de transparencia institucional",
                "inicio": day.isoformat(),
                "municipio": municipality,
                "departamento": department,
                "lugar": venue,
                "fuente": "Oficina de Información y Respuesta ISSS",
            }
        )
    return rows


def _opinion_rows(rng: random.Random) -> Iterator[dict[str, Any]]:
    total = sum(OPINION_CHANNELS.values())
    channels = deck(rng, OPINION_CHANNELS)
    types = deck(rng, deal(total, OPINION_TYPES))
    levels = deck(rng, deal(total, OPINION_LEVELS))
    centres: dict[str, list[tuple[str, str]]] = {}
    for code, name, level in (
        Dependency.objects.care_centres().active().values_list("code", "name", "level_of_care")
    ):
        centres.setdefault(level, []).append((code, name))
    zone = timezone.get_current_timezone()
    days = (OPINIONS_TO - OPINIONS_FROM).days + 1
    for number, (channel, type_code, level) in enumerate(
        zip(channels, types, levels, strict=True), start=1
    ):
        code, name = rng.choice(centres[level])
        limitante, template = texts.opinion_template(
            rng, type_code, lambda: rng.choice(sorted(texts.COMPLAINTS))
        )
        day = OPINIONS_FROM + timedelta(days=rng.randrange(days))
        received = datetime.combine(day, time(rng.randint(7, 18), rng.randint(0, 59)), zone)
        yield {
            "external_id": f"2016S2-OP-{number:05d}",
            "received_at": received,
            "kind": "opinion",
            "opinion_type": type_code,
            "channel": channel,
            "dependency_code": code,
            "limitante": limitante,
            "status": "closed",
            "closed_at": received + timedelta(days=rng.randint(2, 15)),
            "description": texts.fill(rng, template, name),
        }


# After 2016 the demo goes on growing to the last month ended (demo figures, not a seed's), so
# that today's reports have their social networks too: each account's figures then.
RECENT = {
    "Instituto Salvadoreño del Seguro Social": (96_400, None, None),
    "@isss_gob_sv": (131_800, 41_250, None),
    "@ISSS_Atento": (6_940, 11_480, None),
    "InformacionesISSS": (2_310, 1_020, 412_600),
}


def _figures(actor: User, rng: random.Random) -> int:
    made = 0
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    for account in SocialAccount.objects.filter(handle__in=list(ANCHORS)):
        anchors = {**ANCHORS[account.handle], last_month_end: RECENT[account.handle]}
        months = _month_ends(date(2015, 12, 1), last_month_end)
        monthly = deal(
            INTERACTIONS[account.handle],
            {str(month): 1 + (i % 5) for i, month in enumerate(months[1:13])},  # 2016
        )
        for day in months:
            followers, posts, views = _interpolate(anchors, day)
            actions.do_record_figures(
                actions.FiguresData(
                    account=account,
                    on=day,
                    followers=followers,
                    posts=posts,
                    views=views,
                    interactions=monthly.get(str(day))
                    if day.year <= YEAR
                    else rng.randint(80, 400) * (8 if account.network == "youtube" else 1),
                    audience=FACEBOOK_AUDIENCE
                    if account.network == "facebook" and day == date(YEAR, 6, 30)
                    else {},
                ),
                acting_user=actor,
            )
            made += 1
    return made


def _media() -> int:
    if InformationMedium.objects.exists():
        return 0
    since = date(2015, 1, 1)
    tower = Dependency.objects.get(code="TA")
    centres = list(
        Dependency.objects.care_centres()
        .active()
        .exclude(level_of_care=LevelOfCare.ADMINISTRATIVO)
        .order_by("code")
    )
    media = [
        InformationMedium(
            kind=MediumKind.BULLETIN_BOARD,
            name="Carteleras informativas de la Torre Administrativa",
            dependency=tower,
            quantity=14,
            since=since,
        )
    ]
    # 82 boards in the centres: two in each of the first 41.
    media += [
        InformationMedium(
            kind=MediumKind.BULLETIN_BOARD,
            name=f"Carteleras informativas, {centre.name}",
            dependency=centre,
            quantity=2,
            since=since,
        )
        for centre in centres[:41]
    ]
    # ISSS TV, the new medium of 2016, in 29 centres.
    media += [
        InformationMedium(
            kind=MediumKind.TV_SCREEN,
            name=f"ISSS TV, {centre.name}",
            dependency=centre,
            quantity=1,
            since=date(2016, 1, 15),
        )
        for centre in centres[-29:]
    ]
    media += [
        InformationMedium(
            kind=MediumKind.PUBLICATION,
            name="ISSS en Acción",
            description="Informa de todas las actividades que se realizan a nivel de empleados.",
            since=since,
        ),
        InformationMedium(
            kind=MediumKind.PUBLICATION,
            name="Publicaciones en los periódicos del país",
            description="Avisos de licitación y adjudicación, precios de GLP, información de "
            "interés general.",
            since=since,
        ),
    ]
    InformationMedium.objects.bulk_create(media)
    return len(media)


def seed_mechanisms(*, seed: int, actor: User) -> Summary:
    """Seed 002's year (safe to run again: what exists is left as it is)."""
    summary = Summary()
    rng = random.Random(seed)
    load_mechanisms(update_existing=False)  # the mechanisms and accounts the events count in
    clinics = _clinics()
    ReportingYear.objects.get_or_create(
        year=YEAR,
        defaults={
            "opinions_from": OPINIONS_FROM,
            "opinions_to": OPINIONS_TO,
            "stated_on": date(2017, 1, 31),
        },
    )
    if not ParticipationEvent.objects.filter(starts_on__year=YEAR).exists():
        report = actions.do_import_events(
            _Rows(_event_rows(rng, clinics), "seed-002-eventos-2016"), acting_user=actor
        )
        if report.problems:
            raise ValueError("; ".join(str(p) for p in report.problems[:5]))
        summary.events = report.imported
    if not AccountFigures.objects.filter(on__year=YEAR).exists():
        summary.figures = _figures(actor, rng)
    summary.media = _media()
    return summary


def seed_opinions(*, seed: int, actor: User) -> int:
    """The 1,030 opinions of August to December 2016, through the historical import."""
    rows = list(_opinion_rows(random.Random(seed)))
    result = do_import_cases(RowsSource(rows, SOURCE_NAME, total=len(rows)), actor=actor)
    if not result.committed:
        problems = "; ".join(str(p) for p in result.first_problems[:5])
        raise ValueError(f"The seed-002 opinions do not import: {problems}")
    return result.imported
