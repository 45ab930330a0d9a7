"""Human references for numbered objects: ``INC-2026-0042``, ``ESC-2026-0107``.

One allocator for every numbered object (incidents, escalations, and whatever is
numbered next), safe under any concurrency: :func:`allocate_reference` takes the
next number from a counter row locked in the caller's transaction.
"""

from django.db import transaction

from .models import ReferenceCounter


def _highest_in_use(queryset, field, series):
    """The largest number already used in ``series`` (a series started before the
    counter existed, or by imported rows), compared as numbers — ``-10000`` sorts
    before ``-9999`` as text."""
    prefix = f"{series}-"
    numbers = (value[len(prefix):]
               for value in queryset.filter(**{f"{field}__startswith": prefix})
               .values_list(field, flat=True).iterator())
    return max((int(n) for n in numbers if n.isascii() and n.isdigit()), default=0)


def allocate_reference(queryset, *, prefix: str, year: int, field: str = "reference",
                       digits: int = 4) -> str:
    """The next free reference ``{prefix}-{year}-{n:0digits}`` for rows of ``queryset``.

    Must run inside the transaction that saves the new row: the counter stays locked
    until it commits, so no two transactions get the same number.
    """
    series = f"{prefix}-{year}"
    with transaction.atomic():
        if not ReferenceCounter.objects.filter(series=series).exists():
            # First use of the series: start after anything already numbered in it.
            # Two first uses at once: one insert wins, the other is ignored.
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(series=series,
                                  last_number=_highest_in_use(queryset, field, series))],
                ignore_conflicts=True,
            )
        counter = ReferenceCounter.objects.select_for_update().get(series=series)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"{series}-{counter.last_number:0{digits}d}"
