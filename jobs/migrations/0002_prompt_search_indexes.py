"""Full-text indexes for prompt search, on PostgreSQL only (SQLite searches with LIKE).

The expressions match what `SearchVector(<field>, config="english")` generates, so the library's
search (studio/library.py) can use them.
"""

from django.db import migrations

INDEXES = {
    "job_prompt_fts": "jobs_job",
    "image_revised_prompt_fts": "jobs_image",
}
COLUMNS = {"job_prompt_fts": "prompt", "image_revised_prompt_fts": "revised_prompt"}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('english'::regconfig, COALESCE({COLUMNS[name]}, '')))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
