"""The pack's content equals the other apps' selectors; its formats open."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kpis.models import COUNT_FIELDS, IntervalStat
from reports import packs
from tests.reports.conftest import build_world
from vendors.models import Compliance, ServiceCredit
from vendors.selectors import downtime_by_vendor
from vendors.sla import instant
from vendors.sla_selectors import score_trend

Q1 = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
APRIL = {"period_start": date(2026, 4, 1), "period_end": date(2026, 4, 30)}


def test_pack_numbers_equal_the_selectors(world, platform):
    data = packs.pack_data(platform, **APRIL)
    compliance = Compliance.objects.filter(objective__contract__vendor=platform,
                                           period_start=date(2026, 4, 1))
    assert {(r[0], r[3]) for r in data.tables["scorecard"].rows} == {
        (c.objective.name, c.value) for c in compliance}
    trend = score_trend(platform, month=date(2026, 4, 1))
    assert [r[1] for r in data.tables["score_trend"].rows] == [p["score"] for p in trend]
    downtime = downtime_by_vendor([platform.pk], start=instant(date(2026, 4, 1)),
                                  end=instant(date(2026, 5, 1)))[platform.pk]
    assert sum(r[5] for r in data.tables["incidents"].rows) == sum(
        d.minutes for d in downtime.incidents)
    assert data.downtime_minutes == downtime.minutes
    credits = ServiceCredit.objects.filter(vendor=platform)
    assert data.credit_totals["accrued"] == sum(c.amount for c in credits)
    assert len(data.tables["credits"].rows) == credits.count() > 0
    spend = {r[0]: r[2] for r in data.tables["spend"].rows}
    assert spend[world.reference] == Decimal("36800.00")
    assert [r[1] for r in data.tables["queues"].rows] == [300, 300]
    assert [r[1] for r in data.tables["escalations"].rows] == ["Calls drop 1", "Calls drop 2"]
    budget = data.tables["budgets"].rows
    assert [(row[2], row[4]) for row in budget] == [(Decimal("240000.00"),
                                                     Decimal("36800.00"))]


def test_a_notice_date_within_120_days_brings_the_renewal_brief(world, platform):
    data = packs.pack_data(platform, **APRIL)
    assert [r["contract"].title for r in data.renewals] == ["Workforce add-on"]
    brief = data.renewals[0]
    assert brief["suggestion"] in ("renew", "renegotiate", "exit")
    assert brief["evidence"]["incidents"] == 2


def test_the_formats_open(world, platform):
    data = packs.pack_data(platform, **APRIL)
    html = packs.render_html(data)
    assert 'data-testid="incident-timeline"' in html and "INC-S-" in html
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(packs.render_pdf(html))).pages)
    assert "Skyline CCaaS" in text
    assert "Uptime 1" in text and "Uptime 2" in text
    book = load_workbook(io.BytesIO(packs.render_xlsx(data)))
    assert {"contracts", "scorecard", "credits", "incidents", "spend"} <= set(book.sheetnames)
    scorecard = book["scorecard"]
    assert isinstance(scorecard["D2"].value, int | float)  # the value: a number
    assert isinstance(scorecard["B2"].value, datetime)  # the period: a date
    assert isinstance(book["contracts"]["F2"].value, datetime)  # the notice date
    assert book["score_trend"]._charts  # the native line chart
    archive = zipfile.ZipFile(io.BytesIO(packs.render_csv_zip(data)))
    assert "scorecard.csv" in archive.namelist()
    assert "Uptime 1" in archive.read("scorecard.csv").decode()


@pytest.mark.parametrize("size", [1, 4])
def test_gathering_takes_a_constant_number_of_queries(size, victor, finance, platform,
                                                      django_assert_num_queries):
    build_world(victor, finance, platform, size=size)
    with django_assert_num_queries(QUERIES):
        packs.pack_data(platform, **APRIL)


QUERIES = 20


def test_each_incident_comes_with_its_typed_timeline_and_each_queue_with_its_kpi_trend(
        world, platform, victor):
    """Typed entries are worded by their type (free notes stay out of the pack); the
    queues' charts are the KPI page's own service-level chart, drawn to SVG."""
    from core.timeline import state_changed
    from core.work_items import timeline_add
    from incidents.models import Incident
    from kpis.selectors import intervals_in, sums_for

    incident = Incident.objects.filter(vendor_attributions__vendor=platform).order_by(
        "declared_at").first()
    timeline_add(incident, "transition", event="state-changed",
                 params={**state_changed(incident, "Contained", "Trunk rerouted to Frankfurt"),
                         "state": "contained"},
                 by=victor, at=datetime(2026, 4, 10, 10, 30, tzinfo=UTC))
    timeline_add(incident, "note", "Ring Anna at home about this", by=victor,
                 at=datetime(2026, 4, 10, 10, 40, tzinfo=UTC))
    data = packs.pack_data(platform, **APRIL)
    timeline = {item["reference"]: item for item in data.incident_timelines}
    assert len(timeline) == len(data.tables["incidents"].rows) == 2
    entries = [text for _, _, text in timeline[incident.reference]["entries"]]
    assert any("Contained: Trunk rerouted to Frankfurt" in text for text in entries)
    assert not any("Ring Anna" in text for text in entries)
    assert [row[0] for row in data.tables["incident_timeline"].rows].count(
        incident.reference) == len(entries)

    # April's figures of each queue equal the KPI selectors' for that queue and month.
    assert len(data.queue_trends) == 2
    assert 'data-testid="queue-chart"' not in packs.render_html(data)  # one month: no trend
    for trend in data.queue_trends:
        IntervalStat.objects.create(
            queue=trend["queue"], start=datetime(2026, 3, 9, 9, tzinfo=UTC), length_minutes=30,
            **{**dict.fromkeys(COUNT_FIELDS, 0), "offered": 50, "answered": 45,
               "abandoned": 5, "answered_within_threshold": 40})
    data = packs.pack_data(platform, **APRIL)
    for trend in data.queue_trends:
        (march, _), (month, figures) = trend["points"]
        assert march == date(2026, 3, 1)
        sums = sums_for(intervals_in(instant(date(2026, 4, 1)), instant(date(2026, 5, 1)),
                                     queue_ids=[trend["queue"].pk]))
        assert month == date(2026, 4, 1)
        assert figures["offered"] == sums["offered"] == 300
    html = packs.render_html(data)
    assert html.count('data-testid="queue-chart"') == 2
    assert 'data-testid="incident-timelines"' in html and "Trunk rerouted" in html
    assert "Ring Anna" not in html
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(packs.render_pdf(html))).pages)
    assert "Incident timelines" in text and "Trunk rerouted to Frankfurt" in text
    assert "service level by month" in text


def test_vendors_public_score_selectors_read_several_vendors_in_one_query(
        world, platform, django_assert_num_queries):
    """The executive page's vendor trend reads vendors.sla_selectors.scores_by_month (one
    query for every vendor); it agrees with score_trend, which reads one vendor."""
    from vendors.sla_selectors import compliance_between, month_scores, scores_by_month

    with django_assert_num_queries(1):
        scores = scores_by_month([platform.pk], first=date(2026, 2, 1), month=date(2026, 4, 1))
    trend = score_trend(platform, month=date(2026, 4, 1), periods=3)
    assert scores == {(platform.pk, p["month"]): p["score"] for p in trend}
    rows = compliance_between(None, date(2026, 4, 1), date(2026, 5, 1))
    assert month_scores(rows)[(platform.pk, date(2026, 4, 1))] == trend[-1]["score"]
