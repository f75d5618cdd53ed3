"""The semester of seed 003 ("Medios de participación ciudadana, enero-junio 2016") as demo data:
rows in the historical-import format whose counts are exactly the ones the seed publishes, so
the participation report for January-June 2016 reproduces it.

Published by the seed, reproduced exactly: 2,365 opinions and 105,546 inquiries; inquiries by
channel group 103,177 call centre, 1,407 social networks, 852 website, 110 others; 1,323
opinions about hospitals and consultorios de especialidades, 828 about unidades médicas; the
call centre the most used channel for opinions, then the suggestion box, then social networks;
claims the most frequent type, then suggestions.

The seed is not self-consistent on one figure: it gives complaints and claims as "78.50% of the
opinions (2,367)", more than the 2,365 opinions it counts. 1,857 of 2,365 (78.52%) is the
nearest whole number of opinions to 78.50%. The breakdowns the seed shows only as charts
(types, channels, limitantes, topics) follow the proportions of the demo's other data.

Each marginal is exact: every attribute is dealt from a shuffled deck holding exactly its
counts, so the counts hold whatever the seed of the random generator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import timezone

from enlace.cases.rules import dui_check_digit
from enlace.demo import texts
from enlace.directory.models import Dependency, LevelOfCare

FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2016, 6, 30)
OPINIONS = 2_365
INQUIRIES = 105_546
OPINION_TYPES = {
    "reclamo": 1_500,
    "sugerencia": 380,
    "queja": 357,
    "felicitacion": 62,
    "peticion": 40,
    "denuncia": 26,
}
OPINION_CHANNELS = {
    "llamada_127": 1_180,
    "buzon": 520,
    "facebook": 190,
    "correo": 95,
    "depto_atencion": 95,
    "twitter": 85,
    "punto_seguro": 70,
    "whatsapp": 60,
    "sitio_web": 50,
    "oir": 20,
}
OPINION_LEVELS = {
    LevelOfCare.HOSPITAL: 1_323,
    LevelOfCare.UNIDAD_MEDICA: 828,
    LevelOfCare.CLINICA_COMUNAL: 160,
    LevelOfCare.ADMINISTRATIVO: 54,
}
INQUIRY_CHANNELS = {
    "llamada_127": 103_177,  # centro de llamadas
    "facebook": 700,  # redes sociales: 1,407
    "whatsapp": 450,
    "twitter": 257,
    "sitio_web": 530,  # sitio web (and e-mail): 852
    "correo": 322,
    "otro": 110,  # otros
}
SOURCE_NAME = "seed-003-enero-junio-2016"


def deal(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """`total` split in proportion to `weights`, exactly (largest remainders get the rest)."""
    whole = sum(weights.values())
    exact = {
        key: Decimal(total) * Decimal(str(w)) / Decimal(str(whole)) for key, w in weights.items()
    }
    counts = {key: int(value.to_integral_value(ROUND_DOWN)) for key, value in exact.items()}
    by_remainder = sorted(weights, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def deck(rng: random.Random, counts: Mapping[Any, int]) -> list[Any]:
    cards = [key for key, n in counts.items() for _ in range(n)]
    rng.shuffle(cards)
    return cards


class Semester:
    def __init__(
        self, rng: random.Random, limitantes: Mapping[str, float], topics: Mapping[str, float]
    ):
        self.rng = rng
        self.limitantes = limitantes
        self.topics = topics
        self.centres: dict[str, list[tuple[str, str]]] = {}
        for code, name, level in (
            Dependency.objects.care_centres().active().values_list("code", "name", "level_of_care")
        ):
            self.centres.setdefault(level, []).append((code, name))
        # A few centres receive more than the rest, as in the seed's tables.
        self.weights = {
            level: [rng.uniform(0.3, 3) for _ in centres] for level, centres in self.centres.items()
        }
        self.zone = timezone.get_current_timezone()
        self.days = [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]

    def when(self) -> datetime:
        day = self.rng.choice(self.days)
        moment = time(self.rng.randint(7, 18), self.rng.randint(0, 59))
        return datetime.combine(day, moment, self.zone)

    def person(self) -> dict[str, str]:
        rng = self.rng
        body = f"{rng.randint(0, 9_999_999):08d}"
        return {
            "citizen_name": f"{rng.choice(texts.NOMBRES)} {rng.choice(texts.APELLIDOS)} "
            f"{rng.choice(texts.APELLIDOS)}",
            "citizen_dui": f"{body}-{dui_check_digit(body)}",
            "citizen_phone": rng.choice(
                [
                    f"7{rng.randint(0, 9_999_999):07d}",
                    f"2{rng.randint(2, 6)}{rng.randint(0, 999_999):06d}",
                ]
            ),
        }

    def opinions(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        complaints = OPINION_TYPES["reclamo"] + OPINION_TYPES["queja"]
        types = deck(rng, OPINION_TYPES)
        channels = deck(rng, OPINION_CHANNELS)
        levels = deck(rng, OPINION_LEVELS)
        limitantes = deck(rng, deal(complaints, self.limitantes))
        for number, (type_code, channel, level) in enumerate(
            zip(types, channels, levels, strict=True), start=1
        ):
            code, name = rng.choices(self.centres[level], weights=self.weights[level])[0]
            limitante, template = texts.opinion_template(rng, type_code, limitantes.pop)
            received = self.when()
            yield {
                "external_id": f"2016S1-OP-{number:05d}",
                "received_at": received,
                "kind": "opinion",
                "opinion_type": type_code,
                "channel": channel,
                "dependency_code": code,
                "limitante": limitante,
                "status": "closed",
                "closed_at": received + timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 5)),
                "description": texts.fill(rng, template, name),
                **(self.person() if rng.random() < 0.65 else {}),
            }

    def inquiries(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        channels = deck(rng, INQUIRY_CHANNELS)
        topics = deck(rng, deal(INQUIRIES, self.topics))
        all_centres = [centre for centres in self.centres.values() for centre in centres]
        for number, (channel, topic) in enumerate(zip(channels, topics, strict=True), start=1):
            question, _answer = texts.INQUIRIES[topic]
            centre = rng.choice(all_centres) if "{centro}" in question else None
            received = self.when()
            yield {
                "external_id": f"2016S1-CO-{number:06d}",
                "received_at": received,
                "kind": "consulta",
                "channel": channel,
                "dependency_code": centre[0] if centre else "",
                "topic": topic,
                "status": "closed",
                "closed_at": received + timedelta(minutes=rng.randint(2, 9)),
                "description": texts.fill(rng, question, centre[1] if centre else None),
                **(self.person() if rng.random() < 0.1 else {}),
            }

    def rows(self) -> Iterator[dict[str, Any]]:
        yield from self.opinions()
        yield from self.inquiries()
