#!/usr/bin/env python
"""Benchmark the SLA sweep: its cost must follow what is due, not what is running.

The issue's acceptance figures: "1,000,000 running clocks with nothing due, and
with 10,000 due". This script, on a dedicated PostgreSQL database:

1. creates the database if missing and migrates it (``config.settings_test``,
   so the test-only owner model ``tests.testapp.Ticket`` and its clock kind
   ``testapp.response`` exist);
2. loads the clocks with ``COPY`` (no ``clock_start``, no simple-history rows:
   they are a fixture) — 100 cycles of one kind on each of N/100 tickets, all
   running on the 24×7 calendar with a 30-day target, their 50 % warning
   (``next_action_at``) 5-15 days ahead of the benchmark's "now";
3. after ``VACUUM (ANALYZE)``, times ``sweep(now=now)`` with nothing due at each
   comparison size on the way up to N (default 10,000, 100,000 then N), with the
   query count and the ``EXPLAIN ANALYZE`` of the due-clock query;
4. puts ``--due`` clocks 31 days into their 30-day target (50 %, 75 % and the
   breach all due), times one sweep that fires them all, and checks the result
   (events, notifications, emails, timeline notes, escalations); it reports the
   queries, COMMITs and eager email-task time per processed clock, by shape;
5. prints a summary table.

Run (see bench/README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/switchboard_bench \\
        .venv/bin/python bench/bench_sla_sweep.py [--clocks 1000000] [--due 10000]

It refuses a database whose name does not contain "bench": it truncates the
clock, ticket, event and notification tables.
"""

import argparse
import cProfile
import io
import logging
import math
import os
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from contextlib import contextmanager
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

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/switchboard_bench"

# The benchmark's "now" is fixed, so a --reuse run days later sees the same rows.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KIND = "testapp.response"  # registered by tests.testapp: 50 %/75 % warnings + breach
CYCLES = 100  # clocks per ticket (distinct cycles satisfy one_clock_per_cycle)
OWNERS = 20  # ticket owners (the people notified)
TARGET = timedelta(days=30)
SPREAD_SECONDS = 10 * 24 * 3600  # fixture clocks started 1 h to 10 days before NOW

# Tables the script writes directly (checked against the models at start-up).
T_CLOCK = "core_slaclock"
T_EVENT = "core_slaclockevent"
T_CLOCK_HISTORY = "core_historicalslaclock"
T_NOTIFICATION = "core_notification"
T_TICKET = "testapp_ticket"
T_TICKET_HISTORY = "testapp_historicalticket"
T_TICKET_NOTE = "testapp_ticketnote"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clocks", type=int, default=1_000_000, help="running clocks (N)")
    parser.add_argument("--due", type=int, default=10_000, help="clocks made due")
    parser.add_argument("--compare", default="10000,100000",
                        help="smaller sizes also timed with nothing due, on the way to N")
    parser.add_argument("--repeat", type=int, default=20, help="timed idle sweeps per size")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="sweep batch size (default: settings.SLA_SWEEP_BATCH_SIZE)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100k clocks, 1k due")
    parser.add_argument("--burst-curve", action="store_true",
                        help="also time a burst at each smaller size, with the same share "
                             "of clocks due (the growth curve 10k → 100k → N)")
    parser.add_argument("--queue-email", action="store_true",
                        help="queue the email tasks (in-memory broker, as a worker would "
                             "take them) instead of running them eagerly in the sweep")
    parser.add_argument("--sweepers", type=int, default=1,
                        help="fire the --due burst with this many sweeps at once, in "
                             "forked processes, as SLA_SWEEP_SWEEPERS workers share one")
    parser.add_argument("--per-clock", action="store_true",
                        help="fire clock by clock (sweep(set_based=False)): the old path")
    parser.add_argument("--reuse", action="store_true",
                        help="keep rows already loaded (top up to N, reset the due ones)")
    parser.add_argument("--fresh", action="store_true",
                        help="drop and recreate the bench database first")
    parser.add_argument("--drop", action="store_true", help="drop the bench database at the end")
    parser.add_argument("--profile", type=int, default=0, metavar="M",
                        help="afterwards, cProfile a sweep of M due clocks (top functions)")
    args = parser.parse_args()
    if args.quick:
        args.clocks, args.due = 100_000, 1_000
    args.compare = sorted({int(s) for s in args.compare.split(",") if s.strip()})
    if not 0 < args.due <= args.clocks:
        parser.error("--due must be between 1 and --clocks")
    return args


def setup_django(queue_email=False):
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if queue_email:
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
        os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    # One INFO line per eager email task would drown the report (and slow the run).
    logging.getLogger("celery").setLevel(logging.WARNING)


# --- Database -----------------------------------------------------------------------


def check_database():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The SLA sweep benchmark needs PostgreSQL (set DATABASE_URL).")
    if "bench" not in db["NAME"]:
        sys.exit(f"Refusing database {db['NAME']!r}: its name must contain 'bench' "
                 "(this script truncates the clock and ticket tables).")


def check_table_names():
    from core.models import Notification, SlaClock, SlaClockEvent
    from tests.testapp.models import Ticket, TicketNote

    actual = {
        T_CLOCK: SlaClock, T_EVENT: SlaClockEvent, T_CLOCK_HISTORY: SlaClock.history.model,
        T_NOTIFICATION: Notification, T_TICKET: Ticket, T_TICKET_HISTORY: Ticket.history.model,
        T_TICKET_NOTE: TicketNote,
    }
    for table, model in actual.items():
        assert model._meta.db_table == table, (model, model._meta.db_table, table)


# --- Fixture ------------------------------------------------------------------------


def fixture_start(object_id, cycle):
    """When a fixture clock started: 1 h to 10 days before NOW, spread by owner/cycle.

    ``reset_clocks`` computes the same instant in SQL.
    """
    return NOW - timedelta(seconds=(object_id * CYCLES + cycle) * 7919 % SPREAD_SECONDS + 3600)


def truncate_all():
    sql("TRUNCATE core_slaclockevent, core_historicalslaclock, core_slaclock, core_notification, "
        "testapp_ticketnote, testapp_historicalticket, testapp_ticket RESTART IDENTITY")


def bench_owners():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    owners = []
    for n in range(OWNERS):
        user, created = user_model.objects.get_or_create(
            username=f"bench-owner-{n}",
            defaults={"email": f"bench-owner-{n}@example.com", "first_name": "Owner"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        owners.append(user)
    return owners


def ensure_tickets(count):
    """Ticket ids in load order, creating the missing ones (bulk, no history rows)."""
    from tests.testapp.models import Ticket

    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    missing = count - len(ids)
    if missing > 0:
        owners = bench_owners()
        start = len(ids)
        created = Ticket.objects.bulk_create(
            (Ticket(title=f"Bench ticket {n}", owner=owners[n % OWNERS])
             for n in range(start, count)),
            batch_size=10_000,
        )
        ids.extend(t.pk for t in created)
    return ids[:count]


def load_clocks(target_count):
    """Top the clock table up to ``target_count`` rows with COPY. Returns seconds spent."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from core.clocks import builtin_calendar
    from tests.testapp.models import Ticket

    existing = scalar("SELECT count(*) FROM core_slaclock")
    if existing >= target_count:
        return 0.0
    started = time.perf_counter()
    ticket_ids = ensure_tickets(math.ceil(target_count / CYCLES))
    calendar_id = builtin_calendar().pk
    content_type_id = ContentType.objects.get_for_model(Ticket).pk
    columns = ("object_id, kind, cycle, target, state, outcome, started_at, running_since, "
               "consumed, pause_reason, paused_total, due_at, warn_thresholds, warnings_fired, "
               "next_action_at, calendar_id, content_type_id, pause_cap_unit, stretches")
    tail = f"\t[50, 75]\t[]\t{{}}\t{calendar_id}\t{content_type_id}\tbusiness\t{{}}\n"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY core_slaclock ({columns}) FROM STDIN") as copy:
            chunk = []
            for i in range(existing, target_count):
                object_id, cycle = ticket_ids[i // CYCLES], i % CYCLES + 1
                start = fixture_start(object_id, cycle)
                begun = start.isoformat()
                chunk.append(
                    f"{object_id}\t{KIND}\t{cycle}\t30 days\trunning\t\t{begun}\t{begun}"
                    f"\t00:00:00\t\t00:00:00\t{(start + TARGET).isoformat()}"
                    + tail.format((start + TARGET / 2).isoformat(),
                                  f'[["{begun}", 0, {calendar_id}]]')
                )
                if len(chunk) == 50_000:
                    copy.write("".join(chunk))
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk))
    seconds = time.perf_counter() - started
    loaded = target_count - existing
    log(f"  loaded {fmt_int(loaded)} clocks in {seconds:.1f} s "
        f"({loaded / seconds:,.0f} rows/s; {fmt_int(target_count)} in the table)")
    return seconds


def reset_clocks():
    """Undo a previous run's due phase: events, notifications, notes, escalations,
    and any clock that is not in its fixture state again."""
    sql("TRUNCATE core_slaclockevent, core_historicalslaclock, core_notification, "
        "testapp_ticketnote")
    sql("UPDATE testapp_ticket SET escalation_level = 0 WHERE escalation_level <> 0")
    reset = sql(
        """
        WITH fixture AS (
            SELECT id, %(now)s - make_interval(
                secs => mod((object_id * %(cycles)s + cycle) * 7919, %(spread)s) + 3600
            ) AS start
            FROM core_slaclock
            WHERE next_action_at IS NULL OR next_action_at <= %(now)s
               OR breached_at IS NOT NULL OR warnings_fired <> '[]'::jsonb
        )
        UPDATE core_slaclock AS c
        SET started_at = f.start, running_since = f.start, consumed = interval '0',
            due_at = f.start + %(target)s, next_action_at = f.start + %(half)s,
            warnings_fired = '[]'::jsonb, breached_at = NULL, state = 'running',
            outcome = '', paused_at = NULL, resume_at = NULL, stopped_at = NULL
        FROM fixture AS f WHERE c.id = f.id
        """,
        {"now": NOW, "cycles": CYCLES, "spread": SPREAD_SECONDS, "target": TARGET,
         "half": TARGET / 2},
    )
    if reset:
        log(f"  reset {fmt_int(reset)} clocks to their fixture state")


def check_fixture_against_engine():
    """The loaded schedule must be what recompute_schedule itself derives."""
    from core.clocks import recompute_schedule
    from core.models import SlaClock

    first, last = sql("SELECT min(id), max(id) FROM core_slaclock")[0]
    for pk in {first, (first + last) // 2, last}:
        clock = SlaClock.objects.select_related("calendar").get(pk=pk)
        stored = (clock.due_at, clock.next_action_at)
        recompute_schedule(clock)
        assert stored == (clock.due_at, clock.next_action_at), (pk, stored, clock.due_at,
                                                                 clock.next_action_at)


# --- Measurements ----------------------------------------------------------------------


def due_query():
    from core.models import SlaClock

    # The exact query core.sweep.clocks_due runs (batch of 500).
    return (SlaClock.objects.filter(next_action_at__lte=NOW).order_by("next_action_at")
            .values_list("pk", flat=True)[:500])


def explain_due_query():
    plan = due_query().explain(analyze=True, buffers=True)
    lines = [line.strip(" ->") for line in plan.splitlines()]
    scan = next((line for line in lines if "clock_next_action_idx" in line),
                next((line for line in lines if "Scan" in line), "?"))
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", plan)
    pages = sum(int(n) for n in buffers.groups() if n) if buffers else 0
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    summary = (f"{scan.split('  (')[0]}: {pages} buffers, "
               f"{float(execution.group(1)) if execution else 0:.3f} ms in PostgreSQL")
    return plan, scan, summary


def measure_idle(clocks, repeat, batch_size):
    """Time sweep(now) with nothing due; count its queries once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.sweep import sweep

    assert sweep(now=NOW, batch_size=batch_size)["clocks"] == 0  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        totals = sweep(now=NOW, batch_size=batch_size)
        samples.append((time.perf_counter() - start) * 1000)
        assert totals["clocks"] == 0, totals
    with CaptureQueriesContext(connection) as captured:
        sweep(now=NOW, batch_size=batch_size)
    plan, scan, plan_summary = explain_due_query()
    result = {
        "clocks": clocks, "median_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 95), "min_ms": min(samples),
        "queries": len(captured), "scan": scan, "plan": plan, "plan_summary": plan_summary,
    }
    log(f"  idle sweep over {fmt_int(clocks)} running clocks: median "
        f"{result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms, "
        f"{result['queries']} queries ({repeat} runs)")
    for query in captured.captured_queries:
        log(f"    SQL: {query['sql'][:150]}")
    log("  EXPLAIN (ANALYZE, BUFFERS) of the due-clock query:")
    for line in plan.splitlines():
        log(f"    {line}")
    return result


def make_due(count):
    """Put ``count`` clocks, spread over the table (one per ticket at the default
    sizes), 31 days into their 30-day target: 50 %, 75 % and the breach are due."""
    total = scalar("SELECT count(*) FROM core_slaclock")
    step = max(1, total // count)
    updated = sql(
        """
        WITH picked AS (
            SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM core_slaclock) s
            WHERE mod(n - 1, %(step)s) = 0 ORDER BY id LIMIT %(count)s
        ), late AS (
            SELECT id, %(now)s - interval '31 days' - make_interval(secs => mod(id, 3600))
                AS start
            FROM picked
        )
        UPDATE core_slaclock AS c
        SET started_at = l.start, running_since = l.start,
            due_at = l.start + %(target)s, next_action_at = l.start + %(half)s
        FROM late AS l WHERE c.id = l.id
        """,
        {"step": step, "count": count, "now": NOW, "target": TARGET, "half": TARGET / 2},
    )
    assert updated == count, (updated, count)
    sql("ANALYZE core_slaclock")
    due_now = scalar("SELECT count(*) FROM core_slaclock WHERE next_action_at <= %s",
                     [NOW])
    assert due_now == count, (due_now, count)
    return step


_SHAPE = re.compile(r'^\s*(SELECT|INSERT|UPDATE|DELETE|SAVEPOINT|RELEASE|ROLLBACK)\b'
                    r'(?:.*?\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?)?', re.S | re.I)


def query_shape(statement):
    match = _SHAPE.match(statement)
    if not match:
        return statement.split(None, 1)[0][:20]
    verb, table = match.group(1).upper(), match.group(2) or ""
    if verb == "UPDATE":
        table = re.match(r'\s*UPDATE\s+"?(\w+)"?', statement, re.I).group(1)
    return f"{verb} {table}{' FOR UPDATE' if 'FOR UPDATE' in statement else ''}".strip()


class QueryCounter:
    """Counts every query and its database time, by shape, through an execute
    wrapper — CaptureQueriesContext keeps only the last 9,000 queries."""

    def __init__(self):
        self.count, self.seconds, self.shapes = 0, 0.0, Counter()
        self.shape_seconds = Counter()
        self.in_task = 0  # > 0 while an eager email task runs
        self.task_count = 0  # statements run by those tasks (a worker's, in production)

    def __call__(self, execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            shape = query_shape(str(statement))
            self.count += 1
            self.task_count += bool(self.in_task)
            self.seconds += elapsed
            self.shapes[shape] += 1
            self.shape_seconds[shape] += elapsed


@contextmanager
def instrumented(counter):
    """Count queries (execute wrapper), COMMITs (they are not queries to Django) and
    the time spent inside eager Celery tasks (the notification emails)."""
    from celery.signals import task_postrun, task_prerun
    from django.db import connection

    stats = {"commits": 0, "commit_seconds": 0.0, "tasks": 0, "task_seconds": 0.0}
    running = {}
    commit = connection._commit

    def timed_commit():
        start = time.perf_counter()
        try:
            return commit()
        finally:
            stats["commits"] += 1
            stats["commit_seconds"] += time.perf_counter() - start

    def prerun(task_id=None, **kwargs):
        running[task_id] = time.perf_counter()
        counter.in_task += 1

    def postrun(task_id=None, **kwargs):
        counter.in_task -= 1
        stats["tasks"] += 1
        stats["task_seconds"] += time.perf_counter() - running.pop(task_id, time.perf_counter())

    task_prerun.connect(prerun, weak=False)
    task_postrun.connect(postrun, weak=False)
    connection._commit = timed_commit  # instance attribute: shadows the method
    try:
        with connection.execute_wrapper(counter):
            yield stats
    finally:
        del connection._commit
        task_prerun.disconnect(prerun)
        task_postrun.disconnect(postrun)


def parallel_sweep(sweepers, batch_size):
    """``sweepers`` sweeps at once, as ``SLA_SWEEP_SWEEPERS`` workers take a burst
    (``core.tasks.sweep_sla_clocks``): forked processes, each with its own connection,
    released together once all are connected. Returns the wall time from the start
    to the last one's end, and each one's ``(totals, CPU seconds, statements)``."""
    import multiprocessing

    from django.db import connection, connections

    from core.sweep import sweep

    connections.close_all()  # a forked child must not share the parent's socket
    context = multiprocessing.get_context("fork")
    results, go = context.Queue(), context.Event()

    def run():
        statements = [0]

        def counting(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        connection.ensure_connection()
        go.wait()
        cpu = time.process_time()
        with connection.execute_wrapper(counting):
            totals = sweep(now=NOW, batch_size=batch_size)
        results.put((totals, time.process_time() - cpu, statements[0]))
        connections.close_all()

    processes = [context.Process(target=run) for _ in range(sweepers)]
    for process in processes:
        process.start()
    time.sleep(2)  # every child connected and waiting at the start line
    start = time.perf_counter()
    go.set()
    done = [results.get(timeout=1800) for _ in processes]
    seconds = time.perf_counter() - start
    for process in processes:
        process.join()
    return seconds, done


def measure_due(due, batch_size, per_clock=False, sweepers=1):
    from django.conf import settings
    from django.core import mail

    from core.models import Notification, SlaClock, SlaClockEvent
    from core.sweep import sweep
    from tests.testapp.models import Ticket, TicketNote

    mail.outbox = []
    counter = QueryCounter()
    with instrumented(counter) as stats:
        if sweepers > 1:
            seconds, done = parallel_sweep(sweepers, batch_size)
            totals = Counter()
            for each, _, _ in done:
                totals.update(each)
            cpu_seconds = sum(cpu for _, cpu, _ in done)
            counter.count = sum(statements for _, _, statements in done)
            log(f"  {sweepers} sweepers at once: " + "; ".join(
                f"{each['clocks']:,} clocks, {each['skipped']:,} held by another, "
                f"{cpu:.2f} s CPU" for each, cpu, _ in done))
        else:
            start, cpu_start = time.perf_counter(), time.process_time()
            totals = sweep(now=NOW, batch_size=batch_size, set_based=not per_clock)
            seconds = time.perf_counter() - start
            cpu_seconds = time.process_time() - cpu_start
    log(f"  sweep totals: {dict(totals)}")

    checks = {
        "clocks processed": (totals["clocks"], due),
        "warnings fired": (totals["warnings"], 2 * due),
        "breaches fired": (totals["breaches"], due),
        # Several sweepers skip the chunks another holds: only one alone skips none.
        "failed + skipped" if sweepers == 1 else "failed": (
            totals["failed"] + (totals["skipped"] if sweepers == 1 else 0), 0),
        "warning events": (SlaClockEvent.objects.filter(kind="warning").count(), 2 * due),
        "breach events": (SlaClockEvent.objects.filter(kind="breached").count(), due),
        "events created": (SlaClockEvent.objects.count(), 3 * due),
        "notifications": (Notification.objects.count(), 3 * due),
        "emails sent": (len(mail.outbox), 0 if settings.CELERY_BROKER_URL == "memory://"
                        else 3 * due),
        "emails due in the outbox": (Notification.objects.filter(
            email_status="pending").count(), 3 * due if settings.CELERY_BROKER_URL ==
            "memory://" else 0),
        "timeline notes": (TicketNote.objects.count(), 3 * due),
        "escalations": (sum(Ticket.objects.values_list("escalation_level", flat=True)), due),
        "history rows": (SlaClock.history.count(), due),
        "still due": (SlaClock.objects.filter(next_action_at__lte=NOW).count(), 0),
        "second sweep": (sweep(now=NOW, batch_size=batch_size)["clocks"], 0),
    }
    failures = [f"{name}: got {got}, expected {want}"
                for name, (got, want) in checks.items() if got != want]
    for name, (got, want) in checks.items():
        log(f"    {'ok ' if got == want else 'BAD'} {name}: {fmt_int(got)} "
            f"(expected {fmt_int(want)})")
    clocks = max(totals["clocks"], 1)
    per_clock_ms = 1000 / clocks
    result = {
        "due": due, "seconds": seconds, "per_second": totals["clocks"] / seconds,
        "ms_per_clock": seconds * per_clock_ms, "queries": counter.count,
        "queries_per_clock": counter.count / clocks, "commits_per_clock": stats["commits"] / clocks,
        "sweep_queries_per_clock": (counter.count - counter.task_count) / clocks,
        "tasks": stats["tasks"], "task_seconds": stats["task_seconds"],
        "failures": failures, "cpu_ms_per_clock": cpu_seconds * per_clock_ms,
    }
    log(f"  {fmt_int(totals['clocks'])} clocks in {seconds:.2f} s = "
        f"{result['per_second']:,.1f} clocks/s, {result['ms_per_clock']:.2f} ms/clock, "
        f"{fmt_int(counter.count)} queries = {result['queries_per_clock']:.1f} per clock, "
        f"{fmt_int(stats['commits'])} COMMITs = {result['commits_per_clock']:.1f} per clock")
    if sweepers > 1:
        log(f"    {result['cpu_ms_per_clock']:7.2f} ms  CPU of the {sweepers} sweepers together "
            f"per clock; {result['queries_per_clock']:.2f} statements per clock")
        return result
    log("  where the time goes, per processed clock:")
    log(f"    {counter.seconds * per_clock_ms:7.2f} ms  executing queries (round trip incl.)")
    log(f"    {stats['commit_seconds'] * per_clock_ms:7.2f} ms  COMMIT of the sweep's transactions "
        f"({1000 * stats['commit_seconds'] / max(stats['commits'], 1):.2f} ms each: WAL flush;"
        " autocommit statements flush inside their query time)")
    rest = seconds - counter.seconds - stats["commit_seconds"]
    log(f"    {rest * per_clock_ms:7.2f} ms  Python (ORM, business time, Celery, email)")
    # CPU time of this process (Python, psycopg): on a shared machine it swings far
    # less than the wall clock, which waits for the other processes' turns.
    log(f"    {result['cpu_ms_per_clock']:7.2f} ms  CPU of this process (load-independent-ish)")
    log(f"    of the total, {stats['task_seconds'] * per_clock_ms:.2f} ms in "
        f"{stats['tasks']} eager email tasks (one per chunk; a worker's job in production)")
    log(f"  statements: {result['sweep_queries_per_clock']:.2f} per clock in the sweep itself, "
        f"{counter.task_count / clocks:.2f} per clock in the email tasks (one UPDATE per "
        "mail sent: each stamp right after its send keeps at-least-once tight)")
    log("  queries per processed clock, by shape (the eager email task included):")
    for shape, n in counter.shapes.most_common():
        log(f"    {n / clocks:6.2f} x {shape:<40} "
            f"{counter.shape_seconds[shape] * per_clock_ms:6.3f} ms/clock")
    return result


def profile_sweep(count, batch_size):
    from core.sweep import sweep

    reset_clocks()
    make_due(count)
    profiler = cProfile.Profile()
    profiler.enable()
    totals = sweep(now=NOW, batch_size=batch_size)
    profiler.disable()
    log(f"  profiled sweep totals: {totals}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    # Where the time is spent, not only through which calls: the per-value work hides
    # under many callers.
    stats.sort_stats("tottime").print_stats(25)
    # A chunk's steps side by side (crossings, the bulk writes, the owners' hooks, the
    # actions): which one to make cheaper next.
    stats.sort_stats("cumulative").print_callees("process_chunk")
    log(out.getvalue())


# --- Main ---------------------------------------------------------------------------------


def main():
    args = parse_args()
    setup_django(args.queue_email)
    from django.conf import settings

    check_table_names()
    log(f"SLA sweep benchmark — {fmt_int(args.clocks)} clocks, {fmt_int(args.due)} due, "
        f"database {settings.DATABASES['default']['NAME']}, "
        f"eager Celery {settings.CELERY_TASK_ALWAYS_EAGER}, now = {NOW:%Y-%m-%d %H:%M} UTC")
    started = time.perf_counter()
    check_database()
    prepare_database(not args.fresh, "--fresh")

    existing = scalar("SELECT count(*) FROM core_slaclock")
    if not args.reuse or existing > args.clocks:
        if existing:
            log(f"  truncating {fmt_int(existing)} clocks "
                f"({'more than --clocks' if args.reuse else 'no --reuse'})")
        truncate_all()
        existing = 0
    reset_clocks()

    sizes = [s for s in args.compare if existing <= s < args.clocks] + [args.clocks]
    idle, curve, load_seconds = [], [], 0.0
    for size in sizes:
        log(f"\n== {fmt_int(size)} running clocks, nothing due")
        load_seconds += load_clocks(size)
        with timed("VACUUM (ANALYZE) + CHECKPOINT"):
            vacuum_analyze("core_slaclock")
        check_fixture_against_engine()
        idle.append(measure_idle(size, args.repeat, args.batch_size))
        if args.burst_curve and size < args.clocks:
            due = max(1, size * args.due // args.clocks)
            log(f"\n== {fmt_int(size)} running clocks, {fmt_int(due)} due (growth curve)")
            make_due(due)
            curve.append((size, measure_due(due, args.batch_size, args.per_clock)))
            reset_clocks()
            vacuum_analyze("core_slaclock")

    log(f"\n== {fmt_int(args.clocks)} running clocks, {fmt_int(args.due)} due")
    with timed(f"making {fmt_int(args.due)} clocks due (UPDATE + ANALYZE)"):
        step = make_due(args.due)
    log(f"  one due clock every {fmt_int(step)} rows; due-clock query with them due:")
    plan, _, due_plan = explain_due_query()
    for line in plan.splitlines():
        log(f"    {line}")
    busy = measure_due(args.due, args.batch_size, args.per_clock, args.sweepers)
    curve.append((args.clocks, busy))
    log("  idle sweep right after (dead index entries of the processed clocks not vacuumed):")
    after = measure_idle(args.clocks, args.repeat, args.batch_size)

    if args.profile:
        log(f"\n== profile: sweep of {fmt_int(args.profile)} due clocks")
        profile_sweep(args.profile, args.batch_size)

    total = time.perf_counter() - started
    log("\n== Summary (PostgreSQL, config.settings_test, eager Celery + locmem email)")
    header = f"{'scenario':<34}{'clocks':>11}{'due':>8}  {'result':<58}"
    log(header)
    log("-" * len(header))
    for row in idle:
        log(f"{'sweep, nothing due':<34}{fmt_int(row['clocks']):>11}{0:>8}  "
            f"median {row['median_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms, "
            f"{row['queries']} queries")
    log(f"{'sweep, due clocks':<34}{fmt_int(args.clocks):>11}{fmt_int(args.due):>8}  "
        f"{busy['seconds']:.1f} s, {busy['per_second']:,.1f} clocks/s, "
        f"{busy['ms_per_clock']:.2f} ms/clock, {busy['queries_per_clock']:.1f} queries "
        f"+ {busy['commits_per_clock']:.1f} commits/clock")
    for size, row in curve:
        log(f"{'burst (growth curve)':<34}{fmt_int(size):>11}{fmt_int(row['due']):>8}  "
            f"{row['seconds']:.2f} s, {row['ms_per_clock']:.2f} ms/clock "
            f"({row['cpu_ms_per_clock']:.2f} ms CPU), "
            f"{row['sweep_queries_per_clock']:.2f} statements/clock in the sweep "
            f"(+{row['queries_per_clock'] - row['sweep_queries_per_clock']:.2f} in "
            f"{row['tasks']} email tasks, {row['task_seconds']:.2f} s)")
    log(f"{'sweep, nothing due (after run)':<34}{fmt_int(args.clocks):>11}{0:>8}  "
        f"median {after['median_ms']:.2f} ms, p95 {after['p95_ms']:.2f} ms, "
        f"{after['queries']} queries")
    log("due-clock query (LIMIT 500), EXPLAIN ANALYZE:")
    for row in idle:
        log(f"  {fmt_int(row['clocks']):>11} clocks, nothing due: {row['plan_summary']}")
    log(f"  {fmt_int(args.clocks):>11} clocks, {fmt_int(args.due)} due: {due_plan}")
    log(f"load {load_seconds:.1f} s, whole run {total:.0f} s")

    failures = [failure for _, row in curve for failure in row["failures"]]
    failures += [f"due-clock query does not use clock_next_action_idx: {row['scan']}"
                 for row in [*idle, after] if "clock_next_action_idx" not in row["scan"]]
    if args.drop:
        drop_database()
    if failures:
        log("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    log("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
