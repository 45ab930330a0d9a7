"""Spend for cost per contact, from whichever app keeps the money.

The budgets app (when installed) registers a function ``spend(queue_ids, start, end)
→ Decimal | None`` here (with ``spend.by_queue`` answering for many queues in one go);
until one is registered, cost per contact is not shown.
"""

_SOURCES = []


def register_spend_source(source) -> None:
    _SOURCES.append(source)


def spend_for(queue_ids, start, end):
    for source in _SOURCES:
        value = source(queue_ids, start, end)
        if value is not None:
            return value
    return None


def spend_by_queue(queue_ids, start, end) -> dict:
    """``{queue id: spend or None}`` for a page of queues: one call of a source that
    can answer for many (``source.by_queue``), else one call per queue."""
    found = dict.fromkeys(queue_ids)
    for source in _SOURCES:
        missing = [q for q in queue_ids if found[q] is None]
        if not missing:
            break
        many = getattr(source, "by_queue", None)
        values = many(missing, start, end) if many else \
            {q: source([q], start, end) for q in missing}
        found.update({q: v for q, v in values.items() if v is not None})
    return found


def has_spend_source() -> bool:
    return bool(_SOURCES)
