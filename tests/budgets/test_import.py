"""Spend imports: a good CSV or XLSX is written whole (origin, import, history, contracts
charged, alerts once); one bad row refuses the file with every bad row named and
nothing written; limits and ambiguous amounts are refused with a clear message."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import importing, initiatives
from budgets.choices import SpendOrigin
from budgets.importing import SpendImportRefused, spend_import, spend_import_template
from budgets.models import BudgetAlert, SpendEntry, SpendImport
from core.choices import Role

pytestmark = pytest.mark.django_db

D = Decimal


def csv_file(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def bot(victor, tooling_budget):
    return initiatives.initiative_propose(by=victor, title="Billing bot", budget=tooling_budget)


def test_a_good_csv_is_imported_whole(finance, vendor_budget, tooling_budget, contract, bot):
    content = csv_file(
        "Date,Amount,Budget,Vendor,Contract,Initiative,Invoice_Reference,Description,Cost_Type",
        f"2026-04-30,18400.00,{vendor_budget.pk},,{contract.reference},,INV-4411,AgentSeat,",
        f"15/05/2026,1 250.50,FY2026/Interaction tooling/cc-410,Skyline CCaaS,,"
        f"{bot.reference},INV-88,Bot licence,one_time",
        "16/05/2026,-50,FY2026/vendor_contracts/CC-410,,,,CN-1,Refund,recurring",
    )
    record = spend_import(by=finance, content=content, file_name="may.csv")
    assert (record.outcome, record.rows, record.total) == ("imported", 3, D("19600.50"))
    entries = list(SpendEntry.objects.order_by("date"))
    assert [(e.date, e.amount, e.budget_id) for e in entries] == [
        (date(2026, 4, 30), D("18400.00"), vendor_budget.pk),
        (date(2026, 5, 15), D("1250.50"), tooling_budget.pk),
        (date(2026, 5, 16), D("-50.00"), vendor_budget.pk)]
    first, second, _ = entries
    assert first.vendor == contract.vendor  # a contract alone gives its vendor
    assert (second.initiative, second.cost_type) == (bot, "one_time")
    assert {e.origin for e in entries} == {SpendOrigin.IMPORTED}
    assert {e.spend_import_id for e in entries} == {record.pk}
    assert first.history.get().history_change_reason == "Imported from may.csv"
    assert first.history.get().history_user == finance
    assert list(vendor_budget.contracts.all()) == [contract]


def test_a_good_xlsx_is_imported(finance, vendor_budget):
    content = xlsx_file([
        ["date", "amount", "budget", "invoice_reference"],
        [datetime(2026, 5, 2), 1234.56, vendor_budget.pk, 4411],
        ["2026-05-03", 10, "FY2026/Vendor contracts/CC-410", "INV-2"],
    ])
    record = spend_import(by=finance, content=content, file_name="may.xlsx")
    assert (record.rows, record.total) == (2, D("1244.56"))
    assert sorted(SpendEntry.objects.values_list("invoice_reference", flat=True)) == [
        "4411", "INV-2"]


def test_one_bad_row_refuses_the_file_naming_every_bad_row(finance, vendor_budget, contract,
                                                          victor):
    from vendors import services as vendor_services

    other = vendor_services.vendor_create(by=victor, name="Other BPO", category="bpo")
    content = csv_file(
        "date,amount,budget,vendor,contract,cost_type",
        f"2026-05-01,10.00,{vendor_budget.pk},,,",
        f"2026-05-01,1,234.56,{vendor_budget.pk},,,",
        f"31/02/2026,abc,{vendor_budget.pk},,,",
        f"2027-01-02,0,{vendor_budget.pk},Other BPO,{contract.reference},weekly",
        "2026-05-01,5,FY2026/tooling/CC-999,Nobody,,",
        f"2026-05-01,5,{vendor_budget.pk},,,",
    )
    with pytest.raises(SpendImportRefused) as refused:
        spend_import(by=finance, content=content, file_name="may.csv")
    rows = [(r["row"], r["column"]) for r in refused.value.rows]
    # Line 3's thousands separator shifted its columns: "234.56" is no budget, and the
    # budget's id no vendor's name.
    assert rows == [(3, "budget"), (3, "vendor"), (4, "date"), (4, "amount"), (5, "date"),
                    (5, "amount"), (5, "contract"), (5, "cost_type"), (6, "budget"),
                    (6, "vendor")]
    messages = {(r["row"], r["column"]): r["message"] for r in refused.value.rows}
    assert "outside FY2026" in messages[(5, "date")]
    assert "is a contract of Skyline CCaaS, not of Other BPO" in messages[(5, "contract")]
    assert "No vendor with the name “Nobody”" in messages[(6, "vendor")]
    assert "use YYYY-MM-DD or DD/MM/YYYY" in messages[(4, "date")]
    assert "4 rows have errors" in refused.value.message
    assert not SpendEntry.objects.exists()
    record = SpendImport.objects.get()
    assert (record.outcome, record.rows, record.file_name) == ("refused", 6, "may.csv")
    assert record.errors[0] == {"row": 3, "column": "budget",
                                "message": "Give the budget's id or FY2026/category/cost "
                                           "center code."}
    assert refused.value.record == record
    assert other.name == "Other BPO"


@pytest.mark.parametrize("amount", ['"1,234.56"', '"1234,56"', '"1.234,56"'])
def test_an_amount_with_a_comma_is_refused_as_ambiguous(finance, vendor_budget, amount):
    content = csv_file("date,amount,budget", f"2026-05-01,{amount},{vendor_budget.pk}")
    with pytest.raises(SpendImportRefused) as refused:
        spend_import(by=finance, content=content, file_name="may.csv")
    assert refused.value.rows == [{"row": 2, "column": "amount",
                                   "message": importing.COMMA_MESSAGE}]


def test_columns_must_be_known_and_the_required_ones_present(finance):
    content = csv_file("date,ammount,budget", "2026-05-01,1,1")
    with pytest.raises(SpendImportRefused) as refused:
        spend_import(by=finance, content=content, file_name="may.csv")
    assert [(r["row"], r["column"]) for r in refused.value.rows] == [(1, "ammount"),
                                                                    (1, "amount")]


def test_a_file_with_a_header_and_no_rows_is_refused(finance):
    with pytest.raises(SpendImportRefused):
        spend_import(by=finance, content=spend_import_template(), file_name="empty.csv")


def test_limits_are_refused_with_a_clear_message(finance, vendor_budget, monkeypatch):
    line = f"2026-05-01,1.00,{vendor_budget.pk}"
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(ValidationError) as refused:
        spend_import(by=finance, content=csv_file("date,amount,budget", line, line, line),
                     file_name="big.csv")
    assert refused.value.message_dict == {"file": ["More than 2 rows: split the file."]}
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    with pytest.raises(ValidationError) as refused:
        spend_import(by=finance, content=csv_file("date,amount,budget", line),
                     file_name="big.csv")
    assert "larger than" in refused.value.message_dict["file"][0]
    assert not SpendEntry.objects.exists() and not SpendImport.objects.exists()


def test_a_file_that_is_not_a_table_is_refused(finance):
    with pytest.raises(ValidationError) as refused:
        spend_import(by=finance, content=b"%PDF-1.4", file_name="invoice.pdf")
    assert refused.value.message_dict == {"file": ["Upload a .csv or .xlsx file."]}
    with pytest.raises(ValidationError):
        spend_import(by=finance, content=b"PK\x03\x04broken", file_name="may.xlsx")


def test_alerts_are_checked_once_per_touched_budget(finance, vendor_budget):
    content = csv_file("date,amount,budget", *[f"2026-05-0{n},48000.00,{vendor_budget.pk}"
                                               for n in range(1, 5)])
    spend_import(by=finance, content=content, file_name="big.csv")
    assert sorted(BudgetAlert.objects.values_list("scope", "threshold")) == [
        ("budget", 80), ("category", 80)]


def test_only_those_who_record_spend_import(make_user, vendor_budget):
    for role in (Role.VENDOR_MANAGER, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            spend_import(by=make_user(role), content=csv_file("date,amount,budget"),
                         file_name="x.csv")
    assert not SpendImport.objects.exists()


def test_the_template_is_the_header_row():
    assert spend_import_template() == (
        b"date,amount,budget,vendor,contract,initiative,invoice_reference,description,"
        b"cost_type\r\n")
