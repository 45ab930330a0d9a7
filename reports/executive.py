"""The executive dashboard's data: how operations went in a period, gathered from the
other apps' selectors — this module computes no figure of its own.

Every section is a fixed number of queries whatever the number of queues, intervals,
incidents, escalations, credits or budgets (the lists shown are capped). Money
(incident cost, credits, spend, cost per contact, ROI) is gathered only for a user who
holds ``core.view_money``: what is not gathered cannot leak into the page, the PDF or
the exports. No section names a customer or an agent.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDay
from django.utils import timezone

from core.choices import ClockOutcome
from core.models import SlaClock

PERIODS = {"this_month": "This month", "last_month": "Last month",
           "quarter": "This quarter", "custom": "Custom"}
TREND_MONTHS = 6
INITIATIVE_LIMIT = 10  # the initiatives listed (their ROI: two queries for all of them)
CONTRACT_LIMIT = 10
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    key: str
    first: date  # first day, included
    last: date  # last day, included

    @property
    def label(self) -> str:
        if self.first.day == 1 and self.last == _month_end(self.first):
            return f"{self.first:%B %Y}"
        return f"{self.first:%-d %b %Y} – {self.last:%-d %b %Y}"

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The instant after the last day (exclusive)."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def query(self) -> str:
        if self.key == "custom":
            return f"period=custom&start={self.first.isoformat()}&end={self.last.isoformat()}"
        return f"period={self.key}"


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _months_back(month: date, count: int) -> date:
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _parse_date(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def period_from(params, today: date | None = None) -> Period:
    """The period a query string asks for (``period=this_month|last_month|quarter|custom``
    with ``start``/``end`` dates for custom); this month when it asks for nothing valid."""
    today = today or timezone.localdate()
    key = params.get("period") or "this_month"
    month = today.replace(day=1)
    if key == "last_month":
        first = _months_back(month, 1)
        return Period(key, first, _month_end(first))
    if key == "quarter":
        first = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return Period(key, first, _month_end(first.replace(month=first.month + 2)))
    if key == "custom":
        first, last = _parse_date(params.get("start")), _parse_date(params.get("end"))
        if first and last:
            first, last = min(first, last), max(first, last)
            # A year at most: the trend charts and exports stay readable and bounded.
            return Period(key, max(first, last - timedelta(days=366)), last)
    return Period("this_month", month, _month_end(month))


# --- KPIs -------------------------------------------------------------------------------


@dataclass
class KpiSection:
    overall: dict  # formulas.figures of every active queue together
    queues: list  # kpis.selectors.queue_overview rows
    days: list  # [(day, figures)] for the trend
    target: Decimal | None  # the service-level target when every queue shares one
    has_data: bool


def kpi_section(period: Period, *, money: bool) -> KpiSection:
    from kpis import formulas
    from kpis.choices import GroupBy
    from kpis.selectors import grouped_sums, has_data, intervals_in, queue_overview, sums_for
    from kpis.spend import spend_for

    queues = queue_overview(period.start, period.end)
    queue_ids = [row["queue"].pk for row in queues]
    rows = intervals_in(period.start, period.end, queue_ids=queue_ids)
    sums = sums_for(rows)
    spend = spend_for(queue_ids, period.start, period.end) if money and queue_ids else None
    overall = formulas.figures(sums, spend=spend)
    days = [(day, formulas.figures(day_sums))
            for day, day_sums in grouped_sums(rows, GroupBy.DAY)]
    targets = {row["queue"].target_percent for row in queues}
    return KpiSection(overall, queues, days, targets.pop() if len(targets) == 1 else None,
                      has_data(sums))


# --- Incidents --------------------------------------------------------------------------


@dataclass
class IncidentSection:
    metrics: object  # incidents.selectors.IncidentMetrics, by severity
    trend: list  # StageMetrics by month, TREND_MONTHS ending with the period
    lost_contacts: int  # customer impact: contacts lost (kpis incident_impact, as priced)
    contacts_affected: int  # as reported on the incidents
    cost: Decimal | None  # money roles only
    currency: str
    costliest: list  # money roles only


def incident_section(period: Period, *, money: bool) -> IncidentSection:
    from budgets.models import IncidentCost
    from incidents.models import Incident
    from incidents.selectors import COUNTED_STATES, incident_metrics

    metrics = incident_metrics(since=period.start, until=period.end, groups=("severity",))
    trend_start = Period("custom", _months_back(period.last.replace(day=1), TREND_MONTHS - 1),
                         period.last).start
    trend = incident_metrics(since=trend_start, until=period.end, groups=("month",)).by_month
    counted = Incident.objects.filter(declared_at__gte=period.start,
                                      declared_at__lt=period.end, state__in=COUNTED_STATES)
    # The lost contacts are kpis.selectors.incident_impact's, kept on the incident's cost
    # row by budgets (recomputed when the incident or the data changes): summing them
    # here is one query instead of three per incident.
    costs = IncidentCost.objects.filter(incident__in=counted)
    totals = costs.aggregate(lost=Sum("lost_contacts"), total=Sum("total"))
    affected = counted.aggregate(n=Sum("contacts_affected"))["n"] or 0
    cost = currency = None
    costliest = []
    if money:
        costliest = list(costs.select_related("incident__severity").order_by("-total")[:5])
        cost = Decimal(totals["total"] or 0).quantize(CENT)
        currency = costliest[0].currency if costliest else ""
    return IncidentSection(metrics, trend, totals["lost"] or 0, affected, cost, currency or "",
                           costliest)


# --- Escalations ------------------------------------------------------------------------


@dataclass
class ClockAttainment:
    kind: str
    label: str
    met: int
    breached: int
    running: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> Decimal | None:
        if not self.decided:
            return None
        return (Decimal(100) * self.met / self.decided).quantize(Decimal("0.1"))


@dataclass
class EscalationSection:
    opened: int
    by_category: list  # [(label, count)]
    clocks: list  # ClockAttainment per clock kind
    regulatory: ClockAttainment | None


def escalation_section(period: Period) -> EscalationSection:
    from escalations.choices import EscalationCategory
    from escalations.clock_kinds import KINDS, REGULATORY_CLOCK
    from escalations.models import Escalation

    opened = Escalation.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    categories = dict(EscalationCategory.choices)
    by_category = [(categories.get(row["category"], "Uncategorised"), row["n"])
                   for row in opened.order_by().values("category").annotate(n=Count("pk"))
                   .order_by("-n", "category")]
    # The clocks of the escalations opened in the period: met when stopped in time,
    # breached when missed or already past due while still running.
    breached = Q(outcome=ClockOutcome.MISSED) | Q(breached_at__isnull=False)
    rows = {row["kind"]: row for row in SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(Escalation),
        object_id__in=opened.values("pk")).order_by().values("kind").annotate(
        met=Count("pk", filter=Q(outcome=ClockOutcome.MET) & Q(breached_at__isnull=True)),
        breached=Count("pk", filter=breached),
        running=Count("pk", filter=Q(outcome="") & Q(breached_at__isnull=True)))}
    clocks = [ClockAttainment(kind, label, rows.get(kind, {}).get("met", 0),
                              rows.get(kind, {}).get("breached", 0),
                              rows.get(kind, {}).get("running", 0))
              for kind, label in KINDS.items()]
    regulatory = next((c for c in clocks if c.kind == REGULATORY_CLOCK), None)
    return EscalationSection(sum(n for _, n in by_category), by_category, clocks, regulatory)


# --- Vendors ----------------------------------------------------------------------------


@dataclass
class VendorSection:
    month: date
    ranked: list  # vendors.sla_selectors.vendors_ranked
    trend: list  # [{vendor, month, score}] over TREND_MONTHS
    attention: object  # vendors.selectors.Attention
    owed: Decimal | None  # money roles only
    received: Decimal | None
    currency: str


def vendor_section(period: Period, *, money: bool) -> VendorSection:
    from vendors.choices import CreditState
    from vendors.models import ServiceCredit
    from vendors.selectors import contracts_needing_attention
    from vendors.sla_selectors import last_closed_month, scores_by_month, vendors_ranked

    # The last month closed by the period's end (scores are monthly, after the month).
    month = min(last_closed_month(), period.last.replace(day=1))
    ranked = vendors_ranked(month=month)
    names = {row["vendor_id"]: row["name"] for row in ranked}
    first = _months_back(month, TREND_MONTHS - 1)
    # score_trend reads one vendor at a time; scores_by_month reads them all at once.
    scores = scores_by_month(list(names), first=first, month=month)
    trend = [{"vendor": names[vendor_id], "month": m, "score": score}
             for (vendor_id, m), score in sorted(scores.items(), key=lambda kv: kv[0][1])
             if vendor_id in names]
    attention = contracts_needing_attention(today=min(timezone.localdate(), period.last),
                                            limit=CONTRACT_LIMIT)
    owed = received = None
    currency = ""
    if money:
        # As the vendor scorecard counts them, for every vendor: owed is what is still
        # expected of open credits whose window was not missed; received in the period.
        open_states = (CreditState.ACCRUED, CreditState.CLAIMED, CreditState.ACCEPTED,
                       CreditState.DISPUTED)
        open_credits = list(ServiceCredit.objects.filter(
            state__in=open_states, window_missed_at__isnull=True).only(
            "amount", "claimed_amount", "agreed_amount", "received_amount", "currency"))
        owed = sum((c.expected_amount for c in open_credits), Decimal(0)).quantize(CENT)
        received = Decimal(ServiceCredit.objects.filter(
            state=CreditState.RECEIVED, received_at__gte=period.start,
            received_at__lt=period.end).aggregate(total=Sum("received_amount"))["total"]
            or 0).quantize(CENT)
        currency = open_credits[0].currency if open_credits else ""
    return VendorSection(month, ranked, trend, attention, owed, received, currency)


# --- Budgets (money roles only) ---------------------------------------------------------


@dataclass
class BudgetSection:
    overview: object | None  # budgets.selectors.YearOverview
    burn: list  # budgets.selectors.year_burn
    currency: str
    initiatives: list = field(default_factory=list)  # [(initiative, InitiativeFigures)]


def budget_section(period: Period) -> BudgetSection:
    from budgets.choices import InitiativeState
    from budgets.models import Initiative, default_currency
    from budgets.selectors import current_year, initiatives_roi, year_burn, year_overview

    today = min(timezone.localdate(), period.last)
    year = current_year(today)
    overview = year_overview(year, today) if year else None
    burn = year_burn(overview) if overview else []
    measured = [InitiativeState.DELIVERED, InitiativeState.BENEFITS_REVIEWED,
                InitiativeState.IN_PROGRESS]
    initiatives = list(Initiative.objects.filter(state__in=measured)
                       .select_related("owner").order_by("-approved_at", "-pk")[:INITIATIVE_LIMIT])
    figures = initiatives_roi(initiatives)
    return BudgetSection(overview, burn, default_currency(),
                         [(i, figures[i.pk]) for i in initiatives])


# --- The page ---------------------------------------------------------------------------


@dataclass
class ExecutiveReport:
    period: Period
    money: bool
    kpis: KpiSection
    incidents: IncidentSection
    escalations: EscalationSection
    vendors: VendorSection
    budgets: BudgetSection | None
    generated_at: datetime


def executive_report(*, user, period: Period) -> ExecutiveReport:
    """Every section of the executive page for ``period``, as ``user`` may see it."""
    money = user.has_perm("core.view_money")
    return ExecutiveReport(
        period=period, money=money,
        kpis=kpi_section(period, money=money),
        incidents=incident_section(period, money=money),
        escalations=escalation_section(period),
        vendors=vendor_section(period, money=money),
        budgets=budget_section(period) if money else None,
        generated_at=timezone.now(),
    )


# --- Charts (one Vega-Lite definition for the page and the PDF) -------------------------

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def _hours(value: timedelta | None):
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _line_chart(values, *, title, y_title, x_field="month", x_type="ordinal"):
    return {
        "$schema": SCHEMA, "title": title, "width": 640, "height": 220,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": x_field, "type": x_type, "title": None, "sort": None,
                  "axis": {"labelAngle": -45}},
            "y": {"field": "value", "type": "quantitative", "title": y_title},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "legend": {"orient": "bottom"}},
        },
    }


def report_charts(report: ExecutiveReport) -> dict:
    """The page's charts as Vega-Lite specs (rendered by ``core.charts.svg``)."""
    from budgets.charts import burn_chart
    from kpis.charts import service_level_trend

    charts = {}
    if report.kpis.days:
        charts["service_level"] = service_level_trend(
            [(f"{day:%d %b}", figures["service_level"], figures["offered"])
             for day, figures in report.kpis.days],
            target=report.kpis.target, title="Service level by day")
    trend = [{"month": row.label, "series": label, "value": _hours(getattr(row, name))}
             for row in report.incidents.trend
             for name, label in (("time_to_triage", "MTTA (to triage)"),
                                 ("time_to_contain", "MTTC (to contain)"),
                                 ("time_to_resolve", "MTTR (to resolve)"))]
    if any(point["value"] is not None for point in trend):
        charts["incident_times"] = _line_chart(
            trend, title="Mean time from declaration, by month", y_title="Hours")
    if report.vendors.trend:
        charts["vendor_scores"] = _line_chart(
            [{"month": f"{p['month']:%b %y}", "series": p["vendor"],
              "value": float(p["score"]) if p["score"] is not None else None}
             for p in report.vendors.trend],
            title="Vendor SLA score by month", y_title="Score")
    if report.budgets and report.budgets.burn:
        charts["budget_burn"] = burn_chart(report.budgets.burn,
                                           currency=report.budgets.currency)
    return charts


def executive_pack_html(*, user, first: date, last: date) -> tuple[str, str]:
    """The executive page of ``[first, last]`` as ``user`` may see it, printable (the
    executive pack's HTML, which ``core.printing`` turns into its PDF), and a
    fingerprint of the figures it shows."""
    import hashlib

    from django.template.loader import render_to_string

    from core.charts import svg

    period = Period("custom", first, last)
    report = executive_report(user=user, period=period)
    charts = report_charts(report)
    html = render_to_string("reports/executive_print.html", {
        "report": report, "period": period, "for_print": True,
        "charts": {name: svg(spec) for name, spec in charts.items()}})
    fingerprint = hashlib.sha256(json.dumps(charts, sort_keys=True, default=str).encode()
                                 + str(report.kpis.overall).encode()).hexdigest()[:32]
    return html, fingerprint


# --- BI exports ---------------------------------------------------------------------------


def kpi_rows(period: Period) -> list[dict]:
    """Every active queue's figures for each day of the period (one query)."""
    from kpis import formulas
    from kpis.models import Queue
    from kpis.selectors import figure_options, intervals_in, sum_expressions

    queues = Queue.objects.in_bulk(Queue.objects.filter(active=True).values_list("pk", flat=True))
    rows = (intervals_in(period.start, period.end, queue_ids=list(queues)).order_by()
            .annotate(day=TruncDay("start", tzinfo=timezone.get_current_timezone()))
            .values("queue_id", "day").annotate(**sum_expressions()).order_by("day", "queue_id"))
    result = []
    for row in rows:
        queue = queues[row["queue_id"]]
        figures = formulas.figures(row, **figure_options(queue))
        day = row["day"].date() if isinstance(row["day"], datetime) else row["day"]
        result.append({"day": day, "queue": queue.name, "channel": queue.channel,
                       "target": queue.target_percent, **{k: figures[k] for k in KPI_COLUMNS}})
    return result


KPI_COLUMNS = ("offered", "answered", "abandoned", "handled", "service_level", "abandon_rate",
               "asa", "aht", "fcr", "csat", "nps")
INCIDENT_COLUMNS = ("reference", "title", "severity", "state", "declared_at", "triaged_at",
                    "contained_at", "resolved_at", "lost_contacts")
MONEY_INCIDENT_COLUMNS = ("cost", "currency")


def incident_rows(period: Period, *, money: bool) -> list[dict]:
    """The incidents declared in the period with their times (and cost for money roles)."""
    from incidents.models import Incident

    fields = ["reference", "title", "severity__key", "state", "declared_at", "triaged_at",
              "contained_at", "resolved_at", "cost__lost_contacts", "cost__total",
              "cost__currency"]
    result = []
    for row in (Incident.objects.filter(declared_at__gte=period.start,
                                        declared_at__lt=period.end)
                .order_by("declared_at", "pk").values(*fields)):
        item = {"reference": row["reference"], "title": row["title"],
                "severity": row["severity__key"] or "", "state": row["state"],
                "declared_at": row["declared_at"], "triaged_at": row["triaged_at"],
                "contained_at": row["contained_at"], "resolved_at": row["resolved_at"],
                "lost_contacts": row["cost__lost_contacts"]}
        if money:
            item["cost"] = row["cost__total"]
            item["currency"] = row["cost__currency"] or ""
        result.append(item)
    return result


def _tables(user, period: Period) -> dict:
    money = user.has_perm("core.view_money")
    incident_columns = INCIDENT_COLUMNS + (MONEY_INCIDENT_COLUMNS if money else ())
    return {"kpis": (("day", "queue", "channel", "target", *KPI_COLUMNS), kpi_rows(period)),
            "incidents": (incident_columns, incident_rows(period, money=money))}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return str(value)


def export_csv(*, user, period: Period, table: str | None = None) -> str:
    """One table (``kpis``, the default, or ``incidents``) as CSV."""
    import csv
    import io

    columns, rows = _tables(user, period).get(table or "kpis") or _tables(user, period)["kpis"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        # Spreadsheets run cells starting with = + - @ as formulas: user text is quoted.
        writer.writerow([_csv_safe(_text(row.get(c))) for c in columns])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def export_xlsx(*, user, period: Period) -> bytes:
    """Both tables, one sheet each, with real numbers and dates (not text)."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (columns, rows) in _tables(user, period).items():
        sheet = book.create_sheet(title=name.capitalize())
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
        for cells in sheet.iter_cols(min_row=2):
            for cell in cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    if isinstance(value, datetime):
        # Excel has no time zones: the local wall time, as people read it.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula from user text
    return value
