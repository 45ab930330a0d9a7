"""Set-based writes the ORM makes slow.

Django's ``bulk_update`` writes ``SET col = CASE WHEN id = 1 THEN … WHEN id = 2 …`` and
builds an expression per row and column in Python: for a chunk of 100 SLA clocks ×
11 columns that is most of the chunk's time (bench/bench_sla_sweep.py). On PostgreSQL
:func:`bulk_update_rows` sends one ``UPDATE … FROM (VALUES …)`` instead, with each
value prepared by its field exactly as ``save()`` prepares it; elsewhere (SQLite in
development and tests) it is ``bulk_update``.
"""

from django.db import connections, router


def bulk_update_rows(model, rows, fields) -> None:
    """``model.objects.bulk_update(rows, fields)`` in one statement per call."""
    rows = list(rows)
    if not rows:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql":
        model._default_manager.using(db).bulk_update(rows, fields)
        return
    opts = model._meta
    pk = opts.pk
    columns = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    casts = [f"%s::{pk.db_type(connection)}",
             *(f"%s::{field.db_type(connection)}" for field in columns)]
    row_sql = "(" + ", ".join(casts) + ")"
    params = []
    for row in rows:
        params.append(pk.get_db_prep_save(row.pk, connection))
        params += [field.get_db_prep_save(getattr(row, field.attname), connection)
                   for field in columns]
    names = ", ".join(quote(f"v_{field.column}") for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(f'v_{field.column}')}"
                            for field in columns)
    table = quote(opts.db_table)
    # Identifiers come from the model's metadata; every value is a parameter.
    sql = (f"UPDATE {table} SET {assignments} FROM (VALUES "  # noqa: S608
           + ", ".join([row_sql] * len(rows))
           + f") AS v(v_pk, {names}) WHERE {table}.{quote(pk.column)} = v.v_pk")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
