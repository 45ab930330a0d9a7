"""Large interval files, imported by a Celery task with its progress on the import row.

A file over ``settings.KPI_IMPORT_SYNC_MAX_BYTES`` would hold the request for many
seconds, so the upload is stored (Django storage) with an :class:`IntervalImport`
row in state ``queued`` and ``kpis.tasks.run_import`` does the work:

1. **claim** the row (compare-and-set ``queued → validating``, like report packs),
2. **validate** every row, moving ``rows_validated`` as it goes; one bad row refuses
   the file (``refused``, every bad row kept: row, column, why) and nothing is written,
3. **write** every interval in **one transaction** (``writing``), moving
   ``rows_written`` after each chunk, then ``imported``.

The row is the truth. Each progress update also pushes ``lease_until`` forward; a
worker that dies stops pushing it, and ``kpis.tasks.sweep_imports`` (core/due_rows.py)
queues the import again once the lease has passed. A killed write is rolled back
with its transaction, so an import is never half-written, and the final
compare-and-set (still ``writing``, same attempt) means a worker that lost its lease
cannot commit over the one that took over.

Progress while writing is reported through a second database connection: the
write transaction's own updates are invisible until it commits. SQLite allows one
writer at a time, so there the write phase reports only when it is done.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.transitions import lock
from core.why_not import require_perm

from . import services
from .choices import OPEN_IMPORT_OUTCOMES, ImportOutcome
from .models import ImportSource, IntervalImport

logger = logging.getLogger(__name__)

# Longer than any import takes between two progress updates (a 100,000-row file
# validates in seconds); a worker silent this long is taken to be dead.
IMPORT_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
# A worker has it. A stale worker's updates match only while its attempt still runs:
# once the sweep queued the import again, they change nothing.
RUNNING = (ImportOutcome.VALIDATING, ImportOutcome.WRITING)


def runs_as_task(size: int) -> bool:
    """Whether a file of ``size`` bytes is imported by the task (not during the request)."""
    return size > settings.KPI_IMPORT_SYNC_MAX_BYTES


@transaction.atomic
def import_queue(*, by, upload, source: ImportSource | None = None, format=None,
                 interval_minutes=None, time_zone=None) -> IntervalImport:
    """Store the file and queue its import; the task runs after commit. The mapping
    is checked now (a ValidationError names the field) and kept on the row."""
    from .tasks import run_import

    require_perm(by, "kpis.import_intervals", message="Your role does not import interval data.")
    parameters = services.import_parameters(source=source, format=format,
                                            interval_minutes=interval_minutes,
                                            time_zone=time_zone)
    now = timezone.now()
    name = (upload.name or "upload.csv")[-200:]
    record = IntervalImport(by=by, at=now, outcome=ImportOutcome.QUEUED, source=source,
                            format=parameters["format"], file_name=name[:255],
                            parameters=parameters, lease_until=now + IMPORT_LEASE)
    upload.seek(0)
    record.upload.save(_safe_name(name), ContentFile(upload.read()), save=False)
    save_with_audit(record, by=by, reason="Interval import queued")
    transaction.on_commit(lambda: run_import.delay(record.pk))
    return record


def _safe_name(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
    return stem.lstrip(".") or "upload.csv"


def import_claim(import_id: int) -> int | None:
    """Take a queued import (compare-and-set). Returns the attempt number, or None
    when another worker has it or it is finished."""
    now = timezone.now()
    with transaction.atomic():
        claimed = IntervalImport.objects.filter(
            pk=import_id, outcome=ImportOutcome.QUEUED).update(
            outcome=ImportOutcome.VALIDATING, attempts=F("attempts") + 1, rows_validated=0,
            rows_written=0, lease_until=now + IMPORT_LEASE, failure="")
        if not claimed:
            return None
        return IntervalImport.objects.values_list("attempts", flat=True).get(pk=import_id)


def _reporter(import_id: int, attempt: int, column: str, *, side_connection=None):
    """``report(n)``: set ``column`` to n and push the lease, for this attempt only."""

    def report(done: int):
        now = timezone.now()
        if side_connection is None:
            IntervalImport.objects.filter(pk=import_id, attempts=attempt,
                                          outcome__in=RUNNING).update(
                **{column: done, "lease_until": now + IMPORT_LEASE})
            return
        with side_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {IntervalImport._meta.db_table} SET {column} = %s, "  # noqa: S608
                "lease_until = %s WHERE id = %s AND attempts = %s AND outcome IN (%s, %s)",
                [done, now + IMPORT_LEASE, import_id, attempt, *RUNNING])

    return report


def import_run(import_id: int) -> IntervalImport | None:
    """The task's work: validate, then write in one transaction (see the module)."""
    attempt = import_claim(import_id)
    if attempt is None:
        return None
    record = IntervalImport.objects.select_related("by", "source").get(pk=import_id)
    try:
        with record.upload.open("rb") as handle:
            content = handle.read()
        headers, rows = services.read_file(content, record.file_name)
        IntervalImport.objects.filter(pk=import_id, attempts=attempt,
                                      outcome__in=RUNNING).update(rows=len(rows))
        parsed, errors = services.validate_rows(
            rows, headers, record.parameters,
            progress=_reporter(import_id, attempt, "rows_validated"))
    except ValidationError as exc:  # the file as a whole cannot be read
        messages = [m for ms in exc.message_dict.values() for m in ms]
        return _refuse(import_id, attempt, [{"row": 1, "column": "file",
                                             "message": " ".join(messages)}])
    except Exception as exc:  # noqa: BLE001 - recorded on the row, traceback in the log
        logger.exception("Interval import %s failed", import_id)
        return import_fail(import_id, attempt, f"{type(exc).__name__}: {exc}")
    if errors:
        return _refuse(import_id, attempt, [e.as_dict() for e in errors])
    if not IntervalImport.objects.filter(pk=import_id, attempts=attempt,
                                         outcome=ImportOutcome.VALIDATING).update(
            outcome=ImportOutcome.WRITING, rows_validated=len(rows),
            lease_until=timezone.now() + IMPORT_LEASE):
        return IntervalImport.objects.get(pk=import_id)  # taken over meanwhile
    try:
        return _write_all(record, attempt, parsed)
    except Exception as exc:  # noqa: BLE001 - rolled back; recorded on the row
        logger.exception("Interval import %s failed while writing", import_id)
        return import_fail(import_id, attempt, f"{type(exc).__name__}: {exc}")


class _LostLease(Exception):
    """Another attempt owns the import now: roll this one's writes back."""


def _write_all(record, attempt, parsed):
    side = _side_connection()
    try:
        with transaction.atomic():
            services.lock_queues(parsed)
            existing = services._existing(parsed)
            replaced = sum((p.queue_id, p.start) in existing for p in parsed)
            progress = _reporter(record.pk, attempt, "rows_written", side_connection=side) \
                if side is not None else None
            services._write(parsed, existing, record=record, by=record.by, progress=progress)
            current = lock(IntervalImport, record.pk)
            if current.outcome != ImportOutcome.WRITING or current.attempts != attempt:
                raise _LostLease
            current.outcome = ImportOutcome.IMPORTED
            current.rows = current.rows_validated = current.rows_written = len(parsed)
            current.created, current.replaced = len(parsed) - replaced, replaced
            current.lease_until, current.finished_at = None, timezone.now()
            save_with_audit(current, by=record.by, reason="Interval load imported")
    except _LostLease:
        return IntervalImport.objects.get(pk=record.pk)
    finally:
        if side is not None:
            side.close()
    return current


def _side_connection():
    """A second connection to the same database for progress while the write
    transaction is open (PostgreSQL only: SQLite has a single writer)."""
    if connection.vendor != "postgresql":
        return None
    side = connections.create_connection("default")
    side.set_autocommit(True)
    return side


def _refuse(import_id, attempt, errors) -> IntervalImport:
    with transaction.atomic():
        record = lock(IntervalImport, import_id)
        if record.attempts != attempt or record.outcome not in RUNNING:
            return record  # queued again meanwhile: the next attempt decides
        record.outcome = ImportOutcome.REFUSED
        record.errors = errors[:services.MAX_KEPT_ERRORS]
        record.lease_until, record.finished_at = None, timezone.now()
        save_with_audit(record, by=record.by, reason="Interval load refused")
    return record


def import_fail(import_id, attempt, failure: str) -> IntervalImport:
    with transaction.atomic():
        record = lock(IntervalImport, import_id)
        if record.attempts != attempt or record.outcome not in RUNNING:
            return record  # queued again meanwhile: the next attempt decides
        record.outcome, record.failure = ImportOutcome.FAILED, failure[:2000]
        record.rows_written = 0  # rolled back
        record.lease_until, record.finished_at = None, timezone.now()
        save_with_audit(record, by=record.by, reason="Interval load failed")
    return record


def import_requeue_stale(record: IntervalImport, now: datetime) -> str:
    """Sweep handler: an import whose lease passed (its worker died, or the broker lost
    the message) is queued again from the start — its writes, if any had begun, were
    rolled back with the dead worker's transaction — or failed after ``MAX_ATTEMPTS``."""
    from .tasks import run_import

    if record.outcome not in OPEN_IMPORT_OUTCOMES:
        record.lease_until = None
        record.save(update_fields=["lease_until"])
        return "cleared"
    if record.attempts >= MAX_ATTEMPTS:
        record.outcome, record.failure = ImportOutcome.FAILED, (
            f"Gave up after {record.attempts} attempts (the worker stopped each time).")
        record.lease_until, record.finished_at = None, now
        save_with_audit(record, by=system_user(), reason="Gave up")
        return "failed"
    record.outcome = ImportOutcome.QUEUED
    record.rows_validated = record.rows_written = 0
    record.lease_until = now + IMPORT_LEASE
    save_with_audit(record, by=system_user(), reason="Re-queued after its lease passed")
    transaction.on_commit(lambda: run_import.delay(record.pk))
    return "requeued"
