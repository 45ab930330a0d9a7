"""KPI aggregation and import at the issue's scale on PostgreSQL.

Issue 14: one year of 15-minute intervals for 50 queues is 1.75 M rows; the KPI page
for a month across all queues and the metrics endpoint for a year grouped by month
each under 200 ms; importing a 100,000-row CSV under 30 s with validation.

1. creates (or with ``--reuse`` keeps) its own database and loads the intervals with
   one ``INSERT … SELECT FROM generate_series`` (counts drawn so every row passes the
   import checks), then builds the daily rollup (``kpis.rollup.rebuild``);
2. times, median and p95 of ``--repeat`` runs with their query counts, each beside
   its raw SQL floor (the one aggregate over the intervals, no Django, no formulas):
   the KPI page ``GET /kpis/`` for the last month across all queues (rendered HTML),
   its per-queue figures alone (``queue_overview``), and ``GET /api/kpi-metrics/``
   for the year grouped by month;
3. times the import of a generated 100,000-row CSV (new intervals after the loaded
   year) during the request path (``intervals_import``), then the same file again
   through the task's path (``import_jobs.import_run``: stored, validated with
   progress, every interval replaced in one transaction).

Exits 1 when a median is over its target. Relied on: the unique ``(queue_id, start)``,
``kpis_interval_start`` on ``start``, and the daily rollup ``kpis_queueday`` (unique
``(zone, day, queue)``) that whole-day figures read.

    DEBUG=true .venv/bin/python bench/bench_kpis.py --quick     # 5 queues, 60 days
    DEBUG=true .venv/bin/python bench/bench_kpis.py             # 50 queues, 365 days
"""


import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402  (needs the sys.path line above)
    drop_database,
    fmt_int,
    log,
    percentile,
    prepare_database,
    scalar,
    sql,
    timed,
    vacuum_analyze,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_switchboard_kpis"
PAGE_TARGET_MS = 200.0
IMPORT_TARGET_S = 30.0
END = datetime(2026, 12, 1, tzinfo=UTC)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.queues, args.days, args.import_rows, args.repeat = 5, 60, 10_000, 7
    return args


def setup_django(url):
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("Refusing a database whose name does not contain 'bench'.")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()


def load(args):
    from core.audit import system_user
    from kpis.models import IntervalStat, Queue

    user = system_user()
    queues = [Queue.objects.create(name=f"Bench queue {n:02d}", channel="voice")
              for n in range(args.queues)]
    start = END - timedelta(days=args.days)
    with timed(f"load {fmt_int(args.queues * args.days * 96)} intervals"):
        sql(f"""
            INSERT INTO {IntervalStat._meta.db_table}
              (queue_id, start, length_minutes, offered, answered, answered_within_threshold,
               abandoned, abandoned_within_threshold, short_abandons, callbacks_queued,
               handled, talk_seconds, hold_seconds, acw_seconds, answer_wait_seconds,
               transfers, fcr_contacts, fcr_resolved, fcr_not_resolvable, csat_responses,
               csat_satisfied, nps_responses, nps_promoters, nps_detractors)
            SELECT q.id, s, 15, o + 6, o, (o * 0.8)::int, 5, 3, 1, 1,
                   o, o * 300, o * 30, o * 60, o * 15, 1, o, (o * 0.7)::int, 1,
                   (o * 0.1)::int, (o * 0.08)::int, (o * 0.1)::int, (o * 0.05)::int,
                   (o * 0.02)::int
            FROM (SELECT id FROM kpis_queue) q,
                 generate_series(%s::timestamptz, %s::timestamptz - interval '15 minutes',
                                 interval '15 minutes') s,
                 LATERAL (SELECT 10 + floor(random() * 40)::int + (q.id * 0) AS o) r
        """, [start, END])
    from kpis import rollup

    with timed("build the daily rollup"):
        rollup.rebuild()
    vacuum_analyze(IntervalStat._meta.db_table, "kpis_queueday")
    return user, queues


SUMS = ", ".join(f"sum({name})" for name in (
    "offered", "answered", "answered_within_threshold", "abandoned",
    "abandoned_within_threshold", "short_abandons", "callbacks_queued", "handled",
    "talk_seconds", "hold_seconds", "acw_seconds", "answer_wait_seconds", "transfers",
    "fcr_contacts", "fcr_resolved", "fcr_not_resolvable", "csat_responses",
    "csat_satisfied", "nps_responses", "nps_promoters", "nps_detractors"))


def floors(month, year):
    """The raw SQL the figures cannot beat: one aggregate over the intervals."""
    return {
        "month by queue": lambda: sql(
            f"SELECT queue_id, {SUMS} FROM kpis_intervalstat WHERE start >= %s AND start < %s "
            "GROUP BY queue_id", list(month)),
        "year by month": lambda: sql(
            f"SELECT date_trunc('month', start AT TIME ZONE 'UTC'), {SUMS} "
            "FROM kpis_intervalstat WHERE start >= %s AND start < %s GROUP BY 1", list(year)),
        "year by month, rollup": lambda: sql(
            f"SELECT date_trunc('month', day), {SUMS} FROM kpis_queueday "
            "WHERE zone = 'UTC' AND day >= %s AND day < %s GROUP BY 1",
            [year[0].date(), year[1].date()]),
    }


RESULTS = []


def time_it(label, fn, repeat):
    from django.db import connection, reset_queries

    fn()  # warm
    durations = []
    for _ in range(repeat):
        reset_queries()
        began = time.perf_counter()
        fn()
        durations.append((time.perf_counter() - began) * 1000)
    queries = len(connection.queries)
    median = statistics.median(durations)
    log(f"  {label}: median {median:.1f} ms, p95 {percentile(durations, 95):.1f} ms, "
        f"{queries} queries")
    RESULTS.append((label, median, percentile(durations, 95), queries))
    return median


def main():
    args = parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.test import Client

    from core.audit import system_user
    from kpis import selectors, services
    from kpis.models import IntervalStat, Queue

    settings.DEBUG = True  # query counts
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    kept = prepare_database(args.reuse, "a fresh load")
    if kept and Queue.objects.exists():
        from kpis import rollup

        user, queues = system_user(), list(Queue.objects.all())
        # An earlier run's imports (after the loaded year) go: the import is new again.
        sql("DELETE FROM kpis_historicalintervalstat WHERE start >= %s", [END])
        sql("DELETE FROM kpis_intervalstat WHERE start >= %s", [END])
        with timed("rebuild the daily rollup"):
            rollup.rebuild()
        vacuum_analyze(IntervalStat._meta.db_table, "kpis_queueday")
    else:
        user, queues = load(args)
    rows = scalar(f"SELECT count(*) FROM {IntervalStat._meta.db_table}")
    log(f"{fmt_int(rows)} intervals, {len(queues)} queues")

    from django.contrib.auth import get_user_model

    reader, _ = get_user_model().objects.get_or_create(username="bench-reader",
                                                       defaults={"is_superuser": True})
    client = Client()
    client.force_login(reader)
    month = (END - timedelta(days=30), END)
    year = (END - timedelta(days=365), END)
    floor = floors(month, year)
    page_url = (f"/kpis/?period=custom&start={month[0]:%Y-%m-%d}"
                f"&end={month[1] - timedelta(days=1):%Y-%m-%d}")

    def kpi_page():
        response = client.get(page_url)
        assert response.status_code == 200, response.content[:300]

    page = time_it("GET /kpis/ a month, all queues (rendered page)", kpi_page, args.repeat)
    time_it("  its per-queue figures (queue_overview)",
            lambda: selectors.queue_overview(*month), args.repeat)
    time_it("  raw SQL floor: a month's intervals summed by queue", floor["month by queue"],
            args.repeat)

    def api():
        response = client.get("/api/kpi-metrics/", {
            "start": year[0].isoformat(), "end": year[1].isoformat(), "group_by": "month"})
        assert response.status_code == 200, response.content[:300]

    endpoint = time_it("GET /api/kpi-metrics/ a year by month", api, args.repeat)
    time_it("  raw SQL floor: a year's intervals summed by month", floor["year by month"],
            args.repeat)
    time_it("  raw SQL floor: the same from the daily rollup", floor["year by month, rollup"],
            args.repeat)

    # --- Import ---
    names = [q.name for q in queues]
    header = "queue,start,offered,answered,answered_within_threshold,abandoned," \
             "abandoned_within_threshold,short_abandons,handled,talk_seconds\n"
    lines = [header]
    moment = END
    while len(lines) <= args.import_rows:
        for name in names:
            if len(lines) > args.import_rows:
                break
            lines.append(f"{name},{moment:%Y-%m-%d %H:%M},30,26,20,4,2,1,26,7800\n")
        moment += timedelta(minutes=15)
    content = "".join(lines).encode()
    with timed(f"import {fmt_int(args.import_rows)} rows (new, in the request)") as first:
        result = services.intervals_import(by=user, content=content, file_name="bench.csv",
                                           interval_minutes=15)
    log(f"    created {fmt_int(result.created)}, replaced {fmt_int(result.replaced)}")

    from django.core.files.uploadedfile import SimpleUploadedFile

    from kpis import import_jobs
    from kpis.tasks import run_import

    settings.CELERY_TASK_ALWAYS_EAGER = False
    run_import.delay = lambda pk: None  # the bench runs the task itself, timed
    with timed(f"import {fmt_int(args.import_rows)} rows (again, by the task: replaced)") \
            as second:
        record = import_jobs.import_queue(
            by=user, upload=SimpleUploadedFile("bench.csv", content), interval_minutes=15)
        record = import_jobs.import_run(record.pk)
    log(f"    {record.outcome}: created {fmt_int(record.created)}, "
        f"replaced {fmt_int(record.replaced)}, validated {fmt_int(record.rows_validated)}, "
        f"written {fmt_int(record.rows_written)}")
    log("")
    log("| measured | median ms | p95 ms | queries |")
    log("|---|---:|---:|---:|")
    for label, median, p95, queries in RESULTS:
        log(f"| {label.strip()} | {median:.1f} | {p95:.1f} | {queries} |")
    log(f"| import {fmt_int(args.import_rows)} rows, new (request path) | "
        f"{first['seconds']:.1f} s | | |")
    log(f"| import {fmt_int(args.import_rows)} rows, replaced (task path) | "
        f"{second['seconds']:.1f} s | | |")

    failed = page > PAGE_TARGET_MS or endpoint > PAGE_TARGET_MS \
        or max(first["seconds"], second["seconds"]) > IMPORT_TARGET_S
    if not args.keep:
        drop_database()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
