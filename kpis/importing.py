"""Reading interval exports: CSV or XLSX in, validated interval rows out.

Three export shapes ship (``PRESETS``): Switchboard's own template (one column per
count, named as the model's fields), an Amazon Connect historical-metrics export and a
Genesys Cloud queue performance export. A saved :class:`~kpis.models.ImportSource`
picks a shape and may rename columns. Some platforms export averages, not sums
(Amazon Connect's "Average queue answer time"): those columns are multiplied back by
their count ("avg") and rounded to the second, the only way to get sums from them.

Validation names **every** bad row — its line in the file (the header is line 1),
the column as the file names it, and why — and the caller refuses the whole file if
there is one (``kpis/services.py``). XLSX is read with openpyxl (read-only mode,
cached values), never by hand.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from zoneinfo import ZoneInfo

from .choices import ImportFormat
from .models import COUNT_FIELDS, INTERVAL_LENGTHS

MAX_COUNT = 1_000_000_000  # per interval: far above any real queue, far below the column's limit
MAX_ROWS = 200_000
QUEUE, START = "queue", "start"

# field → (column header, how to read it). Kinds: "count" (integer), "seconds" (a sum of
# seconds, "h:mm:ss" accepted), ("avg", count field) (an average to multiply back),
# ("minus", other column) (this column less another, e.g. answered − over SLA).
GENERIC = {QUEUE: ("queue", "text"), START: ("start", "datetime"),
           **{name: (name, "seconds" if name.endswith("_seconds") else "count")
              for name in COUNT_FIELDS}}

AMAZON_CONNECT = {
    QUEUE: ("Queue", "text"), START: ("StartInterval", "datetime"),
    "offered": ("Contacts queued", "count"),
    "answered": ("Contacts handled incoming", "count"),
    "handled": ("Contacts handled", "count"),
    "answered_within_threshold": ("Contacts answered in 20 seconds", "count"),
    "abandoned": ("Contacts abandoned", "count"),
    "abandoned_within_threshold": ("Contacts abandoned in 20 seconds", "count"),
    "short_abandons": ("Contacts abandoned in 5 seconds", "count"),
    "callbacks_queued": ("Callback contacts", "count"),
    "answer_wait_seconds": ("Average queue answer time", ("avg", "answered")),
    "talk_seconds": ("Average agent interaction time", ("avg", "handled")),
    "hold_seconds": ("Average customer hold time", ("avg", "handled")),
    "acw_seconds": ("Average after contact work time", ("avg", "handled")),
    "transfers": ("Contacts transferred out", "count"),
}

GENESYS_CLOUD = {
    QUEUE: ("Queue Name", "text"), START: ("Interval Start", "datetime"),
    "offered": ("Offer", "count"),
    "answered": ("Answer", "count"),
    "answered_within_threshold": ("Answer", ("minus", "Over SLA")),
    "abandoned": ("Abandon", "count"),
    "short_abandons": ("Short Abandon", "count"),
    "handled": ("Handle", "count"),
    "talk_seconds": ("Total Talk", "seconds"),
    "hold_seconds": ("Total Hold", "seconds"),
    "acw_seconds": ("Total ACW", "seconds"),
    "answer_wait_seconds": ("ASA", ("avg", "answered")),
    "transfers": ("Transfer", "count"),
}

PRESETS = {ImportFormat.GENERIC: GENERIC, ImportFormat.AMAZON_CONNECT: AMAZON_CONNECT,
           ImportFormat.GENESYS_CLOUD: GENESYS_CLOUD}
REQUIRED = (QUEUE, START, "offered", "answered", "abandoned")


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    line: int
    queue_id: int
    start: datetime
    length_minutes: int
    counts: dict = field(default_factory=dict)


class TableError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, no header, too big)."""


MAPPABLE = (QUEUE, START, *COUNT_FIELDS)  # every field a column can feed, in form order
FIELD_LABELS = {QUEUE: "Queue", START: "Interval start",
                **{name: name.replace("_", " ").capitalize() for name in COUNT_FIELDS}}
MAX_HEADER = 200


def mapping_for(format: str, overrides: dict | None = None) -> dict:
    """The preset's ``field → (header, kind)`` with a saved source's overrides: a
    header renames the column (a field the preset lacks is read as the template
    reads it), ``""`` leaves a preset column out (the file does not have it)."""
    mapping = dict(PRESETS[format])
    for name, header in (overrides or {}).items():
        if name not in GENERIC or not isinstance(header, str):
            continue
        if not header.strip():
            if name not in REQUIRED:
                mapping.pop(name, None)
            continue
        kind = mapping[name][1] if name in mapping else GENERIC[name][1]
        mapping[name] = (header.strip(), kind)
    return mapping


def mapping_problems(format: str, columns, date_format: str = "") -> dict[str, str]:
    """``{field: why}`` for a column mapping that cannot work, before any file is read:
    unknown fields, a required field left out, a header too long, a date format
    that reads nothing back."""
    problems = {}
    if format not in PRESETS:
        return {"format": f"Unknown format {format!r}."}
    if not isinstance(columns, dict):
        return {"columns": "A mapping of field names to column headers."}
    for name, header in columns.items():
        if name not in GENERIC:
            problems[str(name)[:40]] = "Not a field intervals have."
        elif not isinstance(header, str):
            problems[name] = "A column header (text)."
        elif not header.strip() and name in REQUIRED:
            problems[name] = "Required: name the column that holds it."
        elif len(header) > MAX_HEADER:
            problems[name] = f"At most {MAX_HEADER} characters."
    if date_format:
        problem = date_format_problem(date_format)
        if problem:
            problems["date_format"] = problem
    return problems


def date_format_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot read an interval's start (None when it can)."""
    if "%" not in pattern:
        return "Use strftime codes, e.g. %d/%m/%Y %H:%M."
    sample = datetime(2026, 11, 30, 9, 30)  # noqa: DTZ001 - only the pattern is tested
    try:
        text = sample.strftime(pattern)
        back = datetime.strptime(text, pattern)  # noqa: DTZ007
    except ValueError as exc:
        return f"Not a date format Python reads: {exc}."
    if (back.year, back.month, back.day, back.hour, back.minute) != (2026, 11, 30, 9, 30):
        return "It must hold the year, month, day, hour and minute."
    return None


def read_table(content: bytes, file_name: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """``(headers, [(line, {header: raw value})])`` of a CSV or XLSX file."""
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix == ".xlsx" or content[:2] == b"PK":
        return _read_xlsx(content)
    if suffix not in {"", ".csv", ".txt"}:
        raise TableError("Upload a .csv or .xlsx file.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("The file is not UTF-8 text: save it as CSV (UTF-8) or XLSX.") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise TableError("The file is empty.") from exc
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(f"More than {MAX_ROWS:,} rows: split the file.")
        rows.append((reader.line_num, dict(zip(headers, values, strict=False))))
    return headers, rows


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError("The file is not a readable .xlsx workbook.") from exc
    sheet = book.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows_iter)]
    except StopIteration as exc:
        raise TableError("The workbook's first sheet is empty.") from exc
    rows = []
    for line, values in enumerate(rows_iter, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(f"More than {MAX_ROWS:,} rows: split the file.")
        rows.append((line, dict(zip(headers, values, strict=False))))
    book.close()
    return headers, rows


# --- Values -----------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.\d+)?$")
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
            "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_number(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("a number")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError("a number")
        return Decimal(str(raw))
    text = str(raw).strip().replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):  # ASCII digits only: no "¹", no "1e9"
        raise ValueError("a number")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("a number") from exc


def parse_count(raw) -> int:
    value = parse_number(raw)
    if value != value.to_integral_value():
        raise ValueError("a whole number")
    if value < 0:
        raise ValueError("not negative")
    if value > MAX_COUNT:
        raise ValueError(f"at most {MAX_COUNT:,}")
    return int(value)


def parse_seconds(raw) -> Decimal:
    """Seconds as a number, or a duration ``h:mm:ss`` / ``mm:ss``."""
    if isinstance(raw, timedelta):
        return Decimal(raw.total_seconds())
    if isinstance(raw, str) and ":" in raw:
        match = _DURATION.match(raw.strip())
        if not match:
            raise ValueError("seconds, or a duration like 1:02:03")
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return Decimal(hours * 3600 + minutes * 60 + seconds)
    value = parse_number(raw)
    if value < 0:
        raise ValueError("not negative")
    return value


def parse_start(raw, zone, date_format: str = "") -> datetime:
    if isinstance(raw, datetime):
        value = raw
    elif date_format:
        try:
            value = datetime.strptime(str(raw).strip(), date_format)  # noqa: DTZ007
        except ValueError as exc:
            raise ValueError(f"a date and time written {date_format}") from exc
    else:
        text = str(raw).strip()
        value = None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for pattern in _FORMATS:
                try:
                    value = datetime.strptime(text, pattern)  # noqa: DTZ007 - zone added below
                    break
                except ValueError:
                    continue
        if value is None:
            raise ValueError("a date and time like 2026-11-30 09:00 or 2026-11-30T09:00:00Z")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    if not 2000 <= value.year <= 2100:
        raise ValueError("a year between 2000 and 2100")
    return value.astimezone(UTC)


def _round_seconds(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Rows -------------------------------------------------------------------------------


def check_consistency(counts: dict) -> list[tuple[str, str]]:
    """``[(field, why)]`` for counts that cannot be true together."""
    problems = []

    def check(ok, name, why):
        if not ok:
            problems.append((name, why))

    check(counts["answered_within_threshold"] <= counts["answered"],
          "answered_within_threshold", "more than answered")
    check(counts["abandoned_within_threshold"] <= counts["abandoned"],
          "abandoned_within_threshold", "more than abandoned")
    check(counts["short_abandons"] <= counts["abandoned_within_threshold"], "short_abandons",
          "more than abandoned within the threshold (short abandons are within it)")
    check(counts["answered"] + counts["abandoned"] + counts["callbacks_queued"]
          <= counts["offered"], "offered", "fewer than answered + abandoned + callbacks")
    check(counts["csat_satisfied"] <= counts["csat_responses"], "csat_satisfied",
          "more than CSAT responses")
    check(counts["nps_promoters"] + counts["nps_detractors"] <= counts["nps_responses"],
          "nps_promoters", "promoters + detractors are more than NPS responses")
    check(counts["fcr_resolved"] + counts["fcr_not_resolvable"] <= counts["fcr_contacts"],
          "fcr_resolved", "resolved + not resolvable are more than FCR contacts")
    return problems


PROGRESS_EVERY = 5_000  # rows between two progress reports


def parse_rows(rows, mapping: dict, *, queues: dict, interval_minutes: int, zone: ZoneInfo,
               headers=None, date_format: str = "",
               progress=None) -> tuple[list[ParsedRow], list[RowError]]:
    """Validate every row; ``queues`` maps a lower-cased name (or id) → queue id.

    Returns the parsed rows and **all** the errors (the caller refuses the lot if any).
    ``progress(rows checked)`` is called every few thousand rows (a task's progress).
    """
    errors: list[RowError] = []
    parsed: list[ParsedRow] = []
    if interval_minutes not in INTERVAL_LENGTHS:
        return [], [RowError(0, "length_minutes", "Intervals are 15 or 30 minutes.")]
    if headers is not None:
        missing = [mapping[name][0] for name in REQUIRED if mapping[name][0] not in headers]
        if missing:
            return [], [RowError(1, column, "This column is missing from the header.")
                         for column in missing]
    seen: dict[tuple[int, datetime], int] = {}
    for number, (line, values) in enumerate(rows, start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        row_errors, result = _parse_row(line, values, mapping, queues=queues,
                                        interval_minutes=interval_minutes, zone=zone,
                                        date_format=date_format)
        if row_errors:
            errors.extend(row_errors)
            continue
        key = (result.queue_id, result.start)
        if key in seen:
            errors.append(RowError(line, mapping[START][0],
                                   f"The same queue and interval as line {seen[key]}."))
            continue
        seen[key] = line
        parsed.append(result)
    return parsed, errors


def _parse_row(line, values, mapping, *, queues, interval_minutes, zone, date_format=""):
    errors = []
    column = {name: spec[0] for name, spec in mapping.items()}

    def raw(name):
        return values.get(column[name]) if name in column else None

    queue_id = None
    queue_raw = raw(QUEUE)
    if _blank(queue_raw):
        errors.append(RowError(line, column[QUEUE], "Name the queue."))
    else:
        queue_id = queues.get(str(queue_raw).strip().lower())
        if queue_id is None:
            errors.append(RowError(line, column[QUEUE],
                                   f"No queue called {str(queue_raw).strip()[:80]!r}."))
    start = None
    if _blank(raw(START)):
        errors.append(RowError(line, column[START], "Give the interval's start."))
    else:
        try:
            start = parse_start(raw(START), zone, date_format)
        except ValueError as exc:
            errors.append(RowError(line, column[START], f"Expected {exc}."))
        else:
            if start.minute % interval_minutes or start.second or start.microsecond:
                errors.append(RowError(
                    line, column[START],
                    f"Not the start of a {interval_minutes}-minute interval."))
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    averages = {}
    for name in COUNT_FIELDS:
        if name not in mapping:
            continue
        header, kind = mapping[name]
        value = values.get(header)
        if _blank(value):
            if name in REQUIRED:
                errors.append(RowError(line, header, "Required."))
            continue
        try:
            if kind == "count":
                counts[name] = parse_count(value)
            elif kind == "seconds":
                seconds = parse_seconds(value)
                if seconds > MAX_COUNT:
                    raise ValueError(f"at most {MAX_COUNT:,}")
                counts[name] = _round_seconds(seconds)
            elif kind[0] == "avg":
                averages[name] = (parse_seconds(value), kind[1], header)
            elif kind[0] == "minus":
                other = values.get(kind[1])
                less = 0 if _blank(other) else parse_count(other)
                counts[name] = parse_count(value) - less
                if counts[name] < 0:
                    errors.append(RowError(line, kind[1], f"More than {header!r}."))
        except ValueError as exc:
            errors.append(RowError(line, header, f"Expected {exc}."))
    for name, (average, count_field, header) in averages.items():
        total = average * counts[count_field]
        if total > MAX_COUNT:
            errors.append(RowError(line, header, "Too large."))
        else:
            counts[name] = _round_seconds(total)
    if "abandoned_within_threshold" not in mapping:
        # The export does not say: only the short abandons are known to be within.
        counts["abandoned_within_threshold"] = counts["short_abandons"]
    if errors:
        return errors, None
    for name, why in check_consistency(counts):
        errors.append(RowError(line, column.get(name, name), f"Impossible: {why}."))
    if errors:
        return errors, None
    return [], ParsedRow(line=line, queue_id=queue_id, start=start,
                         length_minutes=interval_minutes, counts=counts)


def sample_rows(format: str) -> tuple[list[str], list[list]]:
    """A header and two example rows for the import page's sample download."""
    mapping = PRESETS[format]
    headers, seen = [], set()
    for _name, (header, kind) in mapping.items():
        if header not in seen:
            headers.append(header)
            seen.add(header)
        if isinstance(kind, tuple) and kind[0] == "minus" and kind[1] not in seen:
            headers.append(kind[1])
            seen.add(kind[1])
    example = {
        "queue": "Voice support", "start": "2026-11-30 09:00", "offered": 120, "answered": 104,
        "answered_within_threshold": 86, "abandoned": 14, "abandoned_within_threshold": 8,
        "short_abandons": 3, "callbacks_queued": 2, "handled": 104, "talk_seconds": 24960,
        "hold_seconds": 2080, "acw_seconds": 6240, "answer_wait_seconds": 1560,
        "transfers": 6, "fcr_contacts": 60, "fcr_resolved": 45, "fcr_not_resolvable": 5,
        "csat_responses": 20, "csat_satisfied": 16, "nps_responses": 18, "nps_promoters": 8,
        "nps_detractors": 4,
    }
    by_header = {}
    for name, (header, kind) in mapping.items():
        value = example.get(name, 0)
        if isinstance(kind, tuple) and kind[0] == "avg":
            value = round(value / example[kind[1]], 2) if example[kind[1]] else 0
        if isinstance(kind, tuple) and kind[0] == "minus":
            by_header[kind[1]] = example["answered"] - example["answered_within_threshold"]
            value = example["answered"]
        by_header.setdefault(header, value)
    first = [by_header.get(h, "") for h in headers]
    second_values = dict(by_header)
    second_values[mapping[START][0]] = "2026-11-30 09:30"
    second = [second_values.get(h, "") for h in headers]
    return headers, [first, second]
