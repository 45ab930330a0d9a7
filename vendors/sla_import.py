"""Vendor-reported measurements in bulk: the vendor's monthly SLA report as CSV or XLSX,
or a batch pushed through the API. All or nothing: every bad row is named (row number,
column, why) and nothing is written unless every row is good.

Columns (a header row, any order, case-insensitive): ``objective`` (the objective's id,
or its name when the contract is given), ``period_start`` (YYYY-MM-DD, the period's
first day), ``value``, optional ``detail``.
"""

import csv
import io
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .choices import MeasurementOrigin, MeasurementSource
from .models import SlaObjective
from .sla_services import measurement_record

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
REQUIRED = ("objective", "period_start", "value")


def _rows_from_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": "The CSV is not UTF-8 text."}) from exc
    reader = csv.reader(io.StringIO(text))
    return [list(row) for row in reader]


def _rows_from_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise ValidationError({"file": "The file is not a readable XLSX workbook."}) from exc
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if cell is None else cell for cell in row])
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def read_table(name: str, content: bytes) -> list[dict]:
    """The file's rows as dicts keyed by the lower-cased header."""
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 5 MB."})
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        rows = _rows_from_xlsx(content)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        rows = _rows_from_csv(content)
    else:
        raise ValidationError({"file": "Upload a .csv or .xlsx file."})
    rows = [row for row in rows if any(str(cell).strip() for cell in row)]
    if not rows:
        raise ValidationError({"file": "The file is empty."})
    header = [str(cell).strip().lower() for cell in rows[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ValidationError({"file": f"Missing column{'s' if len(missing) > 1 else ''}: "
                                       f"{', '.join(missing)}."})
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError({"file": f"At most {MAX_ROWS} rows at a time."})
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def _period(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not (len(text) == 10 and text.isascii()):
        raise ValueError
    return date.fromisoformat(text)


def _objective(value, contract, cache):
    key = str(value if value is not None else "").strip()
    if key in cache:
        return cache[key]
    found = None
    if key.isascii() and key.isdigit() and len(key) < 10:
        query = SlaObjective.objects.filter(pk=int(key))
        if contract is not None:
            query = query.filter(contract=contract)
        found = query.first()
    elif key and contract is not None:
        found = SlaObjective.objects.filter(contract=contract, name__iexact=key).order_by(
            "-effective_from").first()
    cache[key] = found
    return found


def import_measurements(*, rows: list[dict], by, contract=None,
                        origin: str = MeasurementOrigin.IMPORTED) -> list:
    """Record every row as a vendor-reported measurement, or none: a ValidationError
    lists every bad row (``{"rows": ["Row 3, value: Give a number.", …]}``)."""
    if not by.has_perm("vendors.record_measurement"):
        raise PermissionDenied("Your role cannot record measurements.")
    if not rows:
        raise ValidationError({"rows": ["Nothing to import."]})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": [f"At most {MAX_ROWS} rows at a time."]})
    problems, cache, seen, recorded = [], {}, {}, []
    with transaction.atomic():
        for number, row in enumerate(rows, start=2 if origin == MeasurementOrigin.IMPORTED
                                     else 1):
            label = f"Row {number}"
            if not isinstance(row, dict):
                problems.append(f"{label}: an object with objective, period_start, value.")
                continue
            objective = _objective(row.get("objective"), contract, cache)
            if objective is None:
                problems.append(f"{label}, objective: no objective {row.get('objective')!r}"
                                + (f" on {contract.reference}." if contract else "."))
                continue
            try:
                start = _period(row.get("period_start"))
            except (ValueError, TypeError):
                problems.append(f"{label}, period_start: a date as YYYY-MM-DD.")
                continue
            key = (objective.series, start)
            if key in seen:
                problems.append(f"{label}: the same objective and period as row {seen[key]}.")
                continue
            seen[key] = number
            value = row.get("value")
            try:
                with transaction.atomic():
                    recorded.append(measurement_record(
                        objective=objective, by=by, period_start=start,
                        value="" if value is None else str(value),
                        source=MeasurementSource.VENDOR, origin=origin,
                        detail=str(row.get("detail") or "")[:500]))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        problems.append(f"{label}, {field}: {message}")
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ValidationError({"rows": problems})
    return recorded
