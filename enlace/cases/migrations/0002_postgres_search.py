"""Free-text search on PostgreSQL: a Spanish text-search configuration that also ignores accents
(unaccent), and a GIN index on the folded text. The embedded SQLite default has neither and scans
the folded text instead (enlace/cases/queries.py)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'enlace_es') THEN
            CREATE TEXT SEARCH CONFIGURATION enlace_es (COPY = pg_catalog.spanish);
            ALTER TEXT SEARCH CONFIGURATION enlace_es
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
        END IF;
    END $$
    """,
    # The expression must be the one Django writes for SearchVector("search_text",
    # config="enlace_es"), so that the planner can serve the filter from this index.
    """
    CREATE INDEX IF NOT EXISTS case_search_gin_idx ON cases_case
        USING gin (to_tsvector('enlace_es'::regconfig, COALESCE(search_text, '')))
    """,
]
BACKWARD = ["DROP INDEX IF EXISTS case_search_gin_idx"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
