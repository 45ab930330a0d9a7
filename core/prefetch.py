"""Load several foreign keys to the same table in one query.

``prefetch_related`` costs one query per relation and ``select_related`` one join per
relation. An object with five user foreign keys (an incident's declarer, commander,
communications lead, scribe and vendor liaison) is either five extra queries or a
join PostgreSQL spends far longer *planning* than running: 120–190 ms to plan the
incident list's eight-way join against ~1 ms to run it (bench/README.md, issue 20).
``prefetch_foreign_keys`` reads the rows behind all of them with one ``IN`` query and
fills each relation's cache, so ``incident.commander`` then reads no more.
"""


def prefetch_foreign_keys(objects, *names):
    """Fill the foreign keys ``names`` (all to the same model) of ``objects`` with one
    query; returns ``objects``. A key that is NULL is cached as ``None``."""
    objects = list(objects)
    if not objects or not names:
        return objects
    meta = objects[0]._meta
    fields = [meta.get_field(name) for name in names]
    related = {field.related_model for field in fields}
    if len(related) != 1:
        raise ValueError(f"{names} point at more than one model: {related}")
    ids = {getattr(obj, field.attname) for obj in objects for field in fields} - {None}
    found = related.pop()._default_manager.in_bulk(ids) if ids else {}
    for obj in objects:
        for field in fields:
            field.set_cached_value(obj, found.get(getattr(obj, field.attname)))
    return objects
