"""Writing many intervals and their history rows fast on PostgreSQL: ``COPY``.

Django's ``bulk_create`` prepares every value of every row in Python (24 columns ×
100,000 intervals, then as many history rows): most of a 100,000-row import's time.
PostgreSQL's ``COPY … FROM STDIN`` (psycopg 3's ``cursor.copy``) takes the rows as
they are. New intervals get their ids from the table's sequence first, so their
history rows can name them; replaced ones are copied into a temporary table and
updated from it in one statement. Everything runs on the load's connection, inside
its transaction: a failure rolls all of it back.

Other databases (SQLite in development and tests) use the ORM (``kpis/services.py``).
"""

from django.db import connection
from django.utils import timezone

from .models import COUNT_FIELDS, IntervalStat

VALUE_COLUMNS = ("queue_id", "start", "length_minutes", "imported_by_id", *COUNT_FIELDS)


def available() -> bool:
    return connection.vendor == "postgresql"


def _quote(name):
    return connection.ops.quote_name(name)


def _copy(cursor, table, columns, rows):
    with cursor.cursor.copy(
            f"COPY {_quote(table)} ({', '.join(_quote(c) for c in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _values(parsed, record_id):
    return [(p.queue_id, p.start, p.length_minutes, record_id,
             *(p.counts[name] for name in COUNT_FIELDS)) for p in parsed]


def write(parsed, existing: dict, *, record, by, reason: str) -> None:
    """Create the new intervals and replace the held ones (``existing``: (queue id,
    start) → id), each with a history row (``+`` created, ``~`` replaced) saying who
    and why."""
    table = IntervalStat._meta.db_table
    history_table = IntervalStat.history.model._meta.db_table
    new = [p for p in parsed if (p.queue_id, p.start) not in existing]
    changed = [p for p in parsed if (p.queue_id, p.start) in existing]
    now = timezone.now()
    history_columns = ("id", *VALUE_COLUMNS, "history_date", "history_change_reason",
                       "history_type", "history_user_id")
    with connection.cursor() as cursor:
        ids = []
        if new:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, len(new)])
            ids = [row[0] for row in cursor.fetchall()]
            _copy(cursor, table, ("id", *VALUE_COLUMNS),
                  [(pk, *values) for pk, values in zip(ids, _values(new, record.pk),
                                                       strict=True)])
        changed_ids = [existing[(p.queue_id, p.start)] for p in changed]
        if changed:
            cursor.execute(f"CREATE TEMPORARY TABLE kpis_replacement (LIKE {_quote(table)}) "
                           "ON COMMIT DROP")
            _copy(cursor, "kpis_replacement", ("id", *VALUE_COLUMNS),
                  [(pk, *values) for pk, values in zip(changed_ids,
                                                       _values(changed, record.pk),
                                                       strict=True)])
            updated = [c for c in VALUE_COLUMNS if c not in ("queue_id", "start")]
            assignments = ", ".join(f"{_quote(c)} = r.{_quote(c)}" for c in updated)
            cursor.execute(f"UPDATE {_quote(table)} AS t SET {assignments} "  # noqa: S608
                           "FROM kpis_replacement AS r WHERE t.id = r.id")
            cursor.execute("DROP TABLE kpis_replacement")
        history = [(pk, *values, now, reason, "+", by.pk)
                   for pk, values in zip(ids, _values(new, record.pk), strict=True)]
        history += [(pk, *values, now, reason, "~", by.pk)
                    for pk, values in zip(changed_ids, _values(changed, record.pk),
                                          strict=True)]
        _copy(cursor, history_table, history_columns, history)
