"""The vendor review pack: what it contains, and its four formats.

:func:`pack_data` gathers, for a vendor and a period, only through other apps'
selectors and models — reports computes no figure of its own. It runs in a constant
number of queries whatever the number of objectives, incidents or queues (tested with
``django_assert_num_queries`` at two sizes). Every section is a list of
:class:`Table` rows holding real values (``Decimal``, ``date``, ``datetime``), so the
HTML/PDF, the XLSX (one sheet per table, real numbers and dates) and the CSVs are
three renderings of the same rows.

Charts: one Vega-Lite spec per objective (its value over 12 months against the
target), the vendor's monthly score (``vendors.sla_selectors.score_trend``) and, per
queue the vendor runs, the KPI page's own service-level chart
(``kpis.charts.service_level_trend``) over 12 months — rendered to SVG by
``core.charts.svg`` for both the page and the PDF. Each attributed incident comes
with its typed timeline (``incidents.selectors.timelines_of``, worded by
``entry.render()``).
"""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

RENEWAL_HORIZON_DAYS = 120
TREND_PERIODS = 12


@dataclass
class Table:
    key: str  # the XLSX sheet and CSV file name
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: tuple[int, ...] = ()  # column positions shown right-aligned


@dataclass
class PackData:
    vendor: object
    period_start: date
    period_end: date  # the last day
    today: date
    contracts: list
    tables: dict  # key → Table
    objective_trends: list  # [{"name", "target", "comparator", "points": [(month, value)]}]
    score_trend: list  # vendors.sla_selectors.score_trend
    credit_totals: dict
    downtime_minutes: int
    renewals: list  # [{"contract", "days_left", "evidence": {...}, "suggestion"}]
    action_items: list
    currency: str
    # [{"reference", "title", "minutes", "entries": [(at, kind, text)]}] per incident
    incident_timelines: list = field(default_factory=list)
    # [{"queue", "points": [(month, figures)]}]: 12 months per queue the vendor runs
    queue_trends: list = field(default_factory=list)

    def fingerprint(self) -> str:
        """The data version: a hash of every value the pack shows."""
        payload = {key: table.rows for key, table in self.tables.items()}
        payload["score"] = [(p["month"], p["score"]) for p in self.score_trend]
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _months(last_month: date, count: int) -> list[date]:
    from vendors import sla

    months = [last_month]
    for _ in range(count - 1):
        months.insert(0, sla.previous_period(months[0], "month"))
    return months


def _naive(value):
    return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) else value


def pack_data(vendor, *, period_start: date, period_end: date, today: date | None = None,
              exclude_review=None) -> PackData:
    """Everything the pack shows for ``vendor`` in ``[period_start, period_end]``."""
    from budgets.models import Budget, SpendEntry
    from budgets.selectors import (
        budget_lines,
        budgets_with_contracts,
        contract_committed,
        current_year,
    )
    from incidents.selectors import timelines_of
    from kpis.models import Queue
    from kpis.selectors import monthly_figures_by_queue, queue_overview
    from vendors import sla
    from vendors.choices import LIVE_CONTRACT_STATES, ContractState, CreditState
    from vendors.models import Compliance, Contract, ServiceCredit, VendorAttribution
    from vendors.selectors import downtime_by_vendor
    from vendors.sla_selectors import score_trend

    from .choices import ActionItemState
    from .models import ReviewActionItem

    today = today or timezone.localdate()
    start_at = sla.instant(period_start)
    end_at = sla.instant(period_end + timedelta(days=1))
    last_month = sla.period_start(period_end, "month")
    months = _months(last_month, TREND_PERIODS)
    tables = {}

    # Contracts (1 query + fee lines prefetched: 1).
    contracts = list(Contract.objects.filter(vendor=vendor).exclude(state=ContractState.DRAFT)
                     .select_related("owner").prefetch_related("fee_lines")
                     .order_by("start_date", "pk"))
    currency = contracts[0].currency if contracts else ""
    tables["contracts"] = Table(
        "contracts", "Contracts and next dates",
        ["Reference", "Title", "State", "Start", "End", "Notice date", "Renewal", "Value",
         "Owner"],
        [[c.reference, c.title, c.get_state_display(), c.start_date, c.end_date, c.notice_date,
          c.get_renewal_type_display(), c.value,
          (c.owner.get_full_name() or c.owner.username) if c.owner else ""] for c in contracts],
        numeric=(7,))

    # SLA compliance over 12 months (1 query) and the weighted score trend (1 query).
    compliance = list(Compliance.objects.filter(
        objective__contract__vendor=vendor, period_start__gte=months[0],
        period_start__lte=period_end).select_related("objective")
        .order_by("objective__name", "period_start", "pk"))
    trend = score_trend(vendor, month=last_month, periods=TREND_PERIODS)
    in_period = [row for row in compliance if period_start <= row.period_start <= period_end]
    tables["scorecard"] = Table(
        "scorecard", "SLA scorecard",
        ["Objective", "Period", "Target", "Value", "Met", "Score", "Credit"],
        [[row.objective.name, row.period_start, row.objective.target, row.value,
          "met" if row.met else "missed", row.score, row.credit_amount] for row in in_period],
        numeric=(2, 3, 5, 6))
    by_objective = {}
    for row in compliance:
        entry = by_objective.setdefault(row.objective.name, {
            "name": row.objective.name, "target": row.objective.target,
            "comparator": row.objective.comparator, "values": {}})
        entry["values"][sla.period_start(row.period_start, "month")] = row.value
    objective_trends = [{**entry, "points": [(m, entry["values"].get(m)) for m in months]}
                        for entry in by_objective.values()]
    tables["score_trend"] = Table(
        "score_trend", "Monthly score (12 months)", ["Month", "Score"],
        [[p["month"], p["score"]] for p in trend], numeric=(1,))
    tables["reconciliation"] = Table(
        "reconciliation", "Reconciliation: vendor-reported against self-measured",
        ["Objective", "Period", "Vendor figure", "Our figure", "Difference", "Flagged"],
        [[row.objective.name, row.period_start, row.vendor_value, row.self_value,
          row.difference, "yes" if row.flagged else ""]
         for row in in_period if row.vendor_value is not None or row.self_value is not None],
        numeric=(2, 3, 4))

    # Misses and their credits (1 query).
    credits = list(ServiceCredit.objects.filter(
        vendor=vendor, period_start__gte=period_start, period_start__lte=period_end)
        .select_related("objective", "contract").order_by("period_start", "pk"))
    overdue = [c for c in credits if c.state == CreditState.ACCRUED and c.claim_deadline < today]
    tables["credits"] = Table(
        "credits", "Misses and service credits",
        ["Objective", "Period", "Contract", "State", "Due", "Claimed", "Received",
         "Claim deadline", "Overdue"],
        [[c.objective.name, c.period_start, c.contract.reference, c.get_state_display(),
          c.amount, c.claimed_amount, c.received_amount, c.claim_deadline,
          "overdue" if c in overdue else ""] for c in credits],
        numeric=(4, 5, 6))
    credit_totals = {
        "accrued": sum((c.amount for c in credits if c.state == CreditState.ACCRUED), Decimal(0)),
        "claimed": sum((c.claimed_amount or 0 for c in credits if c.claimed_at), Decimal(0)),
        "received": sum((c.received_amount or 0 for c in credits
                         if c.state == CreditState.RECEIVED), Decimal(0)),
        "overdue": len(overdue), "count": len(credits)}

    # Incidents attributed, with their downtime (3 queries).
    downtime = downtime_by_vendor([vendor.pk], start=start_at, end=end_at)[vendor.pk]
    tables["incidents"] = Table(
        "incidents", "Incidents attributed and their downtime",
        ["Incident", "Title", "Started", "Ended", "Ongoing", "Downtime (minutes)"],
        [[d.incident.reference, d.incident.title, _naive(d.start), _naive(d.end),
          "yes" if d.ongoing else "", d.minutes] for d in downtime.incidents],
        numeric=(5,))

    # Each attributed incident's typed timeline (1 query).
    incidents = {d.incident.pk: d for d in downtime.incidents}
    timelines = timelines_of(list(incidents))
    incident_timelines = [{"reference": d.incident.reference, "title": d.incident.title,
                           "minutes": d.minutes,
                           "entries": [(entry.at, entry.get_kind_display(), entry.render())
                                       for entry in timelines[pk]]}
                          for pk, d in incidents.items()]
    tables["incident_timeline"] = Table(
        "incident_timeline", "Incident timelines", ["Incident", "At", "Kind", "Entry"],
        [[item["reference"], _naive(at), kind, text]
         for item in incident_timelines for at, kind, text in item["entries"]])

    # Escalations attributed (1 query).
    escalations = list(VendorAttribution.objects.filter(
        vendor=vendor, escalation__isnull=False, escalation__created_at__gte=start_at,
        escalation__created_at__lt=end_at).select_related("escalation")
        .order_by("escalation__created_at", "pk"))
    tables["escalations"] = Table(
        "escalations", "Escalations attributed",
        ["Escalation", "Summary", "Category", "Priority", "State", "Opened"],
        [[a.escalation.reference, a.escalation.summary, a.escalation.get_category_display(),
          a.escalation.priority, a.escalation.get_state_display(),
          _naive(a.escalation.created_at)] for a in escalations])

    # KPI figures of the queues the vendor runs (2 queries).
    overview = queue_overview(start_at, end_at, queues=Queue.objects.filter(vendor=vendor))
    tables["queues"] = Table(
        "queues", "Queues the vendor runs",
        ["Queue", "Offered", "Answered", "Service level %", "Target %", "Abandon rate %",
         "AHT (s)", "CSAT %"],
        [[q["queue"].name, q["figures"]["offered"], q["figures"]["answered"],
          q["figures"]["service_level"], q["queue"].target_percent,
          q["figures"]["abandon_rate"], q["figures"]["aht"], q["figures"]["csat"]]
         for q in overview], numeric=(1, 2, 3, 4, 5, 6, 7))

    # Each queue's KPI trend over the 12 months ending with the period (1 query).
    by_queue = monthly_figures_by_queue(sla.instant(months[0]), end_at,
                                        queues=[q["queue"] for q in overview])
    queue_trends = [{"queue": q["queue"], "points": by_queue[q["queue"].pk]}
                    for q in overview]
    tables["queue_trend"] = Table(
        "queue_trend", "Queues by month (12 months)",
        ["Queue", "Month", "Offered", "Service level %", "Abandon rate %", "AHT (s)"],
        [[t["queue"].name, month, figures["offered"], figures["service_level"],
          figures["abandon_rate"], figures["aht"]]
         for t in queue_trends for month, figures in t["points"]], numeric=(2, 3, 4, 5))

    # Spend against the contracts' committed fees (1 query; fee lines prefetched).
    spent = {row["contract_id"]: row["total"] for row in SpendEntry.objects.filter(
        vendor=vendor, date__gte=period_start, date__lte=period_end)
        .values("contract_id").annotate(total=Sum("amount")).order_by("contract_id")}
    spend_rows = []
    for c in contracts:
        committed = contract_committed(c, period_start, period_end)
        actual = Decimal(spent.pop(c.pk, 0) or 0).quantize(Decimal("0.01"))
        spend_rows.append([c.reference, committed, actual, actual - committed])
    if spent:
        other = Decimal(sum(v or 0 for v in spent.values())).quantize(Decimal("0.01"))
        spend_rows.append(["No contract", Decimal(0), other, other])
    tables["spend"] = Table(
        "spend", "Spend against committed fees",
        ["Contract", "Committed in period", "Spent", "Difference"], spend_rows,
        numeric=(1, 2, 3))

    # The budgets that hold the vendor's contracts, in the fiscal year of the period's
    # end, as of that day (budgets' own figures: ~5 queries).
    year = current_year(period_end)
    lines = budget_lines(budgets_with_contracts(Budget.objects.filter(
        fiscal_year=year, contracts__vendor=vendor).distinct().order_by("pk")),
        min(period_end, today)) if year else []
    tables["budgets"] = Table(
        "budgets", "Budgets holding the vendor's contracts",
        ["Budget", "Fiscal year", "Planned", "Planned to date", "Actual", "Committed",
         "Forecast", "Status"],
        [[line.budget.label, str(line.budget.fiscal_year), line.planned,
          line.planned_to_date, line.actual, line.committed,
          max(line.run_rate_forecast, line.committed_forecast), line.status]
         for line in lines], numeric=(2, 3, 4, 5, 6))

    # Open action items from earlier reviews (1 query).
    items = ReviewActionItem.objects.filter(review__vendor=vendor, state=ActionItemState.OPEN)
    if exclude_review is not None:
        items = items.exclude(review=exclude_review)
    action_items = list(items.select_related("owner", "review").order_by("due_date", "pk"))
    tables["action_items"] = Table(
        "action_items", "Open action items from earlier reviews",
        ["Action", "Owner", "Due", "Agreed at"],
        [[i.title, i.owner.get_full_name() or i.owner.username, i.due_date,
          i.review.meeting_date] for i in action_items])

    # The renewal brief: a contract whose notice date falls within 120 days.
    scores = [p["score"] for p in trend if p["score"] is not None]
    mean_score = (sum(scores) / len(scores)).quantize(Decimal("0.01")) if scores else None
    misses = sum(1 for row in compliance if not row.met)
    renewals = []
    for c in contracts:
        days_left = (c.notice_date - today).days
        if c.state in LIVE_CONTRACT_STATES and 0 <= days_left <= RENEWAL_HORIZON_DAYS:
            evidence = {"mean_score": mean_score, "misses": misses,
                        "credits_due": credit_totals["accrued"],
                        "credits_received": credit_totals["received"],
                        "incidents": len(downtime.incidents),
                        "downtime_minutes": downtime.minutes,
                        "spent": sum((r[2] for r in spend_rows if r[0] == c.reference),
                                     Decimal(0))}
            renewals.append({"contract": c, "days_left": days_left, "evidence": evidence,
                             "suggestion": renewal_suggestion(mean_score, misses)})
    return PackData(vendor, period_start, period_end, today, contracts, tables,
                    objective_trends, trend, credit_totals, downtime.minutes, renewals,
                    action_items, currency, incident_timelines, queue_trends)


def renewal_suggestion(mean_score, misses) -> str:
    """The brief's opening line, for people to argue with: renew when the vendor met
    its objectives, renegotiate when it mostly did, consider exit otherwise."""
    if mean_score is None:
        return "renegotiate"
    if mean_score >= 95 and misses <= 1:
        return "renew"
    return "renegotiate" if mean_score >= 80 else "exit"


# --- Charts -----------------------------------------------------------------------------------


def _float(value):
    return float(value) if value is not None else None


def objective_chart(trend: dict) -> dict:
    values = [{"month": f"{m:%b %y}", "value": _float(v)} for m, v in trend["points"]]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": trend["name"], "width": 520, "height": 160,
        "data": {"values": values},
        # The month axis belongs to the line only: a rule inheriting it would be drawn
        # as one vertical line per month instead of the target across the chart.
        "layer": [
            {"mark": {"type": "line", "point": True, "color": "#4f46e5"},
             "encoding": {"x": {"field": "month", "type": "ordinal", "title": None,
                                "sort": None, "axis": {"labelAngle": -45}},
                          "y": {"field": "value", "type": "quantitative", "title": "Value",
                                "scale": {"zero": False}}}},
            {"mark": {"type": "rule", "color": "#dc2626", "strokeDash": [4, 4]},
             "encoding": {"y": {"datum": float(trend["target"]), "type": "quantitative"}}},
        ],
    }


def score_chart(trend: list) -> dict:
    values = [{"month": p["label"], "score": _float(p["score"])} for p in trend]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Weighted SLA score", "width": 520, "height": 160,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "color": "#15803d"},
        "encoding": {"x": {"field": "month", "type": "ordinal", "title": None, "sort": None,
                           "axis": {"labelAngle": -45}},
                     "y": {"field": "score", "type": "quantitative", "title": "Score",
                           "scale": {"domain": [0, 100]}}},
    }


def incident_timeline_chart(table: Table) -> dict:
    """The attributed incidents as bars from start to end (one row each)."""
    values = [{"incident": f"{row[0]} {row[1]}"[:60], "start": row[2].isoformat(),
               "end": row[3].isoformat(), "minutes": row[5]} for row in table.rows]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Incident timeline (UTC)", "width": 520,
        "height": {"step": 18},
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#b91c1c", "minBandSize": 3},
        "encoding": {
            "y": {"field": "incident", "type": "nominal", "title": None, "sort": None},
            "x": {"field": "start", "type": "temporal", "title": None},
            "x2": {"field": "end"},
            "tooltip": [{"field": "incident"}, {"field": "minutes", "title": "Minutes"}]},
    }


# --- Formats ----------------------------------------------------------------------------------


def queue_chart(trend: dict) -> dict:
    """The KPI page's service-level chart (one definition: ``kpis.charts``) of a queue
    by month."""
    from kpis.charts import service_level_trend

    return service_level_trend(
        [(f"{month:%b %y}", figures["service_level"], figures["offered"])
         for month, figures in trend["points"]],
        target=trend["queue"].target_percent,
        title=f"{trend['queue'].name}: service level by month")


def render_html(data: PackData, *, pack=None) -> str:
    from core.charts import svg

    charts = [{"name": t["name"], "svg": svg(objective_chart(t))} for t in data.objective_trends]
    # A trend needs two months: one point in an empty frame says nothing (the month's
    # figures are in the queues' table).
    queue_charts = [{"name": t["queue"].name, "svg": svg(queue_chart(t))}
                    for t in data.queue_trends if len(t["points"]) >= 2]
    incidents = data.tables["incidents"]
    return render_to_string("reports/pack.html", {
        "data": data, "pack": pack, "tables": data.tables, "objective_charts": charts,
        "queue_charts": queue_charts,
        "timeline_svg": svg(incident_timeline_chart(incidents)) if incidents.rows else "",
        "score_svg": svg(score_chart(data.score_trend)), "for_print": True})


def render_pdf(html: str) -> bytes:
    from core.printing import html_to_pdf

    return html_to_pdf(html)


def render_xlsx(data: PackData) -> bytes:
    """One sheet per table; numbers stay numbers and dates dates (Excel has no time
    zones: instants are written in UTC)."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in data.tables.values():
        sheet = book.create_sheet(table.key[:31])
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_naive(value) for value in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for column, title in enumerate(table.columns, start=1):
            sheet.column_dimensions[sheet.cell(1, column).column_letter].width = max(
                12, min(40, len(title) + 4))
        if table.key == "score_trend" and table.rows:
            chart = LineChart()
            chart.title = "Weighted SLA score"
            chart.y_axis.title = "Score"
            chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=len(table.rows) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2,
                                           max_row=len(table.rows) + 1))
            sheet.add_chart(chart, "D2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_csv_zip(data: PackData) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in data.tables.values():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow(["" if v is None else _naive(v).isoformat()
                                 if isinstance(v, date) else v for v in row])
            archive.writestr(f"{table.key}.csv", text.getvalue())
    return out.getvalue()
