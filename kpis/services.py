"""KPI use cases: queues, and loading interval data (file import or API push).

Loading is **all or nothing**: every row is validated first (``kpis/importing.py``)
and one bad row refuses the whole load, naming every bad row. A load that passes is
written in one transaction; an interval already held for the same queue and start is
**replaced** (so re-importing a file is idempotent), and each created or replaced row
gets a history row saying which import wrote it. Every load, taken or refused, leaves
an :class:`~kpis.models.IntervalImport` record.
"""

from dataclasses import dataclass
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import save_with_audit
from core.exceptions import DomainError
from core.hooks import announce_interval_data

from . import importing
from .choices import ImportFormat, ImportOutcome
from .models import COUNT_FIELDS, ImportSource, IntervalImport, IntervalStat, Queue

QUEUE_FIELDS = ["name", "import_name", "channel", "site", "vendor", "calendar",
                "threshold_seconds", "target_percent", "short_abandon_seconds",
                "abandon_treatment", "callbacks_in_offered", "short_abandons_in_abandon_rate",
                "active", "notes"]
MAX_PUSH = 10_000
BATCH = 2_000


class ImportRefused(DomainError):
    """The load was refused; ``rows`` lists every bad row (row, column, message)."""

    code = "import_refused"

    def __init__(self, message, *, rows, record=None):
        self.rows = [r.as_dict() if hasattr(r, "as_dict") else r for r in rows]
        self.record = record
        errors = {}
        for r in self.rows:
            errors.setdefault(f"row {r['row']}: {r['column']}", []).append(r["message"])
        super().__init__(message, errors=errors)

    def extra(self):
        return {"rows": self.rows}


def _require(by, perm, message):
    if not by.has_perm(perm):
        raise PermissionDenied(message)


# --- Queues ---------------------------------------------------------------------------


@transaction.atomic
def queue_create(*, by, reason="Queue created", **fields) -> Queue:
    """Create a queue (managers and vendor managers)."""
    _require(by, "kpis.manage_queue", "Your role does not manage queues.")
    queue = Queue(**{k: v for k, v in fields.items() if k in QUEUE_FIELDS})
    queue.full_clean()
    save_with_audit(queue, by=by, reason=reason)
    return queue


@transaction.atomic
def queue_update(*, queue, by, reason="Queue settings changed", **fields) -> Queue:
    """Change a queue's settings; the history says who and why."""
    _require(by, "kpis.manage_queue", "Your role does not manage queues.")
    queue = Queue.objects.select_for_update().get(pk=queue.pk)
    for name, value in fields.items():
        if name in QUEUE_FIELDS:
            setattr(queue, name, value)
    queue.full_clean()
    save_with_audit(queue, by=by, reason=reason)
    return queue


@transaction.atomic
def queue_delete(*, queue, by):
    _require(by, "kpis.manage_queue", "Your role does not manage queues.")
    queue.delete()


@transaction.atomic
def source_save(*, by, source=None, **fields) -> ImportSource:
    """Create or change a saved column mapping."""
    _require(by, "kpis.import_intervals", "Your role does not import interval data.")
    source = source or ImportSource()
    for name in ("name", "format", "interval_minutes", "time_zone", "columns", "notes"):
        if name in fields:
            setattr(source, name, fields[name])
    columns = source.columns or {}
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ValidationError({"columns": "A mapping of field names to column headers."})
    unknown = set(columns) - set(importing.PRESETS.get(source.format, importing.GENERIC))
    if unknown:
        raise ValidationError({"columns": f"Unknown fields: {', '.join(sorted(unknown))}."})
    source.full_clean()
    save_with_audit(source, by=by, reason="Import mapping saved")
    return source


# --- Loading intervals ----------------------------------------------------------------


@dataclass
class LoadResult:
    rows: int
    created: int
    replaced: int
    record: IntervalImport | None  # None for a preview
    preview: list  # the first parsed rows (for the preview table)


def queue_lookup() -> dict:
    """Lower-cased queue names, export names and ids → queue id."""
    lookup = {}
    for pk, name, import_name in Queue.objects.values_list("pk", "name", "import_name"):
        lookup[name.strip().lower()] = pk
        if import_name:
            lookup[import_name.strip().lower()] = pk
        lookup.setdefault(str(pk), pk)
    return lookup


def _record(*, by, at, outcome, source, format, file_name, rows, created=0, replaced=0,
            errors=()):
    record = IntervalImport(by=by, at=at, outcome=outcome, source=source, format=format,
                            file_name=(file_name or "")[:255], rows=rows, created=created,
                            replaced=replaced, errors=[e.as_dict() for e in errors][:1000])
    save_with_audit(record, by=by, reason=f"Interval load {outcome}")
    return record


def intervals_import(*, by, content: bytes, file_name: str, source: ImportSource | None = None,
                     format: str | None = None, interval_minutes: int | None = None,
                     time_zone: str | None = None, dry_run: bool = False) -> LoadResult:
    """Import a CSV or XLSX export. ``dry_run``: validate and count, write nothing
    (the preview). Raises :class:`ImportRefused` naming every bad row."""
    _require(by, "kpis.import_intervals", "Your role does not import interval data.")
    format = format or (source.format if source else ImportFormat.GENERIC)
    if format not in importing.PRESETS:
        raise ValidationError({"format": f"Unknown format {format!r}."})
    interval_minutes = int(interval_minutes or (source.interval_minutes if source else 30))
    zone_name = time_zone or (source.time_zone if source else "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError) as exc:
        raise ValidationError({"time_zone": f"Unknown time zone {zone_name!r}."}) from exc
    mapping = importing.mapping_for(format, source.columns if source else None)
    try:
        headers, rows = importing.read_table(content, file_name)
    except importing.TableError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return _load(by=by, rows=rows, headers=headers, mapping=mapping, source=source,
                 format=format, file_name=file_name, interval_minutes=interval_minutes,
                 zone=zone, dry_run=dry_run)


def intervals_push(*, by, intervals: list[dict], dry_run: bool = False) -> LoadResult:
    """The API's batch push: a list of ``{queue, start, length_minutes, <counts>}``
    (queue by id or name, start ISO 8601 with an offset or UTC). Same validation and
    all-or-nothing as a file; rows are numbered from 1 in the order sent."""
    _require(by, "kpis.import_intervals", "Your role does not import interval data.")
    if not isinstance(intervals, list) or not intervals:
        raise ValidationError({"intervals": "Send a non-empty list of intervals."})
    if len(intervals) > MAX_PUSH:
        raise ValidationError({"intervals": f"At most {MAX_PUSH:,} intervals per request."})
    lengths = set()
    rows = []
    for number, item in enumerate(intervals, start=1):
        if not isinstance(item, dict):
            raise ImportRefused("Each interval must be an object.",
                                rows=[importing.RowError(number, "intervals", "Not an object.")])
        lengths.add(item.get("length_minutes", 30))
        rows.append((number, item))
    bad_lengths = [n for n, item in rows
                   if item.get("length_minutes", 30) not in importing.INTERVAL_LENGTHS]
    if bad_lengths:
        raise ImportRefused("Refused: intervals are 15 or 30 minutes.", rows=[
            importing.RowError(n, "length_minutes", "15 or 30.") for n in bad_lengths])
    if len(lengths) > 1:
        raise ImportRefused("Refused: one interval length per push.", rows=[
            importing.RowError(1, "length_minutes", "Send 15- and 30-minute intervals apart.")])
    return _load(by=by, rows=rows, headers=None, mapping=importing.GENERIC, source=None,
                 format=ImportFormat.GENERIC, file_name="", interval_minutes=lengths.pop(),
                 zone=UTC, dry_run=dry_run, api=True)


def _load(*, by, rows, headers, mapping, source, format, file_name, interval_minutes, zone,
          dry_run, api=False) -> LoadResult:
    now = timezone.now()
    if api:
        # JSON values arrive typed; the row check reads them as a file's cells.
        rows = [(n, {k: v for k, v in item.items()}) for n, item in rows]
    parsed, errors = importing.parse_rows(rows, mapping, queues=queue_lookup(),
                                          interval_minutes=interval_minutes, zone=zone,
                                          headers=headers)
    if not rows and not errors:
        errors = [importing.RowError(2, "", "The file has a header but no rows.")]
    if errors:
        record = None
        if not dry_run:
            record = _record(by=by, at=now, outcome=ImportOutcome.REFUSED, source=source,
                             format=format, file_name=file_name, rows=len(rows), errors=errors)
        bad_rows = len({e.row for e in errors})
        raise ImportRefused(
            f"Nothing was imported: {bad_rows} row{'s' if bad_rows != 1 else ''} "
            f"{'have' if bad_rows != 1 else 'has'} errors. Fix them and import the file again.",
            rows=errors, record=record)
    existing = _existing(parsed)
    replaced = sum((p.queue_id, p.start) in existing for p in parsed)
    if dry_run:
        return LoadResult(rows=len(parsed), created=len(parsed) - replaced, replaced=replaced,
                          record=None, preview=parsed[:20])
    with transaction.atomic():
        record = _record(by=by, at=now, outcome=ImportOutcome.IMPORTED, source=source,
                         format=format, file_name=file_name, rows=len(parsed),
                         created=len(parsed) - replaced, replaced=replaced)
        _write(parsed, existing, record=record, by=by)
    return LoadResult(rows=len(parsed), created=len(parsed) - replaced, replaced=replaced,
                      record=record, preview=parsed[:20])


def _existing(parsed) -> dict:
    """``{(queue id, start): pk}`` of the intervals already held for these rows."""
    if not parsed:
        return {}
    found = {}
    by_queue = {}
    for p in parsed:
        by_queue.setdefault(p.queue_id, []).append(p.start)
    for queue_id, starts in by_queue.items():
        rows = IntervalStat.objects.filter(queue_id=queue_id, start__gte=min(starts),
                                           start__lte=max(starts)).values_list("pk", "start")
        wanted = set(starts)
        found.update({(queue_id, s): pk for pk, s in rows if s in wanted})
    return found


def _write(parsed, existing, *, record, by):
    reason = f"Interval load #{record.pk}"
    new, changed = [], []
    for p in parsed:
        values = {"length_minutes": p.length_minutes, "imported_by": record, **p.counts}
        pk = existing.get((p.queue_id, p.start))
        if pk is None:
            new.append(IntervalStat(queue_id=p.queue_id, start=p.start, **values))
        else:
            changed.append(IntervalStat(pk=pk, queue_id=p.queue_id, start=p.start, **values))
    if new:
        bulk_create_with_history(new, IntervalStat, batch_size=BATCH, default_user=by,
                                 default_change_reason=reason)
    if changed:
        bulk_update_with_history(changed, IntervalStat,
                                 ["length_minutes", "imported_by", *COUNT_FIELDS],
                                 batch_size=BATCH, default_user=by,
                                 default_change_reason=reason)
    if parsed:
        # Figures measured from these intervals (vendor SLAs) follow them.
        announce_interval_data(
            IntervalStat, queue_ids={p.queue_id for p in parsed},
            start=min(p.start for p in parsed),
            end=max(p.start + timedelta(minutes=p.length_minutes) for p in parsed), by=by)
