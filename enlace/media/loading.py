"""The first media topics, created after every migrate where they are missing (a flushed test
database, a new deployment); the communications unit edits them in the administration."""

from __future__ import annotations

from enlace.media.models import MediaTopic

TOPICS = [
    ("medicamentos", "Abastecimiento de medicamentos"),
    ("tiempos_espera", "Tiempos de espera y citas"),
    ("infraestructura", "Infraestructura y equipamiento"),
    ("atencion", "Calidad de la atención"),
    ("pensiones", "Pensiones y prestaciones económicas"),
    ("gestion", "Gestión institucional y finanzas"),
    ("personal", "Personal y sindicatos"),
    ("salud_publica", "Salud pública y epidemias"),
    ("servicios_nuevos", "Nuevos servicios y programas"),
    ("otro", "Otro"),
]


def ensure_topics() -> int:
    """Create the topics that are missing (edited ones are kept); returns how many."""
    existing = set(MediaTopic.objects.values_list("code", flat=True))
    missing = [
        MediaTopic(code=code, name=name, sort_order=order)
        for order, (code, name) in enumerate(TOPICS, start=1)
        if code not in existing
    ]
    MediaTopic.objects.bulk_create(missing)
    return len(missing)
