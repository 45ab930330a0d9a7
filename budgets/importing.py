"""Spend in bulk: a CSV or XLSX file (``spend_import``) or a batch pushed through the API
(``spend_push``). All or nothing: every row is checked with the same rules as one entry
(``services.spend_problems``, ``services.parse_money``) and **every** bad row is named —
its line in the file (the header is line 1; a push numbers its entries from 1), the
column and why — before anything is written.

Columns (a header row, any order, case-insensitive; unknown columns are refused so a
misspelt one cannot drop its data silently):

* ``date`` — ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (a spreadsheet's date cell too);
* ``amount`` — a ``.`` for decimals, at most two, negative for a refund or credit. A
  comma is refused whatever it means: ``1,234.56`` (a thousands separator) and
  ``1234,56`` (a decimal comma) cannot be told apart from ``1,234`` safely, and a
  misread amount is off by a thousand. Spaces between digits are ignored;
* ``budget`` — its id, or ``FY2026/category/cost center code`` (the category by its
  value, ``vendor_contracts``, or its label, ``Vendor contracts``);
* ``vendor`` (name), ``contract`` (reference), ``initiative`` (reference) — optional;
  a contract alone gives its vendor. A number (a push's JSON number, a spreadsheet's
  number cell) is the object's id, text its name or reference;
* ``invoice_reference``, ``description``, ``cost_type`` (``recurring`` by default, or
  ``one_time``) — optional.

A good file is written in one transaction (origin "imported", the import recorded on
each entry, history "Imported from <file>"); then each touched budget's alerts are
checked once. A refused file leaves a :class:`~budgets.models.SpendImport` saying why.
Files are read by ``kpis.importing.read_table`` (CSV sniffed, XLSX through openpyxl),
the same reader as interval imports, and refused with the same error body
(``kpis.services.ImportRefused``: 400, code ``import_refused``, ``rows``).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import save_with_audit
from core.validation import parse_id, validate_plausible_date
from kpis.importing import RowError, TableError, read_table
from kpis.services import ImportRefused

from . import services
from .choices import BudgetCategory, CostType, ImportOutcome, SpendOrigin
from .models import Budget, Initiative, SpendEntry, SpendImport

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
COLUMNS = ("date", "amount", "budget", "vendor", "contract", "initiative",
           "invoice_reference", "description", "cost_type")
REQUIRED = ("date", "amount", "budget")
# Foreign keys resolved here from the whole file's values (a query each, not one per
# row), so the model's own per-row existence checks are skipped.
RELATIONS = ("budget", "vendor", "contract", "initiative", "service_credit", "spend_import",
             "recorded_by")
_DIGITS = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
COMMA_MESSAGE = ("Write the amount without thousands separators and with a “.” for "
                 "decimals, e.g. 1234.56: a comma could mean either.")


class SpendImportRefused(ImportRefused):
    """Nothing was written; ``rows`` names every bad row; the refused record's id too."""

    def extra(self):
        return {**super().extra(), "import_id": self.record.pk if self.record else None}


@dataclass
class Lookups:
    budgets: dict
    budget_paths: dict
    vendors: dict
    contracts: dict
    initiatives: dict


def spend_import_template() -> bytes:
    """The header row of a spend file, for the import page to offer as a download."""
    out = io.StringIO()
    csv.writer(out).writerow(COLUMNS)
    return out.getvalue().encode("utf-8")


# --- Values -----------------------------------------------------------------------------------


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a spreadsheet's "4411" is the number 4411.0
    text = str(raw).strip()
    if "\x00" in text:
        raise ValueError("Null characters are not allowed.")
    return text


def parse_day(raw) -> date:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    else:
        text = _text(raw)
        match = _DAY_FIRST.match(text)
        try:
            if match:
                day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                day = date.fromisoformat(text)
            else:
                raise ValueError
        except ValueError:
            raise ValueError(f"“{text[:40]}” is no date: use YYYY-MM-DD or DD/MM/YYYY.") \
                from None
    try:
        validate_plausible_date(day)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    return day


def parse_amount(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("Give the amount as a number, e.g. 1234.56.")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError("Give the amount as a number, e.g. 1234.56.")
        raw = repr(raw)  # the shortest decimal that is this float: 1234.56, not 1234.5599…
    elif isinstance(raw, int | Decimal):
        raw = str(raw)
    text = _text(raw)
    if "," in text:
        raise ValueError(COMMA_MESSAGE)
    if not _DIGITS.fullmatch(text.replace(" ", "")):  # ASCII digits only: no "¹", no "1e9"
        raise ValueError(f"“{text[:40]}” is not an amount: give a number such as 1234.56.")
    try:
        return services.parse_money(text, "amount")
    except ValidationError as exc:
        raise ValueError(exc.message_dict["amount"][0]) from None


def _category(text: str) -> str | None:
    wanted = text.strip().lower()
    for value, label in BudgetCategory.choices:
        if wanted in (value, str(label).lower()):
            return value
    return None


# --- Looking up what the rows name ------------------------------------------------------------


def _lookups(rows) -> Lookups:
    """Everything the rows refer to, in a few queries whatever the number of rows."""
    from vendors.models import Contract, Vendor

    def texts(column):
        return {_safe_text(values.get(column)).lower() for _, values in rows} - {""}

    def ids(column):
        found = set()
        for _, values in rows:
            number = parse_id(values.get(column)) if isinstance(values.get(column), int) \
                else None
            if number:
                found.add(number)
        return found

    budget_ids = {parse_id(_safe_text(values.get("budget"))) for _, values in rows} - {None}
    paths = {text for text in texts("budget") if "/" in text}
    budgets = {}
    if budget_ids or paths:
        years = {path.split("/", 1)[0].upper() for path in paths}
        query = Budget.objects.select_related("fiscal_year", "cost_center")
        for budget in query.filter(pk__in=budget_ids) | query.filter(fiscal_year__name__in=years):
            budgets[budget.pk] = budget
    budget_paths = {(b.fiscal_year.name.lower(), b.category, b.cost_center.code.lower()): b
                    for b in budgets.values()}
    vendors = {}
    for vendor in Vendor.objects.annotate(key=Lower("name")).filter(key__in=texts("vendor")):
        vendors[vendor.key] = vendor
    for vendor in Vendor.objects.filter(pk__in=ids("vendor")):
        vendors[vendor.pk] = vendor
    contracts = {}
    contract_query = Contract.objects.select_related("vendor")
    for contract in contract_query.annotate(key=Lower("reference")).filter(
            key__in=texts("contract")):
        contracts[contract.key] = contract
    for contract in contract_query.filter(pk__in=ids("contract")):
        contracts[contract.pk] = contract
    initiatives = {}
    for initiative in Initiative.objects.annotate(key=Lower("reference")).filter(
            key__in=texts("initiative")):
        initiatives[initiative.key] = initiative
    for initiative in Initiative.objects.filter(pk__in=ids("initiative")):
        initiatives[initiative.pk] = initiative
    return Lookups(budgets=budgets, budget_paths=budget_paths, vendors=vendors,
                   contracts=contracts, initiatives=initiatives)


def _safe_text(raw) -> str:
    if _blank(raw) or isinstance(raw, bool | dict | list):
        return ""
    try:
        return _text(raw)
    except ValueError:
        return ""


def _find(raw, table: dict, *, what: str, by: str):
    """An object named in a cell: a JSON number is its id, text its name/reference."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        found = table.get(raw)
        if found is None:
            raise ValueError(f"No {what} with id {raw}.")
        return found
    if isinstance(raw, bool | dict | list):
        raise ValueError(f"Give the {what}'s {by}.")
    text = _text(raw)
    found = table.get(text.lower())
    if found is None:
        raise ValueError(f"No {what} with the {by} “{text[:80]}”.")
    return found


def _budget(raw, lookups: Lookups) -> Budget:
    if isinstance(raw, bool | dict | list):
        raise ValueError("Give the budget's id or FY2026/category/cost center code.")
    text = _text(raw)
    number = parse_id(text)
    if number is not None:
        if number not in lookups.budgets:
            raise ValueError(f"No budget with id {number}.")
        return lookups.budgets[number]
    if "/" not in text:
        raise ValueError("Give the budget's id or FY2026/category/cost center code.")
    year, rest = text.split("/", 1)
    if "/" not in rest:
        raise ValueError("Give the budget as FY2026/category/cost center code.")
    category_text, code = rest.rsplit("/", 1)  # a category label may hold a slash
    category = _category(category_text)
    if category is None:
        raise ValueError(f"“{category_text.strip()[:40]}” is no budget category "
                         f"({', '.join(BudgetCategory.values)}).")
    budget = lookups.budget_paths.get((year.strip().lower(), category, code.strip().lower()))
    if budget is None:
        raise ValueError(f"No {BudgetCategory(category).label.lower()} budget for cost center "
                         f"{code.strip()[:20]} in {year.strip()[:10]}.")
    return budget


# --- Rows -------------------------------------------------------------------------------------


def check_rows(rows, *, by, origin: str, headers=None, now=None
               ) -> tuple[list[SpendEntry], list[RowError]]:
    """Validate every row ``(line, {column: raw value})``; returns the unsaved entries
    and **all** the errors (the caller refuses the lot if there is one)."""
    now = now or timezone.now()
    if headers is not None:
        names = [h.strip().lower() for h in headers]
        errors = [RowError(1, header, f"Unknown column; the columns are {', '.join(COLUMNS)}.")
                  for header, name in zip(headers, names, strict=True)
                  if name and name not in COLUMNS]
        errors += [RowError(1, column, "This column is missing from the header.")
                   for column in REQUIRED if column not in names]
        if errors:
            return [], errors
    rows = [(line, {str(k).strip().lower(): v for k, v in values.items() if k is not None})
            for line, values in rows]
    lookups = _lookups(rows)
    entries, errors = [], []
    for line, values in rows:
        row_errors, entry = _check_row(line, values, lookups, by=by, origin=origin, now=now)
        if row_errors:
            errors.extend(row_errors)
        else:
            entries.append(entry)
    return entries, errors


def _check_row(line, values, lookups, *, by, origin, now):
    errors = []
    parsed = {}

    def read(column, parse):
        raw = values.get(column)
        if _blank(raw):
            if column in REQUIRED:
                errors.append(RowError(line, column, "Required."))
            return
        try:
            parsed[column] = parse(raw)
        except ValueError as exc:
            errors.append(RowError(line, column, str(exc)))

    read("date", parse_day)
    read("amount", parse_amount)
    read("budget", lambda raw: _budget(raw, lookups))
    read("vendor", lambda raw: _find(raw, lookups.vendors, what="vendor", by="name"))
    read("contract", lambda raw: _find(raw, lookups.contracts, what="contract",
                                       by="reference"))
    read("initiative", lambda raw: _find(raw, lookups.initiatives, what="initiative",
                                         by="reference"))
    for column in ("invoice_reference", "description"):
        read(column, _text)
    read("cost_type", lambda raw: _cost_type(_text(raw)))
    # What was read is checked with the rules of one entry even when another column is
    # unreadable, so a row's every problem is named at once.
    entry = SpendEntry(origin=origin, recorded_by=by, recorded_at=now,
                       cost_type=parsed.pop("cost_type", CostType.RECURRING), **parsed)
    if entry.contract_id and not entry.vendor_id:
        entry.vendor = entry.contract.vendor  # as services._complete does for one entry
    problems = services.spend_problems(entry)
    if not errors:
        try:
            entry.clean_fields(exclude=RELATIONS)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems.setdefault(field, []).extend(messages)
    for field, messages in problems.items():
        for message in messages:
            errors.append(RowError(line, field, message))
    errors.sort(key=lambda e: COLUMNS.index(e.column) if e.column in COLUMNS else len(COLUMNS))
    return errors, None if errors else entry


def _cost_type(text: str) -> str:
    wanted = text.lower().replace("-", "_").replace(" ", "_")
    if wanted in CostType.values:
        return wanted
    for value, label in CostType.choices:
        if wanted == str(label).lower().replace("-", "_").replace(" ", "_"):
            return value
    raise ValueError(f"“{text[:40]}” is no cost type ({', '.join(CostType.values)}).")


def _refuse(errors, *, record=None):
    bad_rows = len({e.row for e in errors})
    raise SpendImportRefused(
        f"Nothing was imported: {bad_rows} row{'s' if bad_rows != 1 else ''} "
        f"{'have' if bad_rows != 1 else 'has'} errors. Fix them and send the file again.",
        rows=errors, record=record)


def _write(entries, *, by, reason, spend_import=None):
    """Save the checked entries with their history, link the contracts their budgets
    are charged for, then check each touched budget's alerts once."""
    for entry in entries:
        entry.spend_import = spend_import
    bulk_create_with_history(entries, SpendEntry, batch_size=1000, default_user=by,
                             default_change_reason=reason)
    budgets = {}
    for entry in entries:
        budgets.setdefault(entry.budget_id, (entry.budget, set()))
        if entry.contract_id:
            budgets[entry.budget_id][1].add(entry.contract_id)
    for budget, contract_ids in budgets.values():
        # Money booked on a contract tells which budget its committed fees belong to.
        if contract_ids:
            budget.contracts.add(*contract_ids)
    for budget, _ in budgets.values():
        services.check_alerts(budget, by=by)


# --- The use cases ----------------------------------------------------------------------------


def spend_import(*, by, content: bytes, file_name: str) -> SpendImport:
    """Import a spend file (CSV or XLSX): every row or none.

    Returns the :class:`SpendImport` of the file taken. A file with a bad row raises
    :class:`SpendImportRefused` naming every bad row, after recording the refusal (its
    ``record``); one that cannot be read at all (too big, not CSV/XLSX, empty) raises a
    ValidationError on ``file``.
    """
    services.require(by, "budgets.record_spend", "Your role does not record spend.")
    file_name = (file_name or "spend.csv").replace("\x00", "")[:255]
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": [
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it."]})
    try:
        headers, rows = read_table(content, file_name)
    except TableError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": [f"More than {MAX_ROWS:,} rows: split the file."]})
    now = timezone.now()
    entries, errors = check_rows(rows, by=by, origin=SpendOrigin.IMPORTED, headers=headers,
                                 now=now)
    if not rows and not errors:
        errors = [RowError(2, "", "The file has a header but no rows.")]
    if errors:
        record = SpendImport(file_name=file_name, by=by, at=now, outcome=ImportOutcome.REFUSED,
                             rows=len(rows), errors=[e.as_dict() for e in errors][:1000])
        save_with_audit(record, by=by, reason="Spend import refused")
        _refuse(errors, record=record)
    total = sum((e.amount for e in entries), Decimal("0.00"))
    if abs(total) > services.MAX_AMOUNT:
        raise ValidationError({"file": ["The file's total is beyond what one import records "
                                        f"({services.MAX_AMOUNT:,}): split it."]})
    with transaction.atomic():
        record = SpendImport(file_name=file_name, by=by, at=now, outcome=ImportOutcome.IMPORTED,
                             rows=len(entries), total=total)
        save_with_audit(record, by=by, reason="Spend imported")
        _write(entries, by=by, reason=f"Imported from {file_name}", spend_import=record)
    return record


MAX_PUSH = MAX_ROWS


@transaction.atomic
def spend_push(*, by, entries: list) -> list[SpendEntry]:
    """The API's batch: a list of ``{date, amount, budget, …}`` (the file's columns),
    numbered from 1 in the order sent; every one written (origin "api") or none."""
    services.require(by, "budgets.record_spend", "Your role does not record spend.")
    if not isinstance(entries, list) or not entries:
        raise ValidationError({"entries": ["Send a non-empty list of entries."]})
    if len(entries) > MAX_PUSH:
        raise ValidationError({"entries": [f"At most {MAX_PUSH:,} entries per request."]})
    not_objects = [RowError(n, "entries", "Not an object.")
                   for n, item in enumerate(entries, start=1) if not isinstance(item, dict)]
    if not_objects:
        _refuse(not_objects)
    unknown = [RowError(n, str(key)[:40], f"Unknown field; the fields are {', '.join(COLUMNS)}.")
               for n, item in enumerate(entries, start=1) for key in item
               if str(key).strip().lower() not in COLUMNS]
    if unknown:
        _refuse(unknown)
    checked, errors = check_rows(list(enumerate(entries, start=1)), by=by,
                                 origin=SpendOrigin.API)
    if errors:
        _refuse(errors)
    _write(checked, by=by, reason=f"Pushed by API (a batch of {len(checked)})")
    return checked
