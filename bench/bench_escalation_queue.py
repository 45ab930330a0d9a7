#!/usr/bin/env python
"""Benchmark the escalation queue: list pages fast, in a constant number of queries.

DESIGN.md's quality bar: with the large seed (≥500k escalations, ≥1M clocks) list
endpoints stay under 100 ms and answer in a constant number of queries whatever
the page size. This script, on a throwaway PostgreSQL database of its own:

1. creates the database (``bench_switchboard_queue`` by default; dropped first if
   it exists, unless ``--reuse``) and migrates it (``config.settings_test``);
2. loads the fixture with ``COPY`` (or ``bulk_create`` with ``--loader orm``; no
   simple-history rows, no services: it is a fixture): ~50 owners in the
   "Escalation Lead" group, customers of every tier, escalations spread over 18
   months before now (~15 % open, the open ones mostly recent) with realistic tiers,
   categories, priorities, owners and stage times, and 2-4 SLA clocks each (first
   response, containment, update cadence, resolution) on the built-in 24×7
   calendar: running (or paused while awaiting the customer) for the open ones,
   with ``due_at``/``next_action_at``/warnings/breach as the engine would have
   them, stopped met/missed for the rest. A few running clocks are checked
   against ``core.clocks.recompute_schedule``;
3. after ``VACUUM (ANALYZE)`` and a ``CHECKPOINT``, times the web queue
   ``GET /escalations/`` and the API ``GET /api/escalations/`` through Django's
   test client, signed in as an Escalation Lead: median and p95 over ``--repeat``
   runs, the query count (``CaptureQueriesContext``), the database time and the
   slowest query of each case;
4. checks that the query count does not grow with the page: the web queue with
   5 rows against 50 rows, the API with ``page_size`` 10 against 200;
5. prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the queue's main query as the view sent
   it, and a one-line plan summary of every case's slowest query;
6. prints a summary table and drops the database (unless ``--keep``).

Run (see bench/README.md)::

    .venv/bin/python bench/bench_escalation_queue.py             # 100k escalations
    .venv/bin/python bench/bench_escalation_queue.py --quick     # 5k, smoke run
    .venv/bin/python bench/bench_escalation_queue.py --escalations 500000 --customers 50000

The database is given by ``--database-url`` (never ``DATABASE_URL`` from the
environment or ``.env``: the developer's database is never touched); the script
refuses a database whose name does not contain "bench".
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
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

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_switchboard_queue"
TARGET_MS = 100.0  # DESIGN.md: list endpoints under 100 ms with the large seed
SPAN = timedelta(days=548)  # escalations spread over ~18 months before "now"
OWNERS = 50  # escalation owners (the lead who runs the benchmark is one of them)
LEAD_SHARE = 0.10  # of the owned escalations, the signed-in lead's (?mine=1)
FEW_ROWS = 5  # open escalations of "bench-few": the 5-row page of the web queue
SEED = 2026
BATCH = 5_000

# The clock kinds (escalations/clock_kinds.py) and the fixture's targets by priority.
FIRST_RESPONSE = "escalations.first_response"
UPDATE = "escalations.update"
CONTAINMENT = "escalations.containment"
RESOLUTION = "escalations.resolution"
H, D = timedelta(hours=1), timedelta(days=1)
TARGETS = {
    FIRST_RESPONSE: {"P1": H / 2, "P2": H, "P3": 4 * H, "P4": 8 * H, "": 4 * H},
    CONTAINMENT: {"P1": 4 * H, "P2": 8 * H, "P3": D, "P4": 2 * D, "": D},
    UPDATE: {"P1": 2 * H, "P2": 4 * H, "P3": D, "P4": 2 * D, "": D},
    RESOLUTION: {"P1": 2 * D, "P2": 5 * D, "P3": 10 * D, "P4": 20 * D, "": 10 * D},
}
THRESHOLDS = [50, 75]

# Weighted choices (value, weight).
CUSTOMER_TIERS = [("standard", 70), ("priority", 20), ("vip", 7), ("high_value", 3)]
TIERS = [("L1", 55), ("L2", 30), ("L3", 12), ("L4", 3)]
CATEGORIES = [("complaint", 30), ("billing", 30), ("technical", 25), ("regulatory", 5),
              ("social_media", 6), ("executive", 4)]
PRIORITIES = [("P1", 5), ("P2", 20), ("P3", 50), ("P4", 25)]
OPEN_MIX = [("new", 20), ("triaged", 40), ("contained", 25), ("awaiting_customer", 15)]
DONE_MIX = [("closed", 70), ("resolved", 12), ("review", 8), ("withdrawn", 10)]
# Chance that an escalation is still open, by age: ~15 % overall, mostly recent ones.
OPEN_BY_AGE = [(timedelta(days=30), 0.90), (timedelta(days=120), 0.40), (SPAN, 0.04)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=None,
                        help="default: one per 10 escalations")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 escalations")
    parser.add_argument("--loader", choices=["copy", "orm"], default="copy",
                        help="COPY through psycopg (default) or Django's bulk_create")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database and its rows if it is already loaded")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile one default web request and one API request")
    parser.add_argument("--show-sql", action="store_true",
                        help="print every query of every case (otherwise: the default case)")
    args = parser.parse_args()
    if args.quick:
        args.escalations, args.repeat = 5_000, min(args.repeat, 15)
    if args.customers is None:
        args.customers = max(100, args.escalations // 10)
    if args.escalations < 1_000:
        parser.error("--escalations must be at least 1,000")
    return args


def setup_django(database_url):
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    if "bench" not in name:
        sys.exit(f"Refusing database {name!r}: its name must contain 'bench' "
                 "(this script drops and recreates it).")
    # Forced, not defaulted: the developer's DATABASE_URL (or the SQLite file under
    # var/) must never be the one benchmarked, dropped or loaded.
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    # Production-like request handling: DEBUG off (no query log, no debug templates).
    os.environ["DEBUG"] = "false"
    # The test client's host.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Hundreds of API calls from one user: keep the throttle (its cache round trip is
    # part of a request's cost) but out of the way.
    os.environ["API_THROTTLE_USER"] = "10000000/hour"
    import django

    django.setup()
    from django.conf import settings

    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", db["ENGINE"]
    assert db["NAME"] == name, (db["NAME"], name)


# --- Small helpers ---------------------------------------------------------------------


def weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def between(rng, low, high):
    return low + (high - low) * rng.random()


# --- Database ----------------------------------------------------------------------------


def second_connection():
    """Another psycopg connection to the bench database (not Django's)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    connection = psycopg.connect(
        dbname=db["NAME"], host=db.get("HOST") or None, port=db.get("PORT") or None,
        user=db.get("USER") or None, password=db.get("PASSWORD") or None)
    connection.execute("SET synchronous_commit TO off")
    return connection


# --- Loading -----------------------------------------------------------------------------


class CopyLoader:
    """Rows into a model's table with COPY, with what bulk_create would insert.

    Every concrete field is a column (so a field added to the model since this
    script was written gets its default, as with bulk_create); a row gives only the
    fields it sets, by attname. Values are passed to psycopg as Python objects; JSON
    fields are wrapped.
    """

    def __init__(self, model, cursor, now):
        from django.db import connection
        from django.db.models import JSONField
        from psycopg import sql as psql
        from psycopg.types.json import Jsonb

        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.json = {f.attname for f in self.fields if isinstance(f, JSONField)}
        self.jsonb = Jsonb
        self.template = {}
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
            self.template[field.attname] = value
        statement = psql.SQL("COPY {} ({}) FROM STDIN").format(
            psql.Identifier(model._meta.db_table),
            psql.SQL(", ").join(psql.Identifier(f.column) for f in self.fields))
        self._copy_cm = cursor.copy(statement)
        self._copy = self._copy_cm.__enter__()
        self.count = 0

    def write(self, values):
        row = {**self.template, **values}
        for name in self.json.intersection(values):
            row[name] = self.jsonb(row[name])
        self._copy.write_row([row[name] for name in self.attnames])
        self.count += 1

    def close(self):
        self._copy_cm.__exit__(None, None, None)


class OrmLoader:
    """The same rows through bulk_create, in batches."""

    def __init__(self, model, cursor=None, now=None):
        self.model, self.pending, self.count = model, [], 0

    def write(self, values):
        self.pending.append(self.model(**values))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self):
        if self.pending:
            self.model.objects.bulk_create(self.pending)
            self.count += len(self.pending)
            self.pending = []

    def close(self):
        self.flush()


def bench_users():
    """The owners (Escalation Leads), the signed-in lead among them, and "bench-few"
    (who owns exactly FEW_ROWS open escalations)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.choices import Role

    user_model = get_user_model()
    group = Group.objects.get(name=Role.ESCALATION_LEAD)

    def user(username, first, last):
        person, created = user_model.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "first_name": first,
                      "last_name": last})
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
        person.groups.add(group)
        return person

    lead = user("bench-lead", "Benchmark", "Lead")
    owners = [lead] + [user(f"bench-owner-{n}", "Owner", f"{n:02d}") for n in range(1, OWNERS)]
    few = user("bench-few", "Few", "Rows")
    return lead, owners, few


def stage_times(rng, state, created, age):
    """The escalation's stage instants, consistent with its state, all before now."""
    times = {"triaged_at": None, "contained_at": None, "resolved_at": None,
             "closed_at": None, "ended_at": None}
    if state == "new":
        return times
    is_open = state in ("triaged", "contained", "awaiting_customer")
    share = 0.3 if is_open else 0.05
    triaged = created + min(between(rng, 10 / 60, 6) * H, age * share)
    times["triaged_at"] = triaged
    if state == "withdrawn":
        times["ended_at"] = triaged + (age - (triaged - created)) * rng.random() * 0.5
        if rng.random() < 0.3:
            times["triaged_at"] = None  # withdrawn before triage
        return times
    contained_needed = state in ("contained", "resolved", "review", "closed") or (
        state == "awaiting_customer" and rng.random() < 0.5)
    left = age - (triaged - created)
    if contained_needed:
        contained = triaged + min(between(rng, 1, 48) * H, left * (0.3 if is_open else 0.2))
        times["contained_at"] = contained
        left = age - (contained - created)
    if is_open:
        return times
    start = times["contained_at"]
    resolved = start + min(between(rng, 1, 10) * D, left * 0.5)
    times["resolved_at"] = resolved
    times["ended_at"] = resolved
    if state == "closed":
        times["closed_at"] = resolved + min(between(rng, 1, 14) * D,
                                            (age - (resolved - created)) * 0.5)
    return times


def running_clock(kind, target, running_since, consumed, started, now):
    """A running clock on the 24×7 calendar, as core.clocks.recompute_schedule would
    leave it after every warning and breach due before ``now`` had fired."""
    used = consumed + (now - running_since)
    fired = [p for p in THRESHOLDS if used >= target * p / 100]
    breached = used >= target
    due = running_since + (target - consumed)

    def instant(point):
        still = point - consumed
        return running_since if still <= timedelta(0) else running_since + still

    pending = [instant(target * p / 100) for p in THRESHOLDS if p not in fired]
    if not breached:
        pending.append(due)
    return {"kind": kind, "target": target, "state": "running", "started_at": started,
            "running_since": running_since, "consumed": consumed, "due_at": due,
            "warn_thresholds": THRESHOLDS, "warnings_fired": fired,
            "breached_at": due if breached else None,
            "next_action_at": min(pending) if pending else None}


def paused_clock(kind, target, started, paused_at):
    """Paused while awaiting the customer (no cap: nothing pending, no due instant)."""
    consumed = paused_at - started
    fired = [p for p in THRESHOLDS if consumed >= target * p / 100]
    return {"kind": kind, "target": target, "state": "paused", "started_at": started,
            "running_since": None, "consumed": consumed, "paused_at": paused_at,
            "pause_reason": "Awaiting the customer", "due_at": None,
            "warn_thresholds": THRESHOLDS, "warnings_fired": fired,
            "breached_at": started + target if consumed >= target else None,
            "next_action_at": None}


def stopped_clock(kind, target, started, stopped):
    used = stopped - started
    missed = used > target
    return {"kind": kind, "target": target, "state": "stopped",
            "outcome": "missed" if missed else "met", "started_at": started,
            "running_since": None, "consumed": used, "stopped_at": stopped,
            "due_at": started + target, "warn_thresholds": THRESHOLDS,
            "warnings_fired": [p for p in THRESHOLDS if used >= target * p / 100],
            "breached_at": started + target if missed else None, "next_action_at": None}


def escalation_clocks(rng, esc, now):
    """The clocks of one escalation (without their ids and owner columns)."""
    state, priority, created = esc["state"], esc["priority"], esc["created_at"]
    triaged, contained = esc["triaged_at"], esc["contained_at"]
    ended = esc.pop("_ended_at")
    is_open = state in ("new", "triaged", "contained", "awaiting_customer")
    clocks = []

    target = TARGETS[FIRST_RESPONSE][priority]
    if state == "new":
        clocks.append(running_clock(FIRST_RESPONSE, target, created, timedelta(0), created,
                                    now))
    else:
        clocks.append(stopped_clock(FIRST_RESPONSE, target, created, triaged or ended))

    if priority in ("P1", "P2") or esc["id"] % 2 == 0:
        target = TARGETS[CONTAINMENT][priority]
        if contained is not None:
            clocks.append(stopped_clock(CONTAINMENT, target, created, contained))
        elif is_open:
            clocks.append(running_clock(CONTAINMENT, target, created, timedelta(0), created,
                                        now))
        else:
            clocks.append(stopped_clock(CONTAINMENT, target, created, ended))

    target = TARGETS[UPDATE][priority]
    if state in ("triaged", "contained"):
        # The cadence restarts at every customer update: the current cycle started a
        # fraction of a cadence ago (sometimes more: it is late).
        since = max(triaged, now - target * between(rng, 0.05, 1.3))
        clock = running_clock(UPDATE, target, since, timedelta(0), since, now)
        clock["cycle"] = 1 + int((since - triaged) / target)
        clocks.append(clock)
    elif state == "awaiting_customer":
        paused = max(contained or triaged, now - between(rng, 1, 72) * H)
        clocks.append(paused_clock(UPDATE, target, max(triaged, paused - target * 0.4),
                                   paused))
    elif not is_open and triaged is not None and rng.random() < 0.4:
        clocks.append(stopped_clock(UPDATE, target, triaged,
                                    min(ended, triaged + target * between(rng, 0.3, 1.2))))

    target = TARGETS[RESOLUTION][priority]
    if state == "awaiting_customer":
        paused = max(contained or triaged, now - between(rng, 1, 72) * H)
        clocks.append(paused_clock(RESOLUTION, target, created, paused))
    elif is_open:
        clocks.append(running_clock(RESOLUTION, target, created, timedelta(0), created, now))
    else:
        clocks.append(stopped_clock(RESOLUTION, target, created, ended))
    return clocks


def generate_escalations(rng, count, customers, lead, owners, few, now):
    """Escalations in creation order (ids 1..count), each with its clocks."""
    others = owners[1:]
    start = now - SPAN
    per_year = Counter()
    few_left = FEW_ROWS
    for n in range(count):
        created = start + SPAN * ((n + rng.random()) / count)
        age = now - created
        p_open = next(p for limit, p in OPEN_BY_AGE if age <= limit)
        state = weighted(rng, OPEN_MIX if rng.random() < p_open else DONE_MIX)
        priority, category = weighted(rng, PRIORITIES), weighted(rng, CATEGORIES)
        if state == "new" and rng.random() < 0.5:
            owner = None  # assigned at triage
            if rng.random() < 0.5:
                priority, category = "", ""
        elif state in ("new", "triaged", "contained", "awaiting_customer") and few_left:
            owner, few_left = few, few_left - 1
        elif rng.random() < LEAD_SHARE:
            owner = lead
        else:
            owner = rng.choice(others)
        per_year[created.year] += 1
        times = stage_times(rng, state, created, age)
        esc = {
            "id": n + 1, "reference": f"ESC-{created.year}-{per_year[created.year]:06d}",
            "customer_id": customers[rng.randrange(len(customers))],
            "category": category, "priority": priority,
            "summary": f"{category or 'Unsorted'} escalation {n + 1}: customer reports a "
                       "problem",
            "owner_id": owner.pk if owner else None, "tier": weighted(rng, TIERS),
            "state": state, "created_by_id": rng.choice(owners).pk, "created_at": created,
            "triaged_at": times["triaged_at"], "contained_at": times["contained_at"],
            "resolved_at": times["resolved_at"], "closed_at": times["closed_at"],
            "_ended_at": times["ended_at"],
        }
        if state == "awaiting_customer":
            esc["previous_state"] = "contained" if times["contained_at"] else "triaged"
        if state in ("resolved", "review", "closed"):
            esc["resolution"] = "Refunded and apologised."
        if state == "closed":
            esc["root_cause_review"] = "Process gap; fixed."
        if state == "withdrawn":
            esc["withdraw_reason"] = "Sorted it themselves."
        yield esc


def load_fixture(args, now):
    """Users, customers, escalations and clocks. Returns (seconds, counts)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from core.clocks import builtin_calendar
    from core.models import SlaClock
    from escalations.models import Customer, Escalation

    loader_class = CopyLoader if args.loader == "copy" else OrmLoader
    rng = random.Random(SEED)
    started = time.perf_counter()
    lead, owners, few = bench_users()
    calendar_id = builtin_calendar().pk
    content_type_id = ContentType.objects.get_for_model(Escalation).pk
    counts = Counter()
    # A connection runs one COPY at a time, so the clocks stream through a second one
    # while the escalations are written (a clock points at its escalation through a
    # generic foreign key: no constraint needs the escalation rows committed first).
    clock_connection = second_connection() if args.loader == "copy" else None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        step = time.perf_counter()
        customers = loader_class(Customer, raw, now)
        for n in range(1, args.customers + 1):
            customers.write({
                "id": n, "account_reference": f"ACC-{n:07d}", "name": f"Customer {n}",
                "tier": weighted(rng, CUSTOMER_TIERS), "email": f"customer{n}@example.com",
                "created_at": now - SPAN - D + SPAN * (n / args.customers) * rng.random(),
            })
        customers.close()
        log(f"  {fmt_int(args.customers)} customers: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        customer_ids = list(range(1, args.customers + 1))
        escalations = loader_class(Escalation, raw, now)
        clocks = loader_class(SlaClock, clock_connection.cursor() if clock_connection
                              else None, now)
        clock_id = 0
        for esc in generate_escalations(rng, args.escalations, customer_ids, lead, owners,
                                        few, now):
            for clock in escalation_clocks(rng, esc, now):
                clock_id += 1
                clock.update(id=clock_id, object_id=esc["id"], calendar_id=calendar_id,
                             content_type_id=content_type_id)
                clock.setdefault("cycle", 1)
                counts[f"clock {clock['state']}"] += 1
                clocks.write(clock)
            counts[esc["state"]] += 1
            escalations.write(esc)
        escalations.close()
        clocks.close()
        log(f"  {fmt_int(args.escalations)} escalations and {fmt_int(clock_id)} clocks: "
            f"{time.perf_counter() - step:.1f} s")
        for statement in connection.ops.sequence_reset_sql(no_style(),
                                                           [Customer, Escalation, SlaClock]):
            cursor.execute(statement)
    if clock_connection is not None:
        clock_connection.commit()
        clock_connection.close()
    # The queue orders by sla_due_at, which the clock services keep on every clock
    # event (Escalation.refresh_sla_due_at); the bulk load bypasses them, so set it here.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE escalations_escalation e SET sla_due_at = c.due FROM ("
            " SELECT object_id, min(due_at) AS due FROM core_slaclock"
            " WHERE content_type_id = %s AND state = 'running' AND due_at IS NOT NULL"
            " GROUP BY object_id) c WHERE c.object_id = e.id", [content_type_id])
    seconds = time.perf_counter() - started
    counts["clocks"] = clock_id
    rows = args.customers + args.escalations + clock_id
    log(f"  loaded {fmt_int(rows)} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s, "
        f"{args.loader})")
    return seconds, counts


def check_fixture(now):
    """Running clocks are what the engine derives; the fixture has what the cases need."""
    from core.clocks import recompute_schedule
    from core.models import SlaClock

    ids = [pk for (pk,) in sql("SELECT id FROM core_slaclock WHERE state = 'running' "
                               "ORDER BY id")]
    for pk in {ids[0], ids[len(ids) // 2], ids[-1]}:
        clock = SlaClock.objects.select_related("calendar").get(pk=pk)
        stored = (clock.due_at, clock.next_action_at)
        recompute_schedule(clock)
        assert stored == (clock.due_at, clock.next_action_at), (
            pk, stored, clock.due_at, clock.next_action_at)


def fixture_figures():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    lead = user_model.objects.get(username="bench-lead")
    few = user_model.objects.get(username="bench-few")
    open_states = ("new", "triaged", "contained", "awaiting_customer")
    figures = {
        "customers": scalar("SELECT count(*) FROM escalations_customer"),
        "escalations": scalar("SELECT count(*) FROM escalations_escalation"),
        "open": scalar("SELECT count(*) FROM escalations_escalation WHERE state = ANY(%s)",
                       [list(open_states)]),
        "clocks": scalar("SELECT count(*) FROM core_slaclock"),
        "running clocks": scalar("SELECT count(*) FROM core_slaclock WHERE state = 'running'"),
        "paused clocks": scalar("SELECT count(*) FROM core_slaclock WHERE state = 'paused'"),
        "lead_open": scalar("SELECT count(*) FROM escalations_escalation "
                              "WHERE owner_id = %s AND state = ANY(%s)",
                              [lead.pk, list(open_states)]),
        "few_open": scalar("SELECT count(*) FROM escalations_escalation "
                             "WHERE owner_id = %s AND state = ANY(%s)",
                             [few.pk, list(open_states)]),
        "escalations table": scalar(
            "SELECT pg_size_pretty(pg_total_relation_size('escalations_escalation'))"),
        "clock table": scalar("SELECT pg_size_pretty(pg_total_relation_size('core_slaclock'))"),
    }
    return lead, few, figures


# --- Measurements ----------------------------------------------------------------------

ROW_MARKER = 'data-testid="escalation-row"'


def rows_of(response):
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return len(body["results"]), body.get("count")
    return response.content.decode().count(ROW_MARKER), None


def top_level(statement):
    """The statement with everything inside parentheses and quotes blanked out, so
    its own FROM, WHERE and LIMIT can be found (not a subquery's)."""
    out, depth, quote = [], 0, None
    for char in statement:
        if quote:
            out.append(" ")
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(" " if depth else char)
        elif char == "(":
            depth += 1
            out.append(" ")
        elif char == ")":
            depth -= 1
            out.append(" ")
        else:
            out.append(" " if depth else char)
    return "".join(out)


def query_tail(statement):
    """The statement from its own FROM on: what it reads, without the column list."""
    match = re.search(r"\bFROM\b", top_level(statement))
    return statement[match.start():] if match else statement


def query_label(statement):
    """``SELECT escalations_escalation COUNT(*) LIMIT`` style: the verb, the table of
    its own FROM, and whether it counts or pages."""
    outer = top_level(statement)
    verb = statement.split(None, 1)[0].upper()
    own_from = re.search(r"\bFROM\b", outer)
    table = re.match(r'FROM\s+"?(\w+)"?', statement[own_from.start():]) if own_from else None
    label = f"{verb} {table.group(1) if table else '?'}"
    if re.match(r"\s*SELECT\s+COUNT\(\*\)", statement, re.I):
        label += " COUNT(*)"
    if re.search(r"\bDISTINCT\b", statement[:40], re.I):
        label += " DISTINCT"
    if re.search(r"\bLIMIT\b", outer):
        label += " LIMIT"
    return label


def query_shape(statement):
    """The statement with its literals and IN lists normalised: equal for two pages
    of the same list whatever their sizes."""
    shape = re.sub(r"IN \([^)]*\)", "IN (…)", statement)
    shape = re.sub(r"'[^']*'", "?", shape)
    return re.sub(r"\d+", "N", shape)


class QueryTimer:
    """Execute wrapper: each query's time in ms (CaptureQueriesContext rounds to 1 ms)."""

    def __init__(self):
        self.ms = []

    def __call__(self, execute, statement, params, many, context):
        begin = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - begin) * 1000)


def measure(client, case, url, repeat):
    """Median/p95 of ``repeat`` requests (after 2 warm-ups), then one more request
    with its queries captured (and timed: the capture itself is not in the figures)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code,
                                              response.content[:500])
    samples = []
    for _ in range(repeat):
        begin = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - begin) * 1000)
    timer = QueryTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    rows, total = rows_of(response)
    assert len(timer.ms) == len(captured.captured_queries)
    queries = [{"sql": q["sql"], "ms": ms}
               for q, ms in zip(captured.captured_queries, timer.ms, strict=True)]
    slowest = max(queries, key=lambda q: q["ms"])
    result = {
        "case": case, "url": url, "median_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 95), "min_ms": min(samples), "rows": rows,
        "total": total, "queries": len(queries), "db_ms": sum(q["ms"] for q in queries),
        "slowest": slowest, "captured": queries,
        "labels": [query_label(q["sql"]) for q in queries],
        "shapes": [query_shape(q["sql"]) for q in queries],
    }
    total_text = f" of {fmt_int(total)}" if total is not None else ""
    log(f"  {case:<40} median {result['median_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms"
        f"  min {result['min_ms']:6.1f} ms  {result['queries']:2d} queries "
        f"({result['db_ms']:.1f} ms SQL)  {rows} rows{total_text}; slowest query "
        f"{slowest['ms']:.1f} ms: {query_label(slowest['sql'])}")
    return result


def print_queries(result):
    log(f"    queries of {result['url']}:")
    for query, label in zip(result["captured"], result["labels"], strict=True):
        log(f"    {query['ms']:8.2f} ms  {label:<44} {query_tail(query['sql'])[:150]}")


def explain(statement):
    from django.db import connection

    if not statement.lstrip().upper().startswith("SELECT"):
        return f"(not a SELECT: {statement[:60]}…)\nExecution Time: 0 ms"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


_INDEX = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")


def plan_summary(plan):
    """The leftmost path's first nodes, total time, indexes, sequential scans, and
    the most loops any node ran (a correlated subquery run once per row shows here)."""
    lines = plan.splitlines()
    nodes = [line.strip().removeprefix("->").strip().split("  (")[0]
             for line in lines if line.strip().startswith("->") or line is lines[0]]
    path = " > ".join(nodes[:4])
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    ms = float(execution.group(1)) if execution else float("nan")
    planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
    indexes = sorted(set(_INDEX.findall(plan)))
    seqs = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", plan)
    pages = sum(int(n) for n in buffers.groups() if n) if buffers else 0
    loops = max((int(n) for n in re.findall(r"loops=(\d+)", plan)), default=1)
    sort = re.search(r"Sort Method: ([^\n]+?)\s+(?:Memory|Disk)", plan)
    text = (f"{path}; {ms:.1f} ms executing"
            + (f" + {float(planning.group(1)):.1f} ms planning" if planning else "")
            + f", {fmt_int(pages)} buffers; "
            f"indexes: {', '.join(indexes) or 'none'}"
            + (f"; Seq Scan on {', '.join(seqs)}" if seqs else "")
            + (f"; sort: {sort.group(1)}" if sort else "")
            + (f"; a node looped {fmt_int(loops)} times" if loops > 1 else ""))
    return {"top": nodes[0], "path": path, "ms": ms, "indexes": indexes, "seq_scans": seqs,
            "buffers": pages, "loops": loops, "text": text}


def print_plan(plan, limit=40, width=220):
    lines = plan.splitlines()
    for line in lines[:limit]:
        log(f"    {line[:width]}{' …' if len(line) > width else ''}")
    if len(lines) > limit:
        log(f"    … ({len(lines) - limit} more lines)")
    for line in lines[limit:]:
        if line.startswith(("Planning Time", "Execution Time")):
            log(f"    {line}")


def profile_request(client, url):
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    log(f"\n== cProfile of GET {url} (top 20 by own time; {stats.total_tt * 1000:.0f} ms "
        "under the profiler)")
    log(out.getvalue())


def main_query(result):
    """The page's main query: the escalation SELECT with a LIMIT (the page)."""
    for query, label in zip(result["captured"], result["labels"], strict=True):
        if label.startswith("SELECT escalations_escalation") and "LIMIT" in label:
            return query
    return result["slowest"]


# --- Main ----------------------------------------------------------------------------------


def settings_name():
    from django.conf import settings

    return settings.DATABASES["default"]["NAME"]


def main():
    args = parse_args()
    setup_django(args.database_url)
    name = settings_name()
    log(f"Escalation queue benchmark — {fmt_int(args.escalations)} escalations, "
        f"{fmt_int(args.customers)} customers, database {name}, loader {args.loader}, "
        f"{args.repeat} timed requests per case")
    whole = time.perf_counter()
    existed = prepare_database(args.reuse, "left by an earlier run; --reuse keeps it")
    try:
        return run(args, whole, existed)
    finally:
        if args.keep:
            log(f"Kept database {name} (--keep)")
        else:
            drop_database()


def run(args, whole, existed):
    from django.test import Client
    from django.utils import timezone

    name = settings_name()
    loaded = scalar("SELECT count(*) FROM escalations_escalation")
    load_seconds = 0.0
    if existed and loaded == args.escalations:
        log(f"  reusing the {fmt_int(loaded)} escalations already loaded (--reuse)")
        now_row = sql("SELECT max(created_at) FROM escalations_escalation")[0][0]
        log(f"  (loaded relative to {now_row:%Y-%m-%d %H:%M} UTC: clocks age since)")
    else:
        if loaded:
            sys.exit(f"{name} holds {fmt_int(loaded)} escalations, not "
                     f"{fmt_int(args.escalations)}: run without --reuse to reload.")
        now = timezone.now().replace(microsecond=0)
        log(f"\n== Loading the fixture (now = {now:%Y-%m-%d %H:%M} UTC)")
        load_seconds, counts = load_fixture(args, now)
        log("  states: " + ", ".join(f"{state} {fmt_int(n)}" for state, n in counts.items()
                                     if not state.startswith("clock")))
        check_fixture(now)
        gc.collect()  # the load's garbage must not be collected during the timings
    with timed("VACUUM (ANALYZE) + CHECKPOINT"):
        vacuum_analyze("escalations_customer", "escalations_escalation", "core_slaclock")
    lead, few, figures = fixture_figures()
    log("  fixture: " + ", ".join(f"{k} {fmt_int(v) if isinstance(v, int) else v}"
                                  for k, v in figures.items()))
    if figures["lead_open"] < 50:
        log(f"  note: the lead owns only {figures['lead_open']} open escalations, so "
            "?mine=1 and the 50-row owner page have fewer rows")

    client = Client()
    client.force_login(lead)
    web, api = [], []

    log("\n== Web queue GET /escalations/ (signed in as bench-lead, Escalation Lead)")
    web_cases = [
        ("default (open, earliest clock first)", "/escalations/"),
        ("?tier=L2", "/escalations/?tier=L2"),
        ("?state=triaged", "/escalations/?state=triaged"),
        ("?category=billing&priority=P1", "/escalations/?category=billing&priority=P1"),
        ("?mine=1", "/escalations/?mine=1"),
        ("?page=50", "/escalations/?page=50"),
        (f"?owner=<bench-few> ({FEW_ROWS} rows)", f"/escalations/?owner={few.pk}"),
        ("?owner=<bench-lead> (50 rows)", f"/escalations/?owner={lead.pk}"),
    ]
    for case, url in web_cases:
        web.append(measure(client, case, url, args.repeat))
    print_queries(web[0])

    log("\n== API GET /api/escalations/ (session auth, same user)")
    api_cases = [
        ("default (page_size 50, -created_at)", "/api/escalations/"),
        ("?page_size=10", "/api/escalations/?page_size=10"),
        ("?page_size=50", "/api/escalations/?page_size=50"),
        ("?page_size=200", "/api/escalations/?page_size=200"),
        ("?ordering=next_due", "/api/escalations/?ordering=next_due"),
        ("?state=triaged&tier=L2", "/api/escalations/?state=triaged&tier=L2"),
        ("?search=ESC-2026-00012", "/api/escalations/?search=ESC-2026-00012"),
    ]
    for case, url in api_cases:
        api.append(measure(client, case, url, args.repeat))
    print_queries(api[0])
    if args.show_sql:
        for result in web[1:] + api[1:]:
            print_queries(result)

    # Query counts must not follow the page.
    log("\n== Query count against page size")
    failures = []

    def compare(small, large, what, *, same_filters=True):
        same = small["shapes"] == large["shapes"]
        verdict = "constant (same queries)" if same else (
            ("same count, different queries" if same_filters
             else "same count (other filters, so other SQL)")
            if small["queries"] == large["queries"] else "GROWS WITH THE PAGE")
        log(f"  {what}: {small['rows']} rows -> {small['queries']} queries, "
            f"{large['rows']} rows -> {large['queries']} queries: {verdict}")
        if not same and same_filters:
            extra = Counter(large["labels"]) - Counter(small["labels"])
            fewer = Counter(small["labels"]) - Counter(large["labels"])
            if extra or fewer:
                log(f"    with the bigger page, extra: {dict(extra)}; fewer: {dict(fewer)}")
            for label, a, b in zip(small["labels"], small["shapes"], large["shapes"],
                                   strict=False):
                if a != b:
                    at = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y) \
                        if a[:min(len(a), len(b))] != b[:min(len(a), len(b))] \
                        else min(len(a), len(b))
                    log(f"    {label} differs: …{a[max(0, at - 60):at + 60]}… vs "
                        f"…{b[max(0, at - 60):at + 60]}…")
        if small["queries"] != large["queries"]:
            failures.append(f"{what}: {small['queries']} queries for {small['rows']} rows "
                            f"but {large['queries']} for {large['rows']}")
        if small["rows"] >= large["rows"]:
            log(f"    (warning: not a small and a large page: {small['rows']} vs "
                f"{large['rows']} rows)")

    by_case = {r["case"]: r for r in web + api}
    compare(web[6], web[7], "web queue ?owner=, 5 vs 50 rows")
    compare(web[6], web[0], "web queue, ?owner= 5 rows vs default 50 rows", same_filters=False)
    compare(by_case["?page_size=10"], by_case["?page_size=200"], "API list, page_size 10 vs 200")

    log("\n== EXPLAIN (ANALYZE, BUFFERS): the web queue's main query, as the view sent it")
    queue_sql = main_query(web[0])["sql"]
    log(f"  SELECT … {query_tail(queue_sql)}")
    plan = explain(queue_sql)
    print_plan(plan)
    queue_plan = plan_summary(plan)
    log(f"  top of the plan: {queue_plan['text']}")

    log("\n== EXPLAIN (ANALYZE, BUFFERS) of each case's slowest query (one line each)")
    for result in web + api:
        result["plan"] = plan_summary(explain(result["slowest"]["sql"]))
        where = "web" if result in web else "api"
        log(f"  {where} {result['case']:<40} {query_label(result['slowest']['sql'])}: "
            f"{result['plan']['text']}")
    slow = [r for r in web + api if r["median_ms"] > TARGET_MS]
    for result in slow:
        log(f"\n  over {TARGET_MS:.0f} ms: {result['url']}: median {result['median_ms']:.1f} ms, "
            f"{result['db_ms']:.1f} ms of it in SQL; its slowest query "
            f"({result['slowest']['ms']:.1f} ms):")
        log(f"    SELECT … {query_tail(result['slowest']['sql'])[:1500]}")
        print_plan(explain(result["slowest"]["sql"]), limit=30)

    if args.profile:
        profile_request(client, "/escalations/")
        profile_request(client, "/api/escalations/?page_size=200")

    load = os.getloadavg()
    total = time.perf_counter() - whole
    log(f"\n== Summary (PostgreSQL, config.settings_test, DEBUG off; "
        f"{fmt_int(figures['escalations'])} escalations, {fmt_int(figures['open'])} open, "
        f"{fmt_int(figures['clocks'])} clocks, {fmt_int(figures['customers'])} customers)")
    header = (f"{'on':<4}{'case':<40}{'median':>8}{'p95':>9}{'min':>8}{'queries':>8}"
              f"{'SQL ms':>8}{'rows':>6}  slowest query")
    log(header)
    log("-" * (len(header) + 45))
    for kind, results in (("web", web), ("api", api)):
        for r in results:
            mark = "*" if r["median_ms"] > TARGET_MS else " "
            log(f"{kind:<4}{r['case']:<40}{r['median_ms']:7.1f}{mark}{r['p95_ms']:8.1f} "
                f"{r['min_ms']:7.1f} {r['queries']:7d}{r['db_ms']:8.1f}{r['rows']:6d}  "
                f"{r['slowest']['ms']:.1f} ms {query_label(r['slowest']['sql'])}")
    log(f"(ms over {args.repeat} requests; * = median over the {TARGET_MS:.0f} ms target; "
        "SQL ms and queries from one captured request, session and user look-ups included)")
    log(f"queue main query: {queue_plan['text']}")
    log(f"data generation {load_seconds:.1f} s ({args.loader}), whole run {total:.0f} s, "
        f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"on {os.cpu_count()} CPUs")

    failures += [f"{r['url']}: median {r['median_ms']:.1f} ms > {TARGET_MS:.0f} ms"
                 for r in slow]
    if failures:
        log("\nOVER TARGET / FAILED:\n  " + "\n  ".join(failures))
        return 1
    log("All cases under target with constant query counts.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
