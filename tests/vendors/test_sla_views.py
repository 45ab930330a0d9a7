"""SLA pages: the objective editor and its worked example, the vendor's SLA report
import (every bad row named, nothing written), the credit ledger's filters, a credit's
steps, the claim letter, the scorecard card and the ranking, per role."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.choices import Role
from vendors import sla_services
from vendors.choices import CreditState
from vendors.models import Measurement, ServiceCredit, SlaObjective

from .sla_helpers import ccaas_contract, outage, uptime_objective

pytestmark = pytest.mark.django_db

APRIL_OUTAGE = datetime(2026, 4, 14, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def contract(victor, carrier):
    return ccaas_contract(victor, carrier)


@pytest.fixture
def web(client, victor):
    client.force_login(victor)
    return client


@pytest.fixture
def credit(victor, carrier, contract):
    objective = uptime_objective(victor, contract)
    outage(victor, carrier, APRIL_OUTAGE, 240)
    return sla_services.compliance_compute(objective=objective,
                                           period_start=date(2026, 4, 1)).credit


EDITOR = {"name": "Monthly uptime", "metric": "uptime", "comparator": "at_least",
          "target": "99.99", "period": "month", "uptime_formula": "excluded_added_back",
          "excluded_kinds": ["maintenance", "force_majeure"],
          "band_0_kind": "value", "band_0_lower": "99.0", "band_0_upper": "99.99",
          "band_0_percent": "5", "band_1_kind": "value", "band_1_lower": "95.0",
          "band_1_upper": "99.0", "band_1_percent": "15", "band_2_kind": "value",
          "band_2_upper": "95.0", "band_2_percent": "100", "minimum_amount": "1",
          "minimum_rule": "more_than", "claim_window_days": "30",
          "claim_window_from": "period_end", "payment": "future_invoices"}


def test_the_editor_shows_a_worked_example_as_you_type(web, contract):
    seat = contract.fee_lines.get(name="AgentSeat").pk
    response = web.get(f"/vendors/contracts/{contract.pk}/objectives/preview/",
                       {**EDITOR, "fee_lines": [str(seat)], "example_value": "99.45"})
    assert response.status_code == 200
    html = response.content.decode()
    assert ('data-testid="example-explanation">99.45 % &lt; 99.99 % and ≥ 99.0 % → 5 % of '
            "AgentSeat fees EUR 18,400.00 = EUR 920.00") in html


def test_saving_the_editor_defines_the_objective(web, contract):
    seat = contract.fee_lines.get(name="AgentSeat").pk
    response = web.post(f"/vendors/contracts/{contract.pk}/objectives/add/",
                        {**EDITOR, "fee_lines": [str(seat)]})
    objective = SlaObjective.objects.get()
    assert response.status_code == 302 and response.url == objective.get_absolute_url()
    assert objective.schedule.bands.count() == 3
    assert list(objective.schedule.fee_lines.values_list("name", flat=True)) == ["AgentSeat"]


def test_a_bad_band_in_the_editor_is_a_400_saying_which(web, contract):
    response = web.post(f"/vendors/contracts/{contract.pk}/objectives/add/",
                        {**EDITOR, "band_0_lower": "99.99", "band_0_upper": "99.0"})
    assert response.status_code == 400
    assert "Band 1: upper must be above the lower bound." in response.content.decode()
    assert not SlaObjective.objects.exists()


def test_a_viewer_sees_objectives_but_no_editor_and_cannot_post(client, viewer, contract,
                                                               victor):
    uptime_objective(victor, contract)
    client.force_login(viewer)
    page = client.get(f"/vendors/contracts/{contract.pk}/objectives/")
    assert page.status_code == 200 and b'data-testid="objective-form"' not in page.content
    assert client.post(f"/vendors/contracts/{contract.pk}/objectives/add/",
                       EDITOR).status_code == 403
    assert SlaObjective.objects.count() == 1


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_import_names_every_bad_row_and_writes_nothing(web, victor, contract):
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="QA score", metric="qa_score", target="90",
        schedule={"bands": [{"kind": "value", "upper": "90", "percent": "3"}]})
    content = _xlsx([["objective", "period_start", "value", "detail"],
                     ["QA score", "2026-03-01", 92, "ok"],
                     ["QA score", "2026-04-01", "ninety", ""],
                     ["Nope", "2026-04-01", 80, ""],
                     ["QA score", "01/04/2026", 80, ""]])
    response = web.post(f"/vendors/objectives/{objective.pk}/import/",
                        {"file": SimpleUploadedFile("report.xlsx", content)})
    assert response.status_code == 400
    html = response.content.decode()
    for expected in ("Row 3, value: Give a number.",
                     "Row 4, objective: no objective &#x27;Nope&#x27; on",
                     "Row 5, period_start: a date as YYYY-MM-DD."):
        assert expected in html
    assert not Measurement.objects.exists()
    csv = b"objective,period_start,value\nQA score,2026-03-01,92\nQA score,2026-04-01,88\n"
    response = web.post(f"/vendors/objectives/{objective.pk}/import/",
                        {"file": SimpleUploadedFile("report.csv", csv)})
    assert response.status_code == 302
    assert Measurement.objects.filter(origin="imported").count() == 2
    assert ServiceCredit.objects.get().amount == round(18400 * 3 / 100, 2)


def test_the_ledger_filters_due_claimed_and_overdue(web, credit, victor):
    assert b'data-testid="credit-row"' in web.get("/vendors/credits/?show=due").content
    assert b'data-testid="credit-row"' not in web.get("/vendors/credits/?show=claimed").content
    with time_machine.travel(datetime(2026, 6, 5, tzinfo=UTC), tick=False):
        web.force_login(victor)  # the session of May has expired by June
        overdue = web.get("/vendors/credits/?show=overdue")
    assert b'data-testid="credit-row"' in overdue.content
    assert web.get("/vendors/credits/?show=nonsense").status_code == 400


@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 403), (Role.INCIDENT_RESPONDER, 403),
                                              (Role.FINANCE, 200), (Role.MANAGER, 200)])
def test_credits_are_money(client, make_user, credit, role, status):
    client.force_login(make_user(role))
    assert client.get("/vendors/credits/").status_code == status
    assert client.get(f"/vendors/credits/{credit.pk}/").status_code == status


def test_claiming_on_the_page_and_the_letter(web, credit):
    page = web.get(f"/vendors/credits/{credit.pk}/")
    assert b'data-testid="credit-do-claim"' in page.content
    assert b'data-testid="credit-do-receive"' not in page.content
    response = web.post(f"/vendors/credits/{credit.pk}/claim/", {"amount": "", "note": ""},
                        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    credit.refresh_from_db()
    assert credit.state == CreditState.CLAIMED
    refused = web.post(f"/vendors/credits/{credit.pk}/waive/", {"reason": ""},
                       HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and b"Say why the credit is waived." in refused.content
    letter = web.get(f"/vendors/credits/{credit.pk}/letter.md")
    assert letter["Content-Type"].startswith("text/markdown")
    assert b"Total claimed: EUR 920.00" in letter.content


def test_the_claim_letter_as_a_page_and_a_pdf_to_attach(web, credit):
    import io

    from pypdf import PdfReader

    page = web.get(f"/vendors/credits/{credit.pk}/").content.decode()
    assert f'href="/vendors/credits/{credit.pk}/letter.pdf"' in page
    html = web.get(f"/vendors/credits/{credit.pk}/letter/").content.decode()
    assert "<table>" in html and "Total claimed: EUR 920.00" in html
    assert "<script" not in html.split('data-testid="claim-letter-body"')[1]
    response = web.get(f"/vendors/credits/{credit.pk}/letter.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('-2026-04.pdf"')
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Total claimed: EUR 920.00" in text and "Northwind Telecom" in text


@pytest.mark.parametrize("suffix", ["letter.md", "letter/", "letter.pdf"])
def test_a_claim_letter_is_money_too(client, make_user, credit, suffix):
    client.force_login(make_user(Role.VIEWER))
    assert client.get(f"/vendors/credits/{credit.pk}/{suffix}").status_code == 403


def test_the_vendor_page_has_the_scorecard_and_the_ranking_lists_it(web, credit, carrier):
    page = web.get(f"/vendors/{carrier.pk}/").content.decode()
    assert 'data-testid="scorecard-score">0.0<' in page
    assert 'data-testid="credits-owed">920.00<' in page
    ranking = web.get("/vendors/scorecards/")
    assert b"Northwind Telecom" in ranking.content
    assert web.get("/vendors/scorecards/?month=13-2026").status_code == 400


def test_the_dashboard_shows_money_lost_to_a_missed_window(web, credit, victor):
    from vendors.credit_deadlines import credit_deadlines_sweep

    credit_deadlines_sweep(now=datetime(2026, 6, 2, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 6, 2, 9, tzinfo=UTC), tick=False):
        web.force_login(victor)
        page = web.get("/").content.decode()
    assert 'data-testid="credits-lost"' in page and "Money lost: EUR 920.00" in page
