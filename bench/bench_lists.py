#!/usr/bin/env python
"""Benchmark the list endpoints against their raw SQL floor, side by side (issue 20).

For each list — ``GET /api/escalations/`` (50 and 200 a page), the web queue
``/escalations/``, ``GET /api/incidents/`` and the web ``/incidents/`` — on a
PostgreSQL database of its own, this prints in one run:

* the endpoint's median time through Django's test client (DEBUG off, so the cached
  template loader renders as in production), its query count and its SQL time;
* the **raw SQL floor**: the statements that read the page's rows and their total
  (the list's ``SELECT … LIMIT`` and its ``COUNT(*)``, as the endpoint sent them),
  executed and fetched through psycopg with no Django in between, median of the
  same number of runs;
* the ratio of the two (target: ≤ 3 ×, and ≤ 100 ms);
* beside it, a second floor: every SELECT reading what the page shows (the rows, their
  total and the related rows of the shown columns — owners, customers, clocks), run
  the same way, without the session, user and permission reads — and that ratio;
* whether the query count stays the same for a 10-row and a 200-row page.

The escalations and their clocks are ``bench_escalation_queue.py``'s fixture (COPY);
the incidents are loaded here with COPY too (newest first, spread over 18 months, ~8 %
open, a commander each, titles with words to search for).

Run (see bench/README.md)::

    .venv/bin/python bench/bench_lists.py --quick       # 5k + 5k, smoke run
    .venv/bin/python bench/bench_lists.py               # 100k escalations + 100k incidents
    .venv/bin/python bench/bench_lists.py --escalations 500000 --incidents 100000 --keep

The database is ``--database-url`` (its name must contain "bench"); it is dropped at
the end unless ``--keep``.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_escalation_queue as queue  # noqa: E402  (needs the sys.path line)
from bench._common import (  # noqa: E402
    drop_database,
    fmt_int,
    log,
    prepare_database,
    scalar,
    timed,
    vacuum_analyze,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sb_burst_bench_lists"
TARGET_MS, TARGET_RATIO = 100.0, 3.0
SEED = 2020
WORDS = ["carrier", "outage", "billing", "IVR", "trunk", "latency", "login", "SMS",
         "payments", "chat", "email", "routing", "callback", "queue", "CRM", "VoIP"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5,000 of each")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if args.quick:
        args.escalations = args.incidents = 5_000
        args.repeat = min(args.repeat, 7)
    args.customers, args.loader = max(100, args.escalations // 10), "copy"
    return args


def load_incidents(count, now):
    """Incidents with COPY (no history rows, no services: a fixture)."""
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from incidents.choices import IncidentState
    from incidents.models import Incident, Severity

    rng = random.Random(SEED)
    severities = list(Severity.objects.values_list("pk", flat=True))
    users = list(get_user_model().objects.filter(username__startswith="bench-")
                 .values_list("pk", flat=True))
    lead = get_user_model().objects.get(username="bench-lead").pk
    span = timedelta(days=548)
    done = [IncidentState.CLOSED] * 9 + [IncidentState.CANCELLED]
    open_ = [IncidentState.DECLARED, IncidentState.TRIAGED, IncidentState.CONTAINED,
             IncidentState.RESOLVED, IncidentState.POSTMORTEM]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        loader = queue.CopyLoader(Incident, cursor.cursor, now)
        for n in range(1, count + 1):
            declared = now - span * (1 - n / count) - timedelta(minutes=rng.randint(0, 600))
            recent = now - declared < timedelta(days=30)
            loader.write({
                "id": n, "reference": f"INC-{n:07d}",
                "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)} degraded at site {n % 97}",
                "severity_id": rng.choice(severities), "priority": f"P{rng.randint(1, 4)}",
                "state": rng.choice(open_) if recent and rng.random() < 0.8 else rng.choice(done),
                "declared_by_id": lead, "commander_id": rng.choice(users),
                "declared_at": declared,
            })
        loader.close()
        for statement in connection.ops.sequence_reset_sql(no_style(), [Incident]):
            cursor.execute(statement)
    log(f"  {fmt_int(count)} incidents: {time.perf_counter() - started:.1f} s")


def raw_floor(statements, repeat):
    """Median ms of ``statements`` run and fetched through psycopg, no Django."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection under Django's wrapper
    samples = []
    for run in range(repeat + 2):
        begin = time.perf_counter()
        with raw.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()
        if run >= 2:  # two warm-ups
            samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples)


def page_statements(result):
    """The statements reading the page's rows and their total, as the endpoint sent them
    (the total is a ``COUNT(*)``; or the table's estimated size, where
    ``core.pagination`` reads that instead; or, for a filter, a count of at most
    ``EXACT_UP_TO + 1`` matches and the planner's estimate above that)."""
    table = result["table"]
    picked = [q["sql"] for q, label in zip(result["captured"], result["labels"], strict=True)
              if (label.startswith(f"SELECT {table}") and ("LIMIT" in label or "COUNT" in label))
              or "reltuples" in q["sql"] or _counts_matches(q["sql"], table)]
    return picked or [result["slowest"]["sql"]]


def _counts_matches(sql, table):
    """The capped count of a filter's matches or the EXPLAIN estimating them."""
    return f'FROM "{table}"' in sql and (
        sql.startswith("EXPLAIN") or (sql.startswith("SELECT COUNT(*)") and "LIMIT" in sql))


# Who is asking, not what is shown: the session, the signed-in user (the first
# auth_user read) and their permissions.
REQUEST_TABLES = ("SELECT django_session", "SELECT auth_permission", "SELECT auth_group")


def shown_data_statements(result):
    """Every SELECT that reads what the page shows: the rows, their total and the
    related rows of the shown columns (owners, customers, clocks, choices) — all the
    endpoint's statements but the ones about who is asking."""
    picked, user_read = [], False
    for query, label in zip(result["captured"], result["labels"], strict=True):
        reads = label.startswith("SELECT") or query["sql"].startswith("EXPLAIN")
        if not reads or label.startswith(REQUEST_TABLES):
            continue
        if label.startswith("SELECT auth_user") and not user_read:
            user_read = True  # the session's user, read first by the middleware
            continue
        picked.append(query["sql"])
    return picked


def measure(client, case, url, table, marker, repeat):
    queue.ROW_MARKER = marker  # how rows_of counts a web page's rows
    result = queue.measure(client, case, url, repeat)
    result["table"] = table
    statements = page_statements(result)
    result["raw_ms"] = raw_floor(statements, repeat)
    result["raw_statements"] = [queue.query_label(s) for s in statements]
    result["ratio"] = result["median_ms"] / result["raw_ms"]
    shown = shown_data_statements(result)
    result["shown_ms"] = raw_floor(shown, repeat)
    result["shown_count"] = len(shown)
    result["shown_ratio"] = result["median_ms"] / result["shown_ms"]
    return result


# What Django costs a request before and around its rows: the floor under every ratio.
FLOOR_CASES = [
    ("GET /api/ (signed in, reads nothing)", "/api/"),
    ("GET /api/teams/?page_size=1", "/api/teams/?page_size=1"),
    ("GET /api/incidents/?page_size=1", "/api/incidents/?page_size=1"),
    ("GET /api/escalations/?page_size=1", "/api/escalations/?page_size=1"),
]


def request_floor(client, url, repeat):
    """Median ms of ``url``, its query count and their SQL time (a GET answering 200)."""
    from django.db import connection

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeat):
        begin = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - begin) * 1000)
    timer = queue.QueryTimer()
    with connection.execute_wrapper(timer):
        client.get(url)
    return statistics.median(samples), len(timer.ms), sum(timer.ms)


def main():
    args = parse_args()
    queue.setup_django(args.database_url)
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    log(f"List benchmark — {fmt_int(args.escalations)} escalations, "
        f"{fmt_int(args.incidents)} incidents, database {name}, {args.repeat} runs a case")
    whole = time.perf_counter()
    existed = prepare_database(args.reuse, "left by an earlier run; --reuse keeps it")
    try:
        return run(args, whole, existed)
    finally:
        if not args.keep:
            drop_database()


def run(args, whole, existed):  # noqa: C901 - one benchmark, read top to bottom
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    loaded = scalar("SELECT count(*) FROM escalations_escalation")
    if not (existed and loaded == args.escalations):
        now = timezone.now().replace(microsecond=0)
        log(f"\n== Loading (now = {now:%Y-%m-%d %H:%M} UTC)")
        queue.load_fixture(args, now)
        load_incidents(args.incidents, now)
        gc.collect()
    with timed("VACUUM (ANALYZE) + CHECKPOINT"):
        vacuum_analyze("escalations_customer", "escalations_escalation", "core_slaclock",
                       "incidents_incident")
    clocks = scalar("SELECT count(*) FROM core_slaclock")
    incidents = scalar("SELECT count(*) FROM incidents_incident")
    lead = get_user_model().objects.get(username="bench-lead")
    client = Client()
    client.force_login(lead)

    esc, inc = "escalations_escalation", "incidents_incident"
    esc_row, inc_row = 'data-testid="escalation-row"', 'data-testid="incident-row"'
    cases = [
        ("api", "GET /api/escalations/?page_size=50", "/api/escalations/?page_size=50", esc,
         esc_row),
        ("api", "GET /api/escalations/?page_size=200", "/api/escalations/?page_size=200", esc,
         esc_row),
        ("web", "/escalations/ (50 rows)", "/escalations/", esc, esc_row),
        ("api", "GET /api/incidents/?page_size=50", "/api/incidents/?page_size=50", inc,
         inc_row),
        ("web", "/incidents/ (50 rows)", "/incidents/", inc, inc_row),
        ("api", "GET /api/incidents/?search=trunk", "/api/incidents/?search=trunk", inc,
         inc_row),
        ("api", "GET /api/escalations/?search=billed", "/api/escalations/?search=billed",
         esc, esc_row),  # no match: the whole table searched
        # An account number (the customer path) and a word a quarter of the rows hold
        # (their exact count is what the API promises for a search).
        ("api", "GET /api/escalations/?search=ACC-0001234", "/api/escalations/?search=ACC-0001234",
         esc, esc_row),
        ("api", "GET /api/escalations/?search=billing", "/api/escalations/?search=billing",
         esc, esc_row),
        ("api", "GET /api/escalations/?page_size=10", "/api/escalations/?page_size=10", esc,
         esc_row),
        ("api", "GET /api/incidents/?page_size=10", "/api/incidents/?page_size=10", inc,
         inc_row),
        ("api", "GET /api/incidents/?page_size=200", "/api/incidents/?page_size=200", inc,
         inc_row),
    ]
    log("\n== Endpoints and their raw SQL floor")
    results = {}
    for _where, case, url, table, marker in cases:
        results[case] = measure(client, case, url, table, marker, args.repeat)
        r = results[case]
        log(f"    raw SQL floor {r['raw_ms']:.1f} ms ({', '.join(r['raw_statements'])}); "
            f"ratio {r['ratio']:.1f}; every statement reading what is shown "
            f"({r['shown_count']}): {r['shown_ms']:.1f} ms, ratio {r['shown_ratio']:.1f}")

    log("\n== What Django itself costs a request (the floor under every ratio)")
    for label, url in FLOOR_CASES:
        ms, count, sql_ms = request_floor(client, url, args.repeat * 3)
        log(f"  {label:<42} {ms:6.1f} ms, {count:2d} queries ({sql_ms:.1f} ms SQL): "
            f"{ms - sql_ms:.1f} ms outside the database")

    log("\n== Query count against page size")
    failures = []
    for small, large in (("GET /api/escalations/?page_size=10",
                          "GET /api/escalations/?page_size=200"),
                         ("GET /api/incidents/?page_size=10",
                          "GET /api/incidents/?page_size=200")):
        a, b = results[small], results[large]
        same = a["queries"] == b["queries"]
        log(f"  {small} {a['queries']} queries, {large} {b['queries']}: "
            f"{'constant' if same else 'GROWS'}")
        if not same:
            failures.append(f"{large}: {b['queries']} queries against {a['queries']}")

    log("\n== EXPLAIN of each case's slowest query")
    for case, r in results.items():
        log(f"  {case:<42} {queue.query_label(r['slowest']['sql'])}: "
            f"{queue.plan_summary(queue.explain(r['slowest']['sql']))['text']}")

    load = os.getloadavg()
    log(f"\n== Summary ({fmt_int(args.escalations)} escalations, {fmt_int(incidents)} "
        f"incidents, {fmt_int(clocks)} clocks; PostgreSQL, DEBUG off, cached templates)")
    header = (f"{'endpoint':<42}{'endpoint ms':>12}{'raw SQL ms':>11}{'ratio':>7}"
              f"{'shown SQL':>10}{'ratio':>7}{'queries':>8}{'SQL ms':>8}{'rows':>6}")
    log(header)
    log("-" * len(header))
    for case, r in results.items():
        flag = "*" if r["median_ms"] > TARGET_MS or r["ratio"] > TARGET_RATIO else " "
        log(f"{case:<42}{r['median_ms']:11.1f}{flag}{r['raw_ms']:11.1f}{r['ratio']:7.1f}"
            f"{r['shown_ms']:10.1f}{r['shown_ratio']:7.1f}"
            f"{r['queries']:8d}{r['db_ms']:8.1f}{r['rows']:6d}")
    log(f"(* over {TARGET_MS:.0f} ms or {TARGET_RATIO:.0f} × the raw SQL; raw SQL = the "
        "page's SELECT … LIMIT and COUNT(*) as sent, fetched through psycopg; shown SQL = "
        "every SELECT reading what the page shows — rows, total and the related rows of "
        "its columns — but not the session, user and permission reads)")
    log(f"whole run {time.perf_counter() - whole:.0f} s, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    failures += [f"{case}: {r['median_ms']:.1f} ms, {r['ratio']:.1f} × raw"
                 for case, r in results.items()
                 if r["median_ms"] > TARGET_MS or r["ratio"] > TARGET_RATIO]
    if failures:
        log("\nOVER TARGET:\n  " + "\n  ".join(failures))
        return 1
    log("All lists within target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
