"""Alert intake under load: accepted alerts per second on PostgreSQL, through gunicorn.

A loopback load generator (threads with keep-alive HTTP connections) posts
Alertmanager webhooks to one integration's intake URL for ``--seconds``: mixed fire and
resolve, 90 % duplicates (a few fingerprints repeated, one new fingerprint in ten).
The figure is what the issue asks for: payloads answered 202 per second, sustained
(each 202 means the raw payload is a committed row). With ``--worker`` the script starts
a Celery worker (Redis broker) that processes them *during* the load, in batches, and
reports side by side: the intake rate, the processing rate over the same seconds, the
backlog left when the load stopped and how fast it drained — processing keeps up when
the drain rate is at least the intake rate. It then checks the result against the
engine's promises: every accepted payload processed once, one incident per alert group.
``--sql-floor`` first measures the database alone: the intake's INSERT … COMMIT from
the same number of threads, without HTTP or Django — the ceiling the endpoint works
under on this machine at this moment. The load average is printed with each figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_intake \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/9 CACHE_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/bench_alert_intake.py --seconds 30 --worker --sql-floor

``CACHE_URL`` as production sets it (a cache the gunicorn workers share): the batch
tasks are then rationed once for all of them, and the endpoints keep the integration
per process (``integrations/token_cache.py``); without it, each process reads it.

The database name must contain ``bench``: the script migrates it and empties the
integrations tables. Exits 1 below ``--target`` accepted/s (default 300) or on any
non-202 answer.
"""

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

ZERO = "0001-01-01T00:00:00Z"
GROUPS = 20


def payload(rng, n):
    group = rng.randrange(GROUPS)
    # 90 % duplicates: one of two well-known fingerprints per group; 10 % new ones.
    fingerprint = f"fp-{group}-{rng.randrange(2)}" if rng.random() < 0.9 else f"new-{n}"
    status = "resolved" if rng.random() < 0.3 else "firing"  # mixed fire/resolve
    labels = {"alertname": f"Bench{group}", "severity": "warning", "service": "voice"}
    return {"version": "4", "receiver": "bench", "status": status,
            "groupKey": f"bench-{group}", "truncatedAlerts": 0,
            "groupLabels": {"alertname": labels["alertname"]}, "commonLabels": labels,
            "commonAnnotations": {"summary": f"Bench alert {group}"},
            "externalURL": "http://alertmanager.bench",
            "alerts": [{"status": status, "labels": labels,
                        "annotations": {"summary": f"Bench alert {group}"},
                        "startsAt": "2026-12-05T10:00:00Z",
                        "endsAt": ZERO if status == "firing" else "2026-12-05T10:05:00Z",
                        "generatorURL": "http://prometheus.bench/graph",
                        "fingerprint": fingerprint}]}


def load(port, path, seconds, threads, rate=0.0):
    """Post for ``seconds`` from ``threads`` senders, as fast as answered or, with
    ``rate``, paced to that many posts a second in all (each sender on its own
    schedule; a sender that falls behind sends at once, so a slow server shows as a
    rate below ``rate``)."""
    stop = time.monotonic() + seconds
    latencies, statuses, lock = [], {}, threading.Lock()

    def run(seed):
        rng = random.Random(seed)  # noqa: S311 - load, not secrets
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        interval = threads / rate if rate else 0.0
        due = time.monotonic() + rng.random() * interval
        while time.monotonic() < stop:
            if interval:
                time.sleep(max(0.0, due - time.monotonic()))
                due += interval
            body = json.dumps(payload(rng, seed * 10_000_000 + n)).encode()
            n += 1
            start = time.perf_counter()
            try:
                conn.request("POST", path, body, {"Content-Type": "application/json",
                                                  "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = "error"
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    workers = [threading.Thread(target=run, args=(i + 1,)) for i in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.monotonic() - started, latencies, statuses


def load_average():
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f})"


def sql_floor(integration_id, seconds, threads):
    """Rows per second the database commits for the intake's one INSERT, from
    ``threads`` connections, with nothing else on the path (psycopg directly)."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    body = json.dumps(payload(random.Random(0), 0))  # noqa: S311
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def run(index):
        with psycopg.connect(**params, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO integrations_inboundevent (integration_id, received_at, "
                    "payload, is_test, status, process_due_at, attempts, error) VALUES "
                    "(%s, now(), %s::jsonb, false, 'failed', NULL, 0, '')",
                    (integration_id, body))
                counts[index] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - started)


def process_only(integration, count, warm=200):
    """The processing cost alone: payloads per second, statements and this process's
    CPU per payload. ``warm`` payloads are processed first, untimed: they open the 20
    incidents (0.5 s of declaring each, once per group), as the warm-up does in the
    HTTP run, so the figure is the storm's steady state."""
    from django.db import connection, transaction

    from bench._common import log
    from integrations.models import InboundEvent
    from integrations.processing import events_process_batch
    from integrations.services import intake_accept

    rng = random.Random(7)  # noqa: S311
    for label, number, first in (("warm-up", warm, 0), ("timed", count, warm)):
        log(f"Storing {number:,} payloads ({label}; no HTTP, nothing queued) …")
        with transaction.atomic():
            for n in range(first, first + number):
                intake_accept(integration=integration, payload=payload(rng, n))
        if label == "warm-up":
            while events_process_batch().get("claimed"):
                pass
    statements = [0]

    def counting(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    log(f"Processing them in batches ({load_average()}) …")
    start, cpu = time.perf_counter(), time.process_time()
    batches = 0
    with connection.execute_wrapper(counting):
        while events_process_batch().get("claimed"):
            batches += 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    done = InboundEvent.objects.filter(status="processed").count() - warm
    log(f"  {done:,} processed in {seconds:.1f} s = {done / seconds:,.0f} payloads/s in "
        f"{batches} batches; {statements[0] / done:.2f} statements and "
        f"{cpu * 1000 / done:.2f} ms of this process's CPU per payload ({load_average()})")
    return 0 if done == count else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=24,
                        help="concurrent senders: a storm comes from many Alertmanager "
                             "and PagerDuty clients at once, each waiting for its answer")
    parser.add_argument("--web-workers", type=int, default=2,
                        help="gunicorn processes: one per core (measured on 2 cores: 3 "
                             "processes cost every process more CPU per alert)")
    parser.add_argument("--web-threads", type=int, default=12,
                        help="gthread threads per gunicorn worker: a request mostly waits "
                             "for PostgreSQL's commit, so threads overlap those waits")
    parser.add_argument("--rate", type=float, default=0,
                        help="pace the senders to this many posts a second in all (default: "
                             "as fast as answered) — e.g. the target, to see processing "
                             "keep up with a sustained storm of that size")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--target", type=float, default=300)
    parser.add_argument("--worker", action="store_true",
                        help="run a Celery worker meanwhile and check the processed result")
    parser.add_argument("--worker-concurrency", type=int, default=1,
                        help="prefork processes: batches are claimed SKIP LOCKED, so more "
                             "share the work, but they wait on the same alert groups")
    parser.add_argument("--sql-floor", action="store_true",
                        help="first measure the database's INSERT … COMMIT rate alone")
    parser.add_argument("--process-only", type=int, metavar="N", default=0,
                        help="no HTTP: store and process 200 payloads (the incidents "
                             "open), then store N and time their processing in batches "
                             "in this process (statements and CPU counted)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench._common import log, percentile

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing database {name!r}: its name must contain 'bench'.")
    log(f"Migrating {name} …")
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group

    from core.audit import system_user
    from core.choices import Role
    from incidents.models import Incident
    from integrations import services
    from integrations.models import Alert, AlertGroup, InboundEvent, Integration

    Integration.objects.all().delete()
    Incident.objects.filter(title__startswith="Bench alert").delete()
    manager, _ = type(system_user()).objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get(name=Role.MANAGER))
    integration, token = services.integration_create(by=manager, name="Bench",
                                                     kind="alertmanager", auto_resolve="none")
    path = f"/api/integrations/intake/{token}/"
    floor = None
    if args.sql_floor:
        log(f"SQL floor: the intake's INSERT … COMMIT from {args.threads} connections, "
            f"10 s …")
        floor = sql_floor(integration.pk, 10, args.threads)
        InboundEvent.objects.filter(integration=integration).delete()
        log(f"  {floor:,.0f} rows/s ({load_average()})")

    if args.process_only:
        return process_only(integration, args.process_only)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    web = subprocess.Popen(  # noqa: S603 - our own command line
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.web_workers), "--worker-class", "gthread",
         "--threads", str(args.web_threads), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    worker = None
    if args.worker:
        worker = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--loglevel", "WARNING",
             "--concurrency", str(args.worker_concurrency), "--without-mingle",
             "--without-gossip",
             "--hostname", f"bench-{os.getpid()}@%h"],
            cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.3)
        pace = f", paced to {args.rate:,.0f} posts/s" if args.rate else ""
        log(f"Warming up, then {args.seconds} s with {args.threads} client threads{pace} "
            f"against {args.web_workers}×{args.web_threads} gunicorn workers×threads …")
        load(args.port, path, 3, args.threads)
        if worker:
            # A worker boots in seconds on a quiet machine, in tens on a loaded one: the
            # processing rate is only meaningful once it has drained the warm-up.
            ready = time.monotonic() + 180
            while InboundEvent.objects.filter(status="pending").exists():
                if time.monotonic() > ready:
                    sys.exit("the worker did not process the warm-up within 3 min")
                time.sleep(0.5)
            log(f"  the worker is up (the warm-up is processed; {load_average()})")
        warm = InboundEvent.objects.count()
        processed_before = InboundEvent.objects.filter(status="processed").count()
        elapsed, latencies, statuses = load(args.port, path, args.seconds, args.threads,
                                            args.rate)
        processed_during = (InboundEvent.objects.filter(status="processed").count()
                            - processed_before)
        backlog = InboundEvent.objects.filter(status="pending").count()
        accepted = statuses.get(202, 0)
        rate = accepted / elapsed
        log(f"  accepted {accepted:,} in {elapsed:.1f} s = {rate:,.0f} alerts/s "
            f"(answers: {statuses}; {load_average()})")
        log(f"  latency p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 99) * 1000:.1f} ms")
        stored = InboundEvent.objects.count() - warm
        # More rows than 202s: answers still on their way when the clock stopped.
        log(f"  stored rows {stored:,} (every 202 stored: {stored >= accepted})")
        # Paced, a sender's first post starts at a random point of its interval: the
        # last fraction of an interval is not sent, hence the 1 % allowance.
        needed = min(args.target, args.rate * 0.99) if args.rate else args.target
        ok = rate >= needed and set(statuses) == {202} and stored >= accepted
        if worker:
            during = processed_during / elapsed
            log(f"  processed meanwhile {processed_during:,} = {during:,.0f} payloads/s; "
                f"backlog when the load stopped: {backlog:,}")
            log("  draining the backlog with the worker (the sweep catches the rest) …")
            start = time.monotonic()
            from integrations.sweeps import inbound_events_sweep

            while InboundEvent.objects.filter(status="pending").exists():
                if time.monotonic() - start > 900:
                    log("  gave up waiting after 15 min")
                    ok = False
                    break
                time.sleep(0.2)
                if time.monotonic() - start > 120:
                    inbound_events_sweep()
            drained = time.monotonic() - start
            drain_rate = backlog / drained if drained and backlog else float("inf")
            log("")
            log(f"  {'':26}{'per second':>12}")
            if floor is not None:
                log(f"  {'SQL floor (INSERT+COMMIT)':26}{floor:>12,.0f}")
            log(f"  {'intake (202s)':26}{rate:>12,.0f}")
            log(f"  {'processed during the load':26}{during:>12,.0f}")
            log(f"  {'backlog drain after it':26}{drain_rate:>12,.0f}  "
                f"({backlog:,} in {drained:.1f} s)")
            log(f"  keeps up (processed during the load ≥ intake): {during >= rate * 0.98}")
            log("")
            total = InboundEvent.objects.count()
            log(f"  all {total:,} processed {drained:.0f} s after the load stopped; "
                f"failed: {InboundEvent.objects.filter(status='failed').count()}")
            groups = AlertGroup.objects.filter(integration=integration)
            incidents = Incident.objects.filter(title__startswith="Bench alert").count()
            one_each = all(g.incident_id for g in groups) and groups.count() == GROUPS \
                and incidents == GROUPS
            seen = sum(Alert.objects.values_list("occurrences", flat=True))
            log(f"  {groups.count()} groups, {incidents} "
                f"incidents (one per group: {one_each}); alert occurrences {seen:,} "
                f"(= payloads: {seen == total})")
            ok = ok and one_each and seen == total
        log("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for process in (web, worker):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
