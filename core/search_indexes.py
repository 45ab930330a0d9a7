"""Trigram indexes for text search, as a migration operation that does nothing on
SQLite.

Django's ``icontains`` compares ``UPPER("column"::text) LIKE UPPER('%text%')`` on
PostgreSQL, so the index is a GIN trigram index on that very expression; a plain
index on the column would never be used for a substring search. Created
``CONCURRENTLY``-free (migrations run in a transaction); on a large existing table,
create them by hand first with ``CREATE INDEX CONCURRENTLY`` and the same names —
``IF NOT EXISTS`` then skips them.
"""

from django.db import migrations


def trigram_indexes(table: str, indexes: dict[str, str]):
    """``{index name: column}`` on ``table``: a RunPython for a migration's operations
    (after ``TrigramExtension()``)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, column in indexes.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
