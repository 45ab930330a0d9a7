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

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import save_with_audit
from core.exceptions import DomainError
from core.hooks import announce_interval_data
from core.why_not import require_perm

from . import importing
from .choices import ImportFormat, ImportOutcome
from .models import COUNT_FIELDS, ImportSource, IntervalImport, IntervalStat, Queue

QUEUE_FIELDS = ["name", "import_name", "channel", "site", "vendor", "calendar",
                "threshold_seconds", "target_percent", "short_abandon_seconds",
                "abandon_treatment", "callbacks_in_offered", "short_abandons_in_abandon_rate",
                "active", "notes"]
MAX_PUSH = 10_000
BATCH = 2_000
MAX_KEPT_ERRORS = 10_000  # a refused file's errors kept on its record (all are shown at once)
WRITE_CHUNK = 10_000  # rows between two progress reports while a task writes


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


# --- Queues ---------------------------------------------------------------------------


@transaction.atomic
def queue_create(*, by, reason="Queue created", **fields) -> Queue:
    """Create a queue (managers and vendor managers)."""
    require_perm(by, "kpis.manage_queue", message="Your role does not manage queues.")
    queue = Queue(**{k: v for k, v in fields.items() if k in QUEUE_FIELDS})
    queue.full_clean()
    save_with_audit(queue, by=by, reason=reason)
    return queue


@transaction.atomic
def queue_update(*, queue, by, reason="Queue settings changed", **fields) -> Queue:
    """Change a queue's settings; the history says who and why."""
    require_perm(by, "kpis.manage_queue", message="Your role does not manage queues.")
    queue = Queue.objects.select_for_update().get(pk=queue.pk)
    for name, value in fields.items():
        if name in QUEUE_FIELDS:
            setattr(queue, name, value)
    queue.full_clean()
    save_with_audit(queue, by=by, reason=reason)
    return queue


@transaction.atomic
def queue_delete(*, queue, by):
    require_perm(by, "kpis.manage_queue", message="Your role does not manage queues.")
    queue.delete()


@transaction.atomic
def source_save(*, by, source=None, reason="", **fields) -> ImportSource:
    """Create or change a saved column mapping."""
    require_perm(by, "kpis.import_intervals", message="Your role does not import interval data.")
    created = source is None
    source = source or ImportSource()
    for name in ("name", "format", "interval_minutes", "time_zone", "date_format", "columns",
                 "notes"):
        if name in fields:
            setattr(source, name, fields[name])
    source.columns = source.columns or {}
    problems = importing.mapping_problems(source.format, source.columns, source.date_format)
    if problems:
        # Named by field ("columns.offered", "date_format") so the editor puts each
        # message next to its input and the API names it.
        raise ValidationError({
            name if name in ("format", "date_format", "columns") else f"columns.{name}": why
            for name, why in problems.items()})
    source.full_clean()
    save_with_audit(source, by=by, reason=reason or (
        "Import mapping created" if created else "Import mapping changed"))
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
                            replaced=replaced,
                            errors=[e.as_dict() for e in errors][:MAX_KEPT_ERRORS])
    save_with_audit(record, by=by, reason=f"Interval load {outcome}")
    return record


def import_parameters(*, source: ImportSource | None = None, format: str | None = None,
                      interval_minutes: int | None = None, time_zone: str | None = None,
                      date_format: str | None = None, columns: dict | None = None) -> dict:
    """How a file is read — the saved mapping's settings, or the ones given — checked
    (a ValidationError names the field). A queued import keeps this dict, so changing
    the saved mapping meanwhile does not change how its file is read."""
    format = format or (source.format if source else ImportFormat.GENERIC)
    if format not in importing.PRESETS:
        raise ValidationError({"format": f"Unknown format {format!r}."})
    interval_minutes = int(interval_minutes or (source.interval_minutes if source else 30))
    if interval_minutes not in importing.INTERVAL_LENGTHS:
        raise ValidationError({"interval_minutes": "Intervals are 15 or 30 minutes."})
    zone_name = time_zone or (source.time_zone if source else "UTC")
    try:
        ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError) as exc:
        raise ValidationError({"time_zone": f"Unknown time zone {zone_name!r}."}) from exc
    if date_format is None:
        date_format = source.date_format if source else ""
    if columns is None:
        columns = dict(source.columns or {}) if source else {}
    problems = importing.mapping_problems(format, columns, date_format)
    if problems:
        raise ValidationError({name if name in ("format", "date_format") else "source":
                               f"{name}: {why}" for name, why in problems.items()})
    return {"format": format, "interval_minutes": interval_minutes, "time_zone": zone_name,
            "date_format": date_format, "columns": columns}


def read_file(content: bytes, file_name: str):
    """``(headers, rows)`` of an upload, or a ValidationError on ``file``."""
    try:
        return importing.read_table(content, file_name)
    except importing.TableError as exc:
        raise ValidationError({"file": str(exc)}) from exc


def validate_rows(rows, headers, parameters: dict, *, progress=None):
    """``(parsed rows, errors)`` of a file's rows read with ``parameters``."""
    parsed, errors = importing.parse_rows(
        rows, importing.mapping_for(parameters["format"], parameters["columns"]),
        queues=queue_lookup(), interval_minutes=parameters["interval_minutes"],
        zone=ZoneInfo(parameters["time_zone"]), headers=headers,
        date_format=parameters["date_format"], progress=progress)
    if not rows and not errors:
        errors = [importing.RowError(2, "", "The file has a header but no rows.")]
    return parsed, errors


def intervals_import(*, by, content: bytes, file_name: str, source: ImportSource | None = None,
                     format: str | None = None, interval_minutes: int | None = None,
                     time_zone: str | None = None, dry_run: bool = False) -> LoadResult:
    """Import a CSV or XLSX export during the request (a large file goes to
    ``kpis.import_jobs.import_queue`` instead). ``dry_run``: validate and count, write
    nothing (the preview). Raises :class:`ImportRefused` naming every bad row."""
    require_perm(by, "kpis.import_intervals", message="Your role does not import interval data.")
    parameters = import_parameters(source=source, format=format,
                                   interval_minutes=interval_minutes, time_zone=time_zone)
    headers, rows = read_file(content, file_name)
    parsed, errors = validate_rows(rows, headers, parameters)
    return _load(by=by, parsed=parsed, errors=errors, total=len(rows), source=source,
                 format=parameters["format"], file_name=file_name, dry_run=dry_run)


def intervals_push(*, by, intervals: list[dict], dry_run: bool = False) -> LoadResult:
    """The API's batch push: a list of ``{queue, start, length_minutes, <counts>}``
    (queue by id or name, start ISO 8601 with an offset or UTC). Same validation and
    all-or-nothing as a file; rows are numbered from 1 in the order sent."""
    require_perm(by, "kpis.import_intervals", message="Your role does not import interval data.")
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
    # JSON values arrive typed; the row check reads them as a file's cells.
    rows = [(n, dict(item)) for n, item in rows]
    parsed, errors = importing.parse_rows(rows, importing.GENERIC, queues=queue_lookup(),
                                          interval_minutes=lengths.pop(), zone=UTC)
    return _load(by=by, parsed=parsed, errors=errors, total=len(rows), source=None,
                 format=ImportFormat.GENERIC, file_name="", dry_run=dry_run)


def refusal_message(errors) -> str:
    bad_rows = len({e.row if hasattr(e, "row") else e["row"] for e in errors})
    return (f"Nothing was imported: {bad_rows:,} row{'s' if bad_rows != 1 else ''} "
            f"{'have' if bad_rows != 1 else 'has'} errors. Fix them and import the file again.")


def _load(*, by, parsed, errors, total, source, format, file_name, dry_run) -> LoadResult:
    now = timezone.now()
    if errors:
        record = None
        if not dry_run:
            record = _record(by=by, at=now, outcome=ImportOutcome.REFUSED, source=source,
                             format=format, file_name=file_name, rows=total, errors=errors)
        raise ImportRefused(refusal_message(errors), rows=errors, record=record)
    if dry_run:
        existing = _existing(parsed)
        replaced = sum((p.queue_id, p.start) in existing for p in parsed)
        return LoadResult(rows=len(parsed), created=len(parsed) - replaced, replaced=replaced,
                          record=None, preview=parsed[:20])
    with transaction.atomic():
        lock_queues(parsed)
        existing = _existing(parsed)
        replaced = sum((p.queue_id, p.start) in existing for p in parsed)
        record = _record(by=by, at=now, outcome=ImportOutcome.IMPORTED, source=source,
                         format=format, file_name=file_name, rows=len(parsed),
                         created=len(parsed) - replaced, replaced=replaced)
        _write(parsed, existing, record=record, by=by)
    return LoadResult(rows=len(parsed), created=len(parsed) - replaced, replaced=replaced,
                      record=record, preview=parsed[:20])


def lock_queues(parsed) -> None:
    """Loads of the same queues run one after the other: what is already held (to
    replace) and the days rebuilt in the rollup are read under this lock."""
    ids = {p.queue_id for p in parsed}
    list(Queue.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))


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


def _write(parsed, existing, *, record, by, progress=None):
    """Create or replace the intervals, with history rows naming the load. Called
    inside the load's transaction, after :func:`lock_queues`; ``progress(rows
    written)`` after each chunk. The rollup's days they fall in are rebuilt too."""
    from . import rollup

    spans = {}
    for p in parsed:
        first, last = spans.get(p.queue_id, (p.start, p.start))
        spans[p.queue_id] = (min(first, p.start), max(last, p.start))
    if progress is None:
        _write_chunk(parsed, existing, record=record, by=by)
    else:
        for first in range(0, len(parsed), WRITE_CHUNK):
            chunk = parsed[first:first + WRITE_CHUNK]
            _write_chunk(chunk, existing, record=record, by=by)
            progress(first + len(chunk))
    if spans:
        start = min(f for f, _ in spans.values())
        last = max(last for _, last in spans.values())
        rollup.refresh(list(spans), start, last)
        # Figures measured from these intervals (vendor SLAs) follow them.
        length = max(p.length_minutes for p in parsed)
        announce_interval_data(IntervalStat, queue_ids=set(spans), start=start,
                               end=last + timedelta(minutes=length), by=by)


def _write_chunk(parsed, existing, *, record, by):
    from . import bulk_write

    reason = f"Interval load #{record.pk}"
    if bulk_write.available():  # PostgreSQL: COPY, an order of magnitude faster
        bulk_write.write(parsed, existing, record=record, by=by, reason=reason)
        return
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
        _update_in_place(changed)
        IntervalStat.history.bulk_history_create(changed, update=True, batch_size=BATCH,
                                                 default_user=by, default_change_reason=reason)


UPDATED_COLUMNS = ("length_minutes", "imported_by_id", *COUNT_FIELDS)
UPDATE_BATCH = 1_000  # rows per statement: 24 parameters each, under SQLite's limit


def _update_in_place(rows):
    """Replace the counts of intervals already held, keeping their ids: one
    ``UPDATE … FROM (VALUES …)`` per thousand rows (PostgreSQL and SQLite ≥ 3.33 both
    name the VALUES columns column1, column2…). Django's bulk_update writes a CASE per
    column per row, which took minutes for 100,000 intervals."""
    table = connection.ops.quote_name(IntervalStat._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(name)} = v.column{n}"
                            for n, name in enumerate(UPDATED_COLUMNS, start=2))
    width = len(UPDATED_COLUMNS) + 1
    with connection.cursor() as cursor:
        for first in range(0, len(rows), UPDATE_BATCH):
            batch = rows[first:first + UPDATE_BATCH]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(batch))
            params = [value for row in batch
                      for value in (row.pk, *(getattr(row, name) for name in UPDATED_COLUMNS))]
            cursor.execute(f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "  # noqa: S608
                           f"WHERE {table}.id = v.column1", params)


# --- Mapping editor preview -------------------------------------------------------------

PREVIEW_ROWS = 5


@dataclass
class MappingPreview:
    columns: dict  # field → the column problem (not in the file), by field
    rows: list  # [{"line", "values": {field: value}, "errors": [RowError]}]
    file_headers: list


def mapping_preview(parameters: dict, content: bytes, file_name: str) -> MappingPreview:
    """The first rows of a sample file as ``parameters`` read them, each with its
    problems; and every mapped column the file lacks, named by field. Writes nothing."""
    headers, rows = read_file(content, file_name)
    mapping = importing.mapping_for(parameters["format"], parameters["columns"])
    missing = {}
    for name, (header, kind) in mapping.items():
        if header not in headers:
            missing[name] = f"No column {header!r} in the file."
        elif isinstance(kind, tuple) and kind[0] == "minus" and kind[1] not in headers:
            missing[name] = f"No column {kind[1]!r} in the file (subtracted from {header!r})."
    first = rows[:PREVIEW_ROWS]
    parsed, errors = importing.parse_rows(
        first, mapping, queues=queue_lookup(), interval_minutes=parameters["interval_minutes"],
        zone=ZoneInfo(parameters["time_zone"]), date_format=parameters["date_format"])
    by_line = {p.line: p for p in parsed}
    result = []
    for line, _values in first:
        row = by_line.get(line)
        values = {}
        if row is not None:
            values = {importing.QUEUE: row.queue_id, importing.START: row.start, **row.counts}
        result.append({"line": line, "values": values,
                       "errors": [e for e in errors if e.row == line]})
    return MappingPreview(columns=missing, rows=result, file_headers=headers)
