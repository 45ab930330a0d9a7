"""Switchboard settings, driven by environment variables.

Every variable is listed in the README's configuration table. The defaults are the
embedded single-machine set-up (SQLite and a filesystem Celery broker under ``var/``)
and are safe: DEBUG is off and the security settings are on unless ``DEBUG=true``
is set (``make run`` sets it). A production deployment sets ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis).
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

# The OpenAPI schema's settings (title, UI assets, enum names) are long and static.
from config.api_schema import SPECTACULAR_SETTINGS  # noqa: F401 (a setting)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is read if present (never committed: see .gitignore).
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the embedded set-up writes (database, broker queue, static files,
# uploads) lives under one folder so a reset is `rm -rf var/`.
VAR_DIR = Path(env.str("SWITCHBOARD_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Development only: a random key kept under var/ so sessions survive restarts
    # and no key ever lives in the repository.
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_fsm",
    "simple_history",
    "axes",
    # Finds each app's rules.py (object permissions declared once).
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    # Switchboard
    "core",
    "incidents",
    "escalations",
    "vendors",
    "kpis",
    "playbooks",
    "budgets",
    "reports",
    "integrations",
    "integrations.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a fresh nonce per response (request.csp_nonce),
    # and the Permissions-Policy header.
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A NUL character anywhere in the input is a 400 naming the field (PostgreSQL
    # cannot hold one); after authentication, so the 400 page knows who is reading.
    "core.middleware.RefuseNulCharactersMiddleware",
    "core.middleware.ViewerTimezoneMiddleware",
    # Records request.user as the actor of every history row written in a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Money and time formatting on every template (core/templatetags/formatting.py).
            "builtins": ["core.templatetags.formatting"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'switchboard.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions
    # take the write lock up front so two writers queue on the busy timeout instead
    # of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
# Redis URLs get Django's Redis cache keeping one client per pool (core/cache.py: why).
environ.Env.CACHE_SCHEMES.update(dict.fromkeys(("redis", "rediss", "rediscache"),
                                              "core.cache.RedisCache"))
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://switchboard")}

# --- Authentication ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Counts failed logins (web, admin and API token) and locks out brute force.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions: predicates declared once per app in <app>/rules.py.
    "rules.permissions.ObjectPermissionBackend",
    # Background work acts as the system actor, with the System role's permissions.
    "core.auth_backends.SystemActorBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the username from that address, so one attacker cannot lock a colleague out
# from everywhere, and a shared office NAT does not lock everyone out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# --- The client's address -------------------------------------------------------
# How many proxies of ours (load balancer, TLS terminator, CDN) append to X-Forwarded-For
# before a request reaches us: it decides, in one place (core/client_ip.py), the address
# the login lock-out, the API throttles and the logs see. 0: the header is ignored
# (anyone could forge it). AXES_PROXY_COUNT is the deprecated name of the same thing.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT",
                                                                      default=0))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Axes uses our function, not django-ipware's left-most default (the client's own claim).
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# --- Internationalisation and time -------------------------------------------
LANGUAGE_CODE = "en-gb"
# 24-hour times and one date style everywhere, the admin included (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
# Instants are stored as aware UTC datetimes; TIME_ZONE is only how they are shown.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production: hashed names and pre-compressed files. Development: plain
        # copies, so collecting again only copies what changed.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))
else:
    # Nowhere to send: each email is written to var/mail/ as an .eml file and logged in
    # one line (core/mail_backends.py) rather than printed whole on the console.
    EMAIL_BACKEND = "core.mail_backends.MailFolderBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Switchboard <switchboard@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------
# On by default; DEBUG (development) turns the HTTPS-only ones off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    # Only behind a proxy that sets this header itself (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks come from load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]

# Content-Security-Policy (django-csp 4): everything from our own origin, nothing
# from elsewhere. Scripts: our static files, or an inline script that carries this
# response's nonce (only the API docs pages have one: their start-up code is
# generated per request); never inline event handlers or eval, so htmx runs with
# allowEval off (templates/base.html). Styles: our files or a nonce'd <style> (Redoc
# injects its styles with the nonce); style="…" attributes are allowed because the
# pages colour severities from the database that way and an attribute cannot run
# code or load anything img-src does not allow. Swagger UI and Redoc are served
# from drf-spectacular-sidecar (templates/api/), so no CDN and no web fonts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "script-src-attr": [NONE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        # data: for the icons Pico, Swagger UI and Redoc embed in their CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Where browsers post violation reports (optional: a collector you run).
        "report-uri": env.str("CSP_REPORT_URI", default="") or None,
    },
}

# Browser features no page of Switchboard uses are turned off for it and anything it
# might embed (core.middleware.PermissionsPolicyMiddleware): "()" allows no origin.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ["accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
                    "hid", "magnetometer", "microphone", "midi", "payment", "serial", "usb"]
}

# --- Django REST framework ----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter with Switchboard's input rules (core/api/filters.py).
        "core.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Per client address from core/client_ip.py (TRUSTED_PROXY_COUNT). The counters
    # live in the default cache, which must be shared by every web process in
    # production (CACHE_URL; `check --deploy` warns otherwise).
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    # The same rule for any DRF throttle that is not ours.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="2000/hour"),
        "login": env.str("API_THROTTLE_LOGIN", default="10/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.SwitchboardAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# --- Audit ------------------------------------------------------------------
# History is read-only everywhere: the admin shows it but cannot revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/celery/, no server needed.
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # With acks_late, Redis re-delivers a task whose worker has not acknowledged it
    # within the visibility timeout (default one hour). Longer than the task time limit
    # (10 min) so a task still running is never handed to a second worker; short enough
    # that a killed worker's task runs again within minutes, not an hour. Nothing is
    # lost either way: deadlines and the email outbox are swept from the database.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# A task is acknowledged after it ran, and requeued if its worker died, so a crash
# never silently drops work. Tasks are therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task must not hang when the broker is down: give up
# publishing within about a second (the outbox and the sweeps deliver it later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0,
                                    "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=60)
SLA_SWEEP_INTERVAL_SECONDS = env.int("SLA_SWEEP_INTERVAL_SECONDS", default=60)
SLA_SWEEP_BATCH_SIZE = env.int("SLA_SWEEP_BATCH_SIZE", default=500)
EMAIL_OUTBOX_INTERVAL_SECONDS = env.int("EMAIL_OUTBOX_INTERVAL_SECONDS", default=30)
EMAIL_OUTBOX_BATCH_SIZE = env.int("EMAIL_OUTBOX_BATCH_SIZE", default=100)
# Attempts (with exponential backoff: 1, 2, 4 … minutes) before an email is marked failed.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
# Clocks locked+fired+committed together (500: one due page), and the sweeps sharing a
# burst of more than one chunk (the beat's sweep queues the others; bench/README).
SLA_SWEEP_CHUNK_SIZE = env.int("SLA_SWEEP_CHUNK_SIZE", default=500)
SLA_SWEEP_SWEEPERS = env.int("SLA_SWEEP_SWEEPERS", default=2)
# Alert intake (integrations/services.py): payloads are processed in batches; at most
# a task now and one this many seconds later are queued per window (per cache), not
# one per payload. A payload waits at most about this long before a batch starts.
INTEGRATIONS_INTAKE_BATCH_WINDOW = env.float("INTEGRATIONS_INTAKE_BATCH_WINDOW", default=1.0)
# Outbound webhooks (integrations/webhooks/delivery.py): retries double from the base
# to the cap, with jitter; a subscription is disabled after this many deliveries in a
# row gave up, or after failing this many hours, and its owner told.
WEBHOOK_OUTBOX_INTERVAL_SECONDS = env.int("WEBHOOK_OUTBOX_INTERVAL_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600)
WEBHOOK_DISABLE_AFTER_GAVE_UP = env.int("WEBHOOK_DISABLE_AFTER_GAVE_UP", default=5)
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
WEBHOOK_SECRET_GRACE_HOURS = env.int("WEBHOOK_SECRET_GRACE_HOURS", default=24)
# How long a worker owns a claimed delivery: well beyond one request's timeout. A
# worker that dies mid-request leaves the delivery due again after this.
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=120)
# The static beat schedule. Deadlines live in database columns and are found by
# sweeps listed here; no work depends only on a delayed broker message.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": timedelta(seconds=HEARTBEAT_INTERVAL_SECONDS),
    },
    "sla-sweep": {
        "task": "core.tasks.sweep_sla_clocks",
        "schedule": timedelta(seconds=SLA_SWEEP_INTERVAL_SECONDS),
    },
    # The email outbox: the notification rows are the truth; this sends what is due.
    "email-outbox": {
        "task": "core.tasks.send_email_outbox",
        "schedule": timedelta(seconds=EMAIL_OUTBOX_INTERVAL_SECONDS),
    },
    "refresh-ics-feeds": {
        "task": "core.tasks.refresh_ics_feeds",
        "schedule": timedelta(hours=24),
    },
    # Generated public holidays kept two years ahead (core.calendars.country_holidays_roll).
    "roll-country-holidays": {
        "task": "core.tasks.roll_country_holidays",
        "schedule": timedelta(hours=24),
    },
    # Escalation tier changes nobody acknowledged: remind the leads, then the tier above.
    "escalation-tier-renotify": {
        "task": "escalations.tasks.renotify_tier_changes",
        "schedule": timedelta(minutes=1),
    },
    # Contract dates: notice warnings, missed notice dates, automatic renewal, expiry.
    "vendor-contract-deadlines": {
        "task": "vendors.tasks.sweep_contract_deadlines",
        "schedule": timedelta(minutes=10),
    },
    # Re-derive running contracts' deadlines (a changed VENDOR_NOTICE_WARNING_DAYS).
    "vendor-contract-deadlines-resync": {
        "task": "vendors.tasks.reschedule_contract_deadlines",
        "schedule": timedelta(hours=24),
    },
    # Service credits: claim-window warnings and unclaimed credits past their window.
    "vendor-credit-deadlines": {
        "task": "vendors.tasks.sweep_credit_deadlines",
        "schedule": timedelta(minutes=10),
    },
    # SLA periods that ended: compliance computed, recent periods refreshed, credits accrued.
    "vendor-sla-periods-close": {
        "task": "vendors.tasks.close_sla_periods",
        "schedule": timedelta(hours=1),
    },
    # Initiatives delivered N months ago: their owners are told the benefits review is due.
    "budget-initiative-reviews": {
        "task": "budgets.tasks.sweep_initiative_reviews",
        "schedule": timedelta(hours=1),
    },
    # Received service credits whose year had no budget yet: booked once one exists.
    "budget-credit-offsets": {
        "task": "budgets.tasks.offset_received_credits",
        "schedule": timedelta(hours=24),
    },
    # Incident cost: running incidents, and what changed without announcing it
    # (resolving, reopening, roles, corrected times, credits accrued or claimed, rates).
    "budget-incident-costs": {
        "task": "budgets.tasks.refresh_stale_incident_costs",
        "schedule": timedelta(minutes=15),
    },
    # Report packs whose worker died (lease passed while queued or running): re-queued.
    "report-packs-stale": {
        "task": "reports.tasks.sweep_packs",
        "schedule": timedelta(minutes=5),
    },
    # Pack schedules (first working day of the month): fired once per period.
    "report-pack-schedules": {
        "task": "reports.tasks.sweep_pack_schedules",
        "schedule": timedelta(minutes=15),
    },
    # Alert payloads stored but not processed (a lost task, a killed worker): processed.
    "integration-inbound-events": {
        "task": "integrations.tasks.sweep_inbound_events",
        "schedule": timedelta(minutes=1),
    },
    # Vendors' public status pages, for integrations that poll (off by default).
    "integration-status-pages": {
        "task": "integrations.tasks.poll_status_pages",
        "schedule": timedelta(minutes=1),
    },
    # Outbound webhooks: the delivery rows are the truth; this sends (and retries)
    # whatever is due, including what a killed worker or a lost task left behind.
    "webhook-outbox": {
        "task": "webhooks.tasks.send_webhook_deliveries",
        "schedule": timedelta(seconds=WEBHOOK_OUTBOX_INTERVAL_SECONDS),
    },
    "customer-update-emails": {
        "task": "webhooks.tasks.send_customer_update_emails",
        "schedule": timedelta(seconds=EMAIL_OUTBOX_INTERVAL_SECONDS),
    },
    # Interval imports whose worker died (lease passed while queued or running): re-queued.
    "kpi-imports-stale": {
        "task": "kpis.tasks.sweep_imports",
        "schedule": timedelta(minutes=5),
    },
}
# Interval files up to this size import during the request (about 2,000 rows of an
# Amazon Connect export, well under a second); larger ones are stored and imported by
# the kpis.tasks.run_import task, with their progress on the import's page.
KPI_IMPORT_SYNC_MAX_BYTES = env.int("KPI_IMPORT_SYNC_MAX_BYTES", default=256 * 1024)
# The zones whose days the KPI daily rollup keeps (kpis/rollup.py): figures for whole
# days in these zones read it; any other zone reads the intervals (same figures, slower).
KPI_ROLLUP_ZONES = env.list("KPI_ROLLUP_ZONES", default=["UTC", TIME_ZONE])

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # client_ip: the address a request came from (TRUSTED_PROXY_COUNT), "-" otherwise.
    "filters": {"client_ip": {"()": "core.client_ip.ClientAddressLogFilter"},
                "quiet_client_errors": {"()": "core.client_ip.QuietClientErrors"}},
    "formatters": {"plain": {
        "format": "%(asctime)s %(levelname)s %(name)s [%(client_ip)s]: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["client_ip", "quiet_client_errors"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own logger would print a second copy through its default handler.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

# --- Switchboard --------------------------------------------------------------
SWITCHBOARD_CURRENCY = env.str("SWITCHBOARD_CURRENCY", default="EUR")
# Budgets: the month fiscal years start in (1 = January; 4 = April, as in the UK).
SWITCHBOARD_FISCAL_YEAR_START_MONTH = env.int("SWITCHBOARD_FISCAL_YEAR_START_MONTH", default=1)
# Budget consumption alerts for a whole category of a year (per budget: its own list).
SWITCHBOARD_BUDGET_CATEGORY_ALERTS = [int(v) for v in env.list(
    "SWITCHBOARD_BUDGET_CATEGORY_ALERTS", default=["80", "100"])]
# Governance: a post-mortem's reviewer must be someone other than its author (the
# author may then neither be chosen as reviewer nor publish it). On by default.
SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR = env.bool(
    "SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR", default=True)
# Days after resolution during which a customer escalation may still be reopened.
ESCALATION_REOPEN_WINDOW_DAYS = env.int("ESCALATION_REOPEN_WINDOW_DAYS", default=14)
# Tier ladder: minutes the receiving tier's leads have to acknowledge an escalation
# before they are reminded (per tier), and how many times they are notified in all
# before the tier above (managers above L4) is told instead.
ESCALATION_TIER_ACK_MINUTES = {"L2": 30, "L3": 30, "L4": 60}
ESCALATION_TIER_NOTIFY_ATTEMPTS = env.int("ESCALATION_TIER_NOTIFY_ATTEMPTS", default=3)
# The team (by slug) whose active members lead each tier; a tier whose team does not
# exist (or has nobody active) falls back to the managers.
ESCALATION_TIER_TEAMS = {"L2": "escalation-desk", "L3": "escalation-specialists",
                         "L4": "executive-escalations"}
# This many escalations of one category and channel in the window suggest an incident.
ESCALATION_BURST_THRESHOLD = env.int("ESCALATION_BURST_THRESHOLD", default=5)
ESCALATION_BURST_WINDOW_MINUTES = env.int("ESCALATION_BURST_WINDOW_MINUTES", default=60)
# Days before a contract's notice date on which owner and vendor managers are warned.
VENDOR_NOTICE_WARNING_DAYS = env.list("VENDOR_NOTICE_WARNING_DAYS", cast=int,
                                      default=[90, 60, 30, 7])
# Largest contract document accepted, in MB.
VENDOR_DOCUMENT_MAX_MB = env.int("VENDOR_DOCUMENT_MAX_MB", default=20)
# Service credits: shares of the claim window (percent) at which the owner and the vendor
# managers are warned that a credit is still unclaimed (each once).
VENDOR_CREDIT_WARNING_PERCENTS = env.list("VENDOR_CREDIT_WARNING_PERCENTS", cast=int,
                                          default=[50, 75])


def _private_networks_allowed(value: str):
    """``true`` allows every private address; a comma-separated list of networks
    (``10.20.0.0/16,192.168.1.5``) allows only those; ``false`` none."""
    import ipaddress

    value = value.strip().lower()
    if value in {"true", "yes", "on", "1"}:
        return True
    if value in {"", "false", "no", "off", "0"}:
        return False
    networks = [part.strip() for part in value.split(",") if part.strip()]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"ICS_ALLOW_PRIVATE_NETWORKS: '{network}' is not true, false or a network."
            ) from exc
    return networks


# ICS URLs on private/loopback addresses are refused (SSRF), each redirect hop too.
ICS_ALLOW_PRIVATE_NETWORKS = _private_networks_allowed(
    env.str("ICS_ALLOW_PRIVATE_NETWORKS", default="false"))
# The address people reach Switchboard at, for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
