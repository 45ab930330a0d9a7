"""Spend for cost per contact, from whichever app keeps the money.

The budgets app (when installed) registers a function ``spend(queue_ids, start, end)
→ Decimal | None`` here; until one is registered, cost per contact is not shown.
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


def has_spend_source() -> bool:
    return bool(_SOURCES)
