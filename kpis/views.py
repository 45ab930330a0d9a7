"""KPI pages: the overview per queue, a queue's trend, and the cards
other apps' pages draw (incident impact, a vendor's queues, the dashboard tile).

Views parse, call selectors or services, and render.
"""

import csv
import io
from datetime import timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.charts import svg

from . import charts
from .choices import GroupBy
from .forms import KpiFilterForm
from .formulas import cost_per_contact
from .models import Queue
from .selectors import (
    incident_impact,
    intervals_in,
    metrics,
    queue_overview,
    rows_for,
    target_status,
    worst_intervals,
)
from .spend import has_spend_source, spend_by_queue

reader = permission_required("kpis.view_intervalstat", raise_exception=True)

TABLE_COLUMNS = [("offered", "Offered"), ("answered", "Answered"), ("abandoned", "Abandoned"),
                 ("service_level", "Service level %"), ("abandon_rate", "Abandon rate %"),
                 ("asa", "ASA (s)"), ("aht", "AHT (s)"), ("fcr", "FCR %"), ("csat", "CSAT %"),
                 ("nps", "NPS")]


def _can_see_cost(user):
    return has_spend_source() and user.has_perm("kpis.see_cost")


def _overview_rows(form, user):
    start, end, first, last = form.window()
    queues = form.queues()
    rows = queue_overview(start, end, queues=queues)
    if _can_see_cost(user):
        spend = spend_by_queue([row["queue"].pk for row in rows], start, end)
        for row in rows:
            row["figures"]["cost_per_contact"] = cost_per_contact(spend[row["queue"].pk],
                                                                  row["sums"]["handled"])
    return rows, start, end, first, last


@login_required
@reader
def overview(request):
    form = KpiFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "kpis/overview.html", {"form": form, "rows": []}, status=400)
    rows, start, end, first, last = _overview_rows(form, request.user)
    queues = [r["queue"] for r in rows]
    now = timezone.now()
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = {r["queue"].pk: r for r in queue_overview(today_start, today_start
                                                       + timedelta(days=1), queues=form.queues())}
    for row in rows:
        row["today"] = today.get(row["queue"].pk)
    daily = metrics(rows_for(start, end, group_by=GroupBy.DAY, queue_ids=[q.pk for q in queues]),
                    GroupBy.DAY)
    chart = svg(charts.service_level_trend(
        [(r.key.date() if hasattr(r.key, "date") else r.key, r.figures["service_level"],
          r.sums["offered"]) for r in daily], title="Service level per day, selected queues"))\
        if daily else None
    return render(request, "kpis/overview.html", {
        "form": form, "rows": rows, "first": first, "last": last, "chart": chart,
        "worst": worst_intervals(start, end, queues=queues),
        "columns": TABLE_COLUMNS, "show_cost": _can_see_cost(request.user),
        "query": request.GET.urlencode()})


@login_required
@reader
def export_table(request):
    """The overview's table as CSV or XLSX (``?as=xlsx``), the same filters."""
    form = KpiFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse("Invalid filters: " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400,
            content_type="text/plain")
    rows, start, end, first, last = _overview_rows(form, request.user)
    columns = list(TABLE_COLUMNS)
    if _can_see_cost(request.user):
        columns.append(("cost_per_contact", "Cost per contact"))
    header = ["Queue", "Channel", "Site", "From", "To", "Target %",
              *[label for _, label in columns]]
    data = [[r["queue"].name, r["queue"].get_channel_display(), r["queue"].site,
             first.isoformat(), last.isoformat(), r["queue"].target_percent,
             *[r["figures"].get(key) if key in r["figures"] else r["sums"].get(key)
               for key, _ in columns]] for r in rows]
    name = f"kpis-{first.isoformat()}-{last.isoformat()}"
    if request.GET.get("as") == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "KPIs"
        sheet.append(header)
        for values in data:
            sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in values])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in values] for values in data)
    return response


@login_required
@reader
def queue_detail(request, pk):
    queue = get_object_or_404(Queue.objects.select_related("vendor", "calendar"), pk=pk)
    form = KpiFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        form = KpiFilterForm()
    start, end, first, last = form.window()
    if not request.GET.get("period"):
        start, first = end - timedelta(days=30), last - timedelta(days=29)
    group = GroupBy.DAY if (end - start).days > 2 else GroupBy.INTERVAL
    rows = metrics(intervals_in(start, end, queue_ids=[queue.pk]), group,
                   treatment=queue.abandon_treatment)
    [summary] = queue_overview(start, end, queues=Queue.objects.filter(pk=queue.pk))
    points = [(r.key.date() if hasattr(r.key, "date") else r.key, r.figures["service_level"],
               r.sums["offered"]) for r in rows]
    chart = svg(charts.service_level_trend(points, target=queue.target_percent,
                                           title=f"{queue.name}: service level"))\
        if rows else None
    for row in rows:
        row.status = target_status(row.figures["service_level"], queue.target_percent)
    return render(request, "kpis/queue_detail.html", {
        "queue": queue, "form": form, "rows": rows, "summary": summary, "chart": chart,
        "first": first, "last": last, "columns": TABLE_COLUMNS,
        "history": queue.history.select_related("history_user")[:10]})


# --- Cards on other pages ----------------------------------------------------------------


def incident_card(request, incident):
    impact = incident_impact(incident)
    if impact is None:
        return None
    return {"impact": impact}


def vendor_card(request, vendor):
    queues = Queue.objects.filter(vendor=vendor, active=True)
    if not queues.exists():
        return None
    end = timezone.now()
    start = end - timedelta(days=30)
    return {"kpi_rows": queue_overview(start, end, queues=queues)}


def dashboard_tile(user, now):
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = [r for r in queue_overview(start, start + timedelta(days=1)) if r["status"] != "none"]
    if not rows:
        start = start - timedelta(days=start.weekday())
        rows = [r for r in queue_overview(start, start + timedelta(days=7))
                if r["status"] != "none"]
        label = "this week"
    else:
        label = "today"
    if not rows:
        return None
    return {"rows": rows, "label": label}
