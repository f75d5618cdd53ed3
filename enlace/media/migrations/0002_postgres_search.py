"""Free text on PostgreSQL: a stored, generated tsvector column of the folded headline, summary
and outlet (`search_text`) in the cases' `enlace_es` configuration (unaccent, then Spanish
stemming; created by cases migration 0002), with a GIN index. Added by raw SQL because SQLite
has no tsvector, so the model does not declare it; enlace/media/queries.py reads it on
PostgreSQL only. SQLite searches the stored stems (`search_stems`) instead."""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE media_newsitem ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('enlace_es'::regconfig, COALESCE(search_text, '')))
        STORED
    """,
    "CREATE INDEX IF NOT EXISTS news_search_vector_idx ON media_newsitem USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS news_search_vector_idx",
    "ALTER TABLE media_newsitem DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("cases", "0002_postgres_search"),  # the enlace_es configuration
    ]
    operations = [migrations.RunPython(forward, backward)]
