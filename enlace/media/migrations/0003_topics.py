"""The first media topics (the communications unit edits them in the administration)."""

from django.db import migrations

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


def forward(apps, schema_editor):
    MediaTopic = apps.get_model("media", "MediaTopic")
    for order, (code, name) in enumerate(TOPICS, start=1):
        MediaTopic.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("media", "0002_postgres_search")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
