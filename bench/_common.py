"""What every PostgreSQL benchmark here needs: output, timing, raw SQL and its own
throwaway database. Imported after the script has put the repository root on
``sys.path`` and configured Django."""

import math
import time
from contextlib import contextmanager


def log(message=""):
    print(message, flush=True)


@contextmanager
def timed(label):
    log(f"  {label} …")
    start = time.perf_counter()
    box = {}
    yield box
    box["seconds"] = time.perf_counter() - start
    log(f"  {label}: {box['seconds']:.1f} s")


def percentile(values, pct):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def sql(statement, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def scalar(statement, params=None):
    return sql(statement, params)[0][0]


def fmt_int(n):
    return f"{n:,}"


# --- The benchmark's own database ---------------------------------------------------


def admin_connection():
    """An autocommit connection to the server's ``postgres`` database, for CREATE and
    DROP DATABASE (which cannot run inside the bench database or a transaction)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres", host=db.get("HOST") or None, port=db.get("PORT") or None,
        user=db.get("USER") or None, password=db.get("PASSWORD") or None, autocommit=True,
    )


def prepare_database(keep_existing, why_dropped):
    """Create the configured database (dropping one left by an earlier run unless
    ``keep_existing``) and migrate it. Returns True when an existing one was kept."""
    from django.conf import settings
    from django.core.management import call_command
    from psycopg import sql as psql

    name = settings.DATABASES["default"]["NAME"]
    with admin_connection() as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               [name]).fetchone() is not None
        if exists and not keep_existing:
            log(f"Dropping database {name} ({why_dropped})")
            admin.execute(psql.SQL("DROP DATABASE {} WITH (FORCE)").format(psql.Identifier(name)))
            exists = False
        if not exists:
            log(f"Creating database {name}")
            admin.execute(psql.SQL("CREATE DATABASE {}").format(psql.Identifier(name)))
    with timed("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    return exists


def drop_database():
    from django.conf import settings
    from django.db import connections
    from psycopg import sql as psql

    connections.close_all()
    name = settings.DATABASES["default"]["NAME"]
    with admin_connection() as admin:
        admin.execute(psql.SQL("DROP DATABASE {} WITH (FORCE)").format(psql.Identifier(name)))
    log(f"Dropped database {name}")


def vacuum_analyze(*tables):
    """After a load: statistics for the planner, and no autovacuum (which the load
    would trigger) or checkpoint competing with the timings."""
    for table in tables:
        sql(f"VACUUM (ANALYZE) {table}")
    sql("CHECKPOINT")
