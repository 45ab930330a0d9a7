"""One way to work through rows whose deadline column has passed.

Every deadline in Switchboard is a column on a row (an SLA clock's
``next_action_at``, a tier change's ``next_notify_at``, a notification's
``email_next_attempt_at``…), indexed on the rows that have one, and found by a
periodic sweep — never only by a delayed broker message that a dead worker or a
flushed broker would lose. Two shapes cover every sweep:

:func:`sweep_due` — *work inside the lock.* Due rows are read in pages through the
index (a cursor on ``(due, id)``, so rows that keep failing never hide the healthy
ones behind them), then each chunk is re-read ``SELECT … FOR UPDATE SKIP LOCKED``
*with the re-check that it is still due*: a row another sweeper holds is skipped, a
row it finished is no longer due. Each row is handled in its own savepoint inside
the chunk's transaction, so a failure rolls back that row alone (it stays due for
the next sweep) and the chunk commits once. Handlers move the due column forward
(or clear it); unique constraints on what they record make a double firing
impossible even if this logic were wrong. Use it when the work is database writes.

:func:`claim_due` — *work outside the lock.* For slow I/O (SMTP, an outbound HTTP
call) row locks must not be held: rows are claimed by pushing the due column a
*lease* ahead in a short transaction, then worked on without a transaction. A
worker that dies mid-way leaves its rows due again when the lease ends — delivered
late, never dropped.

SQLite has no row locks; Switchboard opens SQLite transactions as IMMEDIATE, which
serialises the sweepers instead, and the same re-check keeps the result right.
"""

import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q

logger = logging.getLogger(__name__)


def _due(queryset, due_field, now):
    return queryset.filter(**{f"{due_field}__lte": now})


def _lockable(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def due_page(queryset, *, due_field: str, now: datetime, limit: int, after=None):
    """``(due, id)`` pairs of due rows, most overdue first, after the cursor ``after``."""
    query = _due(queryset, due_field, now)
    if after is not None:
        at, pk = after
        query = query.filter(Q(**{f"{due_field}__gt": at}) | Q(**{due_field: at, "pk__gt": pk}))
    return list(query.order_by(due_field, "pk").values_list(due_field, "pk")[:limit])


def sweep_due(queryset: models.QuerySet, *, due_field: str, now: datetime,
              handle: Callable[[models.Model], Iterable[str] | str | None],
              batch_size: int = 500, chunk_size: int = 100, name: str = "sweep",
              handle_chunk: Callable[[list], Counter] | None = None,
              chunk_context: Callable[[], Any] | None = None) -> Counter:
    """Handle every row of ``queryset`` whose ``due_field`` is at or before ``now``.

    ``handle(row)`` runs on the locked row inside a savepoint and returns what it did
    (a label or several) for the totals; it must move ``due_field`` past ``now`` or
    clear it. Returns a Counter with the handlers' labels, ``rows`` handled,
    ``skipped`` (held by another sweeper, done meanwhile, or refused by a unique
    constraint) and ``failed``.

    ``handle_chunk(rows)``, when given, handles a whole locked chunk set-based (bulk
    inserts, one bulk update) in one savepoint and returns the chunk's Counter of
    labels. If it raises — a unique constraint refusing a second firing, one broken
    row — that savepoint rolls back and the chunk is handled again row by row with
    ``handle``, so the failure stays confined to its row exactly as before.
    ``chunk_context()`` wraps each chunk's work inside its transaction (e.g. to
    queue one email task per chunk).
    """
    totals = Counter()
    after = None
    while True:
        page = due_page(queryset, due_field=due_field, now=now, limit=batch_size, after=after)
        if not page:
            return totals
        after = page[-1]
        ids = [pk for _, pk in page]
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start:start + chunk_size]
            with transaction.atomic(), (chunk_context or contextlib.nullcontext)():
                rows = list(_lockable(_due(queryset, due_field, now).filter(pk__in=chunk))
                            .order_by(due_field, "pk"))
                totals["skipped"] += len(chunk) - len(rows)
                if handle_chunk is not None and rows:
                    try:
                        with transaction.atomic():
                            done = handle_chunk(rows)
                    except Exception:
                        logger.warning("%s: chunk of %s rows failed set-based; handling it "
                                       "row by row", name, len(rows), exc_info=True)
                        # The savepoint rolled back; the rows' in-memory changes did not.
                        rows = list(queryset.filter(pk__in=[row.pk for row in rows])
                                    .order_by(due_field, "pk"))
                    else:
                        totals.update(done)
                        continue
                for row in rows:
                    try:
                        with transaction.atomic():
                            done = handle(row)
                    except IntegrityError:
                        # A unique constraint refused a second firing: someone else won.
                        totals["skipped"] += 1
                        continue
                    except Exception:
                        # One broken row must not stop the others; it stays due.
                        logger.exception("%s failed on %s %s", name,
                                         row._meta.label, row.pk)
                        totals["failed"] += 1
                        continue
                    totals["rows"] += 1
                    for label in ([done] if isinstance(done, str) else done or ()):
                        totals[label] += 1


def claim_due(queryset: models.QuerySet, *, due_field: str, now: datetime, limit: int,
              lease: timedelta) -> list[int]:
    """Claim up to ``limit`` due rows for ``lease``: their ``due_field`` moves to
    ``now + lease`` so no other sweeper takes them meanwhile. Returns their ids."""
    with transaction.atomic():
        claimed = list(_lockable(_due(queryset, due_field, now))
                       .order_by(due_field, "pk").values_list("pk", flat=True)[:limit])
        queryset.model._default_manager.filter(pk__in=claimed).update(
            **{due_field: now + lease})
    return claimed
