"""A vendor-year review pack to PDF, against WeasyPrint's own time, on PostgreSQL.

Issue 17: "A vendor-year pack (12 months, ~5 objectives, ~100 incidents, ~35,000
intervals behind the KPI figures) renders to PDF in under 2 × WeasyPrint's own time
for the final HTML, and its data gathering in a constant number of queries."

1. creates (or with ``--reuse`` keeps) its own database ``bench_switchboard_reports``
   and builds, with the apps' services, a carrier with a contract, 5 uptime objectives
   computed for each month of 2025 (their credits accrued), 100 attributed incidents
   (outages) spread over the year, 2 queues the vendor runs with a year of half-hour
   intervals (35,040 rows) and spend booked on the contract; and a second, small
   vendor (1 objective, 5 incidents, a month of intervals) for the query count;
2. times **(a)** our whole PDF generation — ``reports.packs.pack_data`` (gathering),
   ``render_html`` (template and the SVG charts, their cache cleared each run) and
   ``render_pdf`` — and **(b)** WeasyPrint alone (``core.printing.html_to_pdf``)
   on the final HTML of (a): the floor. Median of ``--repeat`` runs of each, and the
   ratio a ÷ b (target < 2);
3. counts the queries of ``pack_data`` for the small and the large vendor (must be
   equal).

Exits 1 when the ratio is 2 or more or the query counts differ.

    .venv/bin/python bench/bench_report_pack.py             # ~35,000 intervals, 3 runs
    .venv/bin/python bench/bench_report_pack.py --reuse     # measure the kept database again
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402  (needs the sys.path line above)
    drop_database,
    fmt_int,
    log,
    prepare_database,
    scalar,
    sql,
    timed,
    vacuum_analyze,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_switchboard_reports"
YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)
RATIO_TARGET = 2.0
BANDS = [{"kind": "value", "lower": "99.0", "upper": "99.99", "percent": "5"},
         {"kind": "value", "lower": "95.0", "upper": "99.0", "percent": "15"},
         {"kind": "value", "lower": None, "upper": "95.0", "percent": "100"}]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objectives", type=int, default=5)
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--queues", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def setup_django(url):
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("Refusing a database whose name does not contain 'bench'.")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()


def months_of(first: date, last: date):
    month = first
    while month <= last:
        yield month
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def build_vendor(name, *, objectives, incidents, queues, first_day, days, people):
    """A vendor with its contract, objectives computed monthly, outages, queues with
    half-hour intervals from ``first_day`` for ``days`` and monthly spend."""
    from budgets import services as budget_services
    from budgets.choices import BudgetCategory
    from budgets.models import CostCenter
    from incidents.models import Incident
    from kpis import services as kpi_services
    from kpis.models import IntervalStat
    from vendors import services as vendor_services
    from vendors import sla_services
    from vendors.models import VendorAttribution

    victor, finance = people
    vendor = vendor_services.vendor_create(by=victor, name=name, category="carrier")
    contract = vendor_services.contract_activate(contract=vendor_services.contract_create(
        by=victor, vendor=vendor, title=f"{name} SIP trunking", start_date=date(2024, 1, 1),
        end_date=date(2026, 12, 31), owner=victor, renewal_type="explicit",
        fee_lines=[{"name": "AgentSeat", "kind": "subscription", "amount": Decimal("18400")}]),
        by=victor)
    seat = contract.fee_lines.get(name="AgentSeat").pk
    made = [sla_services.objective_create(
        contract=contract, by=victor, name=f"Uptime {n + 1}", metric="uptime",
        target="99.99", schedule={"bands": BANDS, "fee_lines": [seat], "minimum_amount": "1",
                                  "minimum_rule": "more_than"}) for n in range(objectives)]
    year_minutes = (YEAR_END - YEAR_START).days * 24 * 60
    for n in range(incidents):
        start = datetime(2025, 1, 1, 3, tzinfo=UTC) + timedelta(
            minutes=n * year_minutes // max(incidents, 1))
        end = start + timedelta(minutes=20 + n % 7 * 15)
        incident = Incident.objects.create(
            reference=f"INC-{vendor.pk}-{n}", title=f"{name} outage {n + 1}",
            declared_by=victor, declared_at=start, contained_at=end, resolved_at=end,
            state="resolved")
        VendorAttribution.objects.create(vendor=vendor, incident=incident, added_by=victor,
                                         added_at=start)
    for objective in made:
        for month in months_of(YEAR_START, YEAR_END):
            sla_services.compliance_compute(objective=objective, period_start=month)
    for q in range(queues):
        queue = kpi_services.queue_create(by=victor, name=f"{name} inbound {q + 1}",
                                          channel="voice", vendor=vendor)
        first = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
        sql(f"""
            INSERT INTO {IntervalStat._meta.db_table}
              (queue_id, start, length_minutes, offered, answered, answered_within_threshold,
               abandoned, abandoned_within_threshold, short_abandons, callbacks_queued,
               handled, talk_seconds, hold_seconds, acw_seconds, answer_wait_seconds,
               transfers, fcr_contacts, fcr_resolved, fcr_not_resolvable, csat_responses,
               csat_satisfied, nps_responses, nps_promoters, nps_detractors)
            SELECT %s, s, 30, o + 6, o, (o * 0.8)::int, 5, 3, 1, 1,
                   o, o * 300, o * 30, o * 60, o * 15, 1, o, (o * 0.7)::int, 1,
                   (o * 0.1)::int, (o * 0.08)::int, (o * 0.1)::int, (o * 0.05)::int,
                   (o * 0.02)::int
            FROM generate_series(%s::timestamptz, %s::timestamptz - interval '30 minutes',
                                 interval '30 minutes') s,
                 LATERAL (SELECT 10 + floor(random() * 40)::int + (extract(epoch FROM s) * 0)::int
                          AS o) r
        """, [queue.pk, first, first + timedelta(days=days)])
    centre, _ = CostCenter.objects.get_or_create(code=f"CC-{vendor.pk}",
                                                 defaults={"name": f"{name} operations"})
    year = budget_services.fiscal_year_for(YEAR_END)
    budget = budget_services.budget_create(
        by=finance, fiscal_year=year, category=BudgetCategory.VENDOR_CONTRACTS,
        cost_center=centre, amount="400000.00", owner=finance)
    for month in months_of(YEAR_START, YEAR_END):
        budget_services.spend_record(by=finance, budget=budget, date=month + timedelta(days=4),
                                     amount=Decimal("18400.00"), vendor=vendor,
                                     contract=contract)
    return vendor


def load(args):
    from django.contrib.auth import get_user_model

    from core.choices import Role
    from tests.factories import UserFactory
    from vendors.models import Vendor

    people = get_user_model().objects
    victor = people.filter(username="bench-victor").first() or UserFactory(
        username="bench-victor", first_name="Victor", roles=[Role.VENDOR_MANAGER])
    finance = people.filter(username="bench-fiona").first() or UserFactory(
        username="bench-fiona", first_name="Fiona", roles=[Role.FINANCE])
    large = Vendor.objects.filter(name="Northwind Carrier").first()
    if large is None:
        with timed(f"build the large vendor ({args.objectives} objectives × 12 months, "
                   f"{args.incidents} incidents, {args.queues} queues × a year of intervals)"):
            large = build_vendor("Northwind Carrier", objectives=args.objectives,
                                 incidents=args.incidents, queues=args.queues,
                                 first_day=YEAR_START, days=365, people=(victor, finance))
    small = Vendor.objects.filter(name="Small Carrier").first()
    if small is None:
        with timed("build the small vendor (1 objective, 5 incidents, 1 queue × a month)"):
            small = build_vendor("Small Carrier", objectives=1, incidents=5, queues=1,
                                 first_day=date(2025, 6, 1), days=30, people=(victor, finance))
    vacuum_analyze("kpis_intervalstat", "vendors_compliance", "incidents_incident")
    return large, small


def median_seconds(fn, repeat):
    durations, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        durations.append(time.perf_counter() - began)
    return statistics.median(durations), durations, result


def main():
    args = parse_args()
    setup_django(args.database_url)
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # a line per page otherwise
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import charts
    from core.printing import html_to_pdf
    from kpis.models import IntervalStat
    from reports import packs
    from vendors.models import Vendor

    kept = prepare_database(args.reuse, "a fresh load")
    if kept and Vendor.objects.filter(name="Small Carrier").exists():
        large = Vendor.objects.get(name="Northwind Carrier")
        small = Vendor.objects.get(name="Small Carrier")
    else:
        large, small = load(args)  # builds what an interrupted earlier run left out
    intervals = scalar(f"SELECT count(*) FROM {IntervalStat._meta.db_table} i "
                       "JOIN kpis_queue q ON q.id = i.queue_id WHERE q.vendor_id = %s",
                       [large.pk])
    log(f"{large.name}: {fmt_int(intervals)} intervals behind the KPI figures")

    period = {"period_start": YEAR_START, "period_end": YEAR_END, "today": date(2026, 1, 15)}

    steps = {"gather": [], "html": [], "pdf": []}

    def whole():
        charts._render.cache_clear()  # every chart drawn, as in a fresh worker
        began = time.perf_counter()
        data = packs.pack_data(large, **period)
        gathered = time.perf_counter()
        html = packs.render_html(data)
        rendered = time.perf_counter()
        pdf = packs.render_pdf(html)
        steps["gather"].append(gathered - began)
        steps["html"].append(rendered - gathered)
        steps["pdf"].append(time.perf_counter() - rendered)
        return html, pdf

    (html, pdf) = whole()  # warm: imports, templates, fonts
    for values in steps.values():
        values.clear()
    ours, ours_all, (html, pdf) = median_seconds(whole, args.repeat)
    floor, floor_all, _ = median_seconds(lambda: html_to_pdf(html), args.repeat)
    ratio = ours / floor
    data = packs.pack_data(large, **period)
    log(f"  pack: {len(data.tables['incidents'].rows)} incidents, "
        f"{len(data.objective_trends)} objective charts, {len(data.tables['scorecard'].rows)} "
        f"scorecard rows, HTML {len(html) // 1024} KiB, PDF {len(pdf) // 1024} KiB")
    log(f"  (a) our PDF generation: median {ours:.2f} s "
        f"({', '.join(f'{d:.2f}' for d in ours_all)})")
    log("      of which " + ", ".join(f"{name} {statistics.median(values):.2f} s"
                                    for name, values in steps.items())
        + " (gather: pack_data; html: template and SVG charts; pdf: WeasyPrint)")
    log(f"  (b) WeasyPrint alone on the final HTML: median {floor:.2f} s "
        f"({', '.join(f'{d:.2f}' for d in floor_all)})")
    log(f"  ratio a ÷ b: {ratio:.2f} (target < {RATIO_TARGET:.0f})")

    counts = {}
    for vendor in (small, large):
        packs.pack_data(vendor, **period)  # warm the content types and caches
        with CaptureQueriesContext(connection) as captured:
            packs.pack_data(vendor, **period)
        counts[vendor.name] = len(captured)
    log("  pack_data queries: " + ", ".join(f"{name} {n}" for name, n in counts.items()))

    failed = ratio >= RATIO_TARGET or len(set(counts.values())) != 1
    if not args.keep:
        drop_database()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
