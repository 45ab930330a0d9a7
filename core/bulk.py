"""Set-based writes the ORM makes slow.

Django's ``bulk_update`` writes ``SET col = CASE WHEN id = 1 THEN … WHEN id = 2 …`` and
builds an expression per row and column in Python: for a chunk of 100 SLA clocks ×
11 columns that is most of the chunk's time (bench/bench_sla_sweep.py). On PostgreSQL
:func:`bulk_update_rows` sends one ``UPDATE … FROM (VALUES …)`` instead, with each
value prepared by its field exactly as ``save()`` prepares it; elsewhere (SQLite in
development and tests) it is ``bulk_update``.

The inserts of a burst (clock events, notifications, timeline entries, history rows:
thousands per sweep) had the same problem one level down: ``bulk_create`` already
sends ``INSERT … SELECT * FROM unnest(…)`` on PostgreSQL, but builds it through the
compiler with ``pre_save`` and ``get_db_prep_save`` per field per row, and
``bulk_history_create`` first builds a historical model instance per row.
:func:`insert_rows` takes plain tuples, :func:`insert_objects` and
:func:`insert_history` read the instances the caller already has; all three send the
rows with one ``COPY … FROM STDIN`` (ids drawn first from the table's sequence when
the caller needs them), each value prepared cheaply for the common types and through
the field for the rest (free text still masks card numbers). Elsewhere they are
``bulk_create`` and ``bulk_history_create``.
"""

import contextlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models import CharField, DateField, Field, JSONField, TextField
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from .fields import _MasksCardNumbers
from .pci import redact_card_numbers


def bulk_update_rows(model, rows, fields) -> None:
    """``model.objects.bulk_update(rows, fields)`` in one statement per call:
    ``UPDATE … FROM unnest(%b::type[], …)``, one array per column."""
    rows = list(rows)
    if not rows:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(name) for name in fields)]
    if not _unnestable(columns, connection):
        model._default_manager.using(db).bulk_update(rows, fields)
        return
    arrays = [[prepare(getattr(row, field.attname)) for row in rows]
              for field, prepare in zip(columns, _preparers(columns, connection), strict=True)]
    quote = connection.ops.quote_name
    names = [quote(f"v_{field.column}") for field in columns]
    assignments = ", ".join(f"{quote(field.column)} = v.{name}"
                            for field, name in zip(columns[1:], names[1:], strict=True))
    table = quote(opts.db_table)
    # Identifiers come from the model's metadata; every value is a parameter.
    sql = (f"UPDATE {table} SET {assignments} "  # noqa: S608
           f"FROM unnest({_array_casts(columns, connection)}) AS v({', '.join(names)}) "
           f"WHERE {table}.{quote(opts.pk.column)} = v.{names[0]}")
    with _binding_cursor(connection) as cursor:
        cursor.execute(sql, arrays)


@contextlib.contextmanager
def _binding_cursor(connection):
    """A cursor that sends the parameters apart from the statement (server-side
    binding). Django's default psycopg cursor binds on the client: it quotes every
    value into the SQL text, which for a chunk's arrays was a third of the insert's
    Python time, and the text differed with every chunk. The cursor is wrapped as
    Django wraps its own (errors translated, queries logged and counted)."""
    if connection.settings_dict["OPTIONS"].get("server_side_binding") is True:
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    with connection._prepare_cursor(raw) as cursor:
        yield cursor


def _unnestable(fields, connection) -> bool:
    """PostgreSQL, and no column that is an array itself (unnest would flatten it)."""
    return connection.vendor == "postgresql" and not any(
        (field.db_type(connection) or "").endswith("]") for field in fields)


def _array_casts(fields, connection) -> str:
    # %b: each array goes in binary, 4-5 x cheaper for psycopg to build than its text
    # form (measured on 3,000 rows × 5 columns). varchar(50)[] would truncate
    # silently: the array types drop their length.
    return ", ".join(f"%b::{field.db_type(connection).split('(')[0]}[]" for field in fields)


_DJANGO_FIELDS = {"CharField": CharField, "TextField": TextField}


def _preparers(fields, connection, masked=False):
    return [_preparer(field, connection, masked) for field in fields]


# What a value of these field types may be sent as, unchanged, on PostgreSQL: psycopg
# adapts these Python types itself, and for them Django's get_db_prep_save returns the
# value as it is (aware datetimes: USE_TZ is on; timedelta: a native interval).
_PASS_THROUGH = {
    "AutoField": int, "BigAutoField": int, "SmallAutoField": int, "IntegerField": int,
    "BigIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int,
    "PositiveBigIntegerField": int, "PositiveSmallIntegerField": int, "CharField": str,
    "TextField": str, "BooleanField": bool, "DurationField": timedelta,
    "DateTimeField": datetime,
}


# What decides a value's database form: a field class that keeps all three of its
# Django base's (FSMField: a CharField with transitions) prepares values as it does.
_PREPARATION = ("get_db_prep_save", "get_db_prep_value", "get_prep_value")


def _prepares_as(field_class, base) -> bool:
    return all(getattr(field_class, name) is getattr(base, name) for name in _PREPARATION)


def _preparer(field, connection, masked=False):
    """value → database value for ``field``, as ``get_db_prep_save`` gives it, without
    its cost for the common types: a burst prepares tens of thousands of values, and
    the generic path (to_python, prep, adapt) was most of its Python time."""
    target = field.target_field if field.is_relation else field
    prepare = field.get_db_prep_save
    if type(target) is JSONField or (isinstance(target, JSONField)
                                     and _prepares_as(type(target), JSONField)):
        # What JSONField.get_db_prep_save returns for a value that is not an expression.
        adapt, encoder = connection.ops.adapt_json_value, target.encoder
        return lambda value: None if value is None else adapt(value, encoder)
    kind = _PASS_THROUGH.get(target.get_internal_type())
    if isinstance(target, _MasksCardNumbers) and kind is str:
        if masked:
            # Free text that pre_save has just masked (insert_objects): masking it
            # again would find nothing.
            return lambda value: value if value is None or type(value) is str else prepare(
                value, connection)
        # What its get_prep_value returns for a str: the text with card numbers masked,
        # each distinct text once per call (a burst repeats a clock's notice body).
        masked_texts = {}

        def mask(value):
            if value is None or type(value) is not str:
                return value if value is None else prepare(value, connection)
            found = masked_texts.get(value)
            if found is None:
                found = masked_texts[value] = redact_card_numbers(value)[0]
            return found

        return mask
    # A field that changes what it prepares, or a subclass with its own preparation,
    # takes the generic path for every value.
    base = _DJANGO_FIELDS.get(target.get_internal_type())
    plain = kind is not None and (type(target).__module__.startswith("django.db.models")
                                  or (base is not None and _prepares_as(type(target), base)))
    if not plain:
        return lambda value: None if value is None else prepare(value, connection)
    if kind is datetime:
        return lambda value: (value if value is None or (type(value) is datetime
                                                         and value.tzinfo is not None)
                              else prepare(value, connection))
    return lambda value: value if value is None or type(value) is kind else prepare(
        value, connection)


def _reader(field):
    """instance → the value ``bulk_create`` would write for ``field``: the attribute,
    or ``pre_save`` where the field computes it (auto_now, free-text masking)."""
    attname = field.attname
    overrides = type(field).pre_save is not Field.pre_save
    if isinstance(field, DateField) and not (field.auto_now or field.auto_now_add):
        overrides = False
    if overrides:
        return lambda obj: field.pre_save(obj, True)
    return lambda obj: getattr(obj, attname)


def insert_rows(model, fields, rows, *, returning=False, masked=False) -> list:
    """INSERT ``rows`` — tuples of values for ``fields`` (field names), in that order —
    without a model instance per row; returns the new primary keys in row order when
    ``returning``.

    On PostgreSQL: one ``COPY … FROM STDIN`` (and, with ``returning``, one statement
    drawing the ids from the table's sequence first), each value prepared as
    ``save()`` prepares it. Elsewhere
    (SQLite): ``bulk_create`` of instances built from the tuples. Fields left out get
    their defaults, as a model instance would; ``auto_now(_add)`` fields are stamped
    now, as ``pre_save`` stamps them. ``masked``: the free-text values have been
    through their field's ``pre_save`` already.
    """
    rows = list(rows)
    if not rows:
        return []
    db = router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    given = [opts.get_field(name) for name in fields]
    names = {field.attname for field in given} | {field.name for field in given}
    missing = [field for field in opts.concrete_fields
               if field.attname not in names and not field.primary_key]
    if missing:
        extra = [_filler(field) for field in missing]
        rows = [(*row, *(fill() for fill in extra)) for row in rows]
        given += missing
    if not _unnestable(given, connection):
        attnames = [field.attname for field in given]
        objs = model._default_manager.using(db).bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows])
        return [obj.pk for obj in objs]
    prepares = _preparers(given, connection, masked)
    columns = [[prepare(value) for value in column]
               for prepare, column in zip(prepares, zip(*rows, strict=True), strict=True)]
    ids = _reserve_ids(connection, opts, len(rows)) if returning else None
    if ids is not None:
        given, columns = [opts.pk, *given], [ids, *columns]
    _copy_in(connection, opts.db_table, given, columns)
    return ids or []


def _reserve_ids(connection, opts, count) -> list:
    """``count`` fresh primary keys from the table's own sequence, in one statement:
    COPY cannot return the ids it writes, so they are drawn first and written with
    the rows (unique across sessions, as the column's default would give them)."""
    quote = connection.ops.quote_name
    with _binding_cursor(connection) as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                       "FROM generate_series(1, %s)",
                       [quote(opts.db_table), opts.pk.column, count])
        return [row[0] for row in cursor.fetchall()]


def _copy_in(connection, table, fields, columns) -> None:
    """One ``COPY table (columns) FROM STDIN`` of the prepared column values: about 4×
    cheaper than binding them as arrays (psycopg builds an array value by value in
    Python; COPY writes rows in C). Run through Django's execute wrappers, so it is
    counted and instrumented as a statement."""
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata; the values travel as COPY data.
    sql = (f"COPY {quote(table)} ({', '.join(quote(field.column) for field in fields)}) "
           "FROM STDIN")

    def copy(sql, params, many, context):
        # As Django's own execute: psycopg's errors become django.db's (IntegrityError).
        with connection.wrap_database_errors, context["cursor"].cursor.copy(sql) as stream:
            for row in zip(*columns, strict=True):
                stream.write_row(row)

    with connection.cursor() as cursor:
        cursor._execute_with_wrappers(sql, None, False, copy)


def _filler(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now
    if field.has_default() and callable(field.default):
        return field.default
    value = field.get_default()
    return lambda: value


def insert_objects(model, objs) -> list:
    """``model.objects.bulk_create(objs)`` for unsaved instances, through
    :func:`insert_rows`: the same values (``pre_save`` where a field computes one),
    the primary keys set on the instances, which then count as saved."""
    objs = list(objs)
    if not objs:
        return objs
    db = router.db_for_write(model)
    opts = model._meta
    if (not _unnestable(opts.concrete_fields, connections[db])
            or any(obj.pk is not None for obj in objs)
            or any(field.db_returning for field in opts.concrete_fields
                   if not field.primary_key)):
        # SQLite, array columns, ids chosen by the caller, columns the database fills.
        return model._default_manager.using(db).bulk_create(objs)
    for obj in objs:
        # As bulk_create: refuse an unsaved related object, take its id if it has one.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields = [field for field in opts.concrete_fields if not field.primary_key]
    readers = [_reader(field) for field in fields]
    pks = insert_rows(model, [field.name for field in fields],
                      [tuple(read(obj) for read in readers) for obj in objs], returning=True,
                      masked=True)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, db
    return objs


def insert_history(model, objs, *, update=False, default_user=None) -> None:
    """``model.history.bulk_history_create(objs, update=…, default_user=…)`` without a
    historical instance per row: each row's user (``_history_user``, else
    ``default_user``), reason (``_change_reason``) and date (``_history_date``, else
    now, read per row as simple-history does) are the same."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not objs:
        return
    history = model.history.model
    tracked = {field.attname for field in history.tracked_fields}
    columns = [field for field in history._meta.concrete_fields if not field.primary_key]
    known = {*tracked, "history_date", "history_user_id", "history_change_reason",
             "history_type"}
    if (not _unnestable(columns, connections[router.db_for_write(history)])
            or any(field.attname not in known for field in columns)):
        # SQLite, array columns, or extra columns (custom attrs, a relation).
        model.history.bulk_history_create(objs, update=update, default_user=default_user)
        return
    history_type = "~" if update else "+"
    rows = []
    for obj in objs:
        user = (obj._history_user if hasattr(obj, "_history_user")
                else default_user or history.get_default_history_user(obj))
        meta = {"history_date": (obj._history_date if hasattr(obj, "_history_date")
                                 else timezone.now()),
                "history_user_id": user.pk if user is not None else None,
                "history_change_reason": get_change_reason_from_object(obj) or "",
                "history_type": history_type}
        rows.append(tuple(getattr(obj, field.attname) if field.attname in tracked
                          else meta[field.attname] for field in columns))
    insert_rows(history, [field.attname for field in columns], rows)
