"""Trigram (pg_trgm) GIN indexes behind the lists' ``?search=``, PostgreSQL only.

``?search`` (DRF's SearchFilter, the list pages' search box) is ``icontains``, which
PostgreSQL runs as ``UPPER(column::text) LIKE UPPER('%word%')``: without an index that
reads every row. A GIN index with ``gin_trgm_ops`` on that very expression answers it
from the index. SQLite (development, tests) has no pg_trgm: the migration does nothing
there. A database where the extension cannot be created (no privilege) keeps working
unindexed, with a warning in the migration's output.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)


def trigram_indexes(table: str, indexes: dict[str, str]):
    """A migration operation: ``{index name: column}`` trigram indexes on ``table``."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # noqa: BLE001 - searching unindexed is slower, not wrong
            logger.warning("pg_trgm is not available (%s): ?search on %s stays unindexed",
                           exc, table)
            return
        for name, column in indexes.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)
