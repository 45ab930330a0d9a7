"""Test settings: only what tests must change.

The key is not a secret: it signs nothing outside a test run.
"""

import os

os.environ.setdefault("SECRET_KEY", "switchboard-tests-only-" + "x" * 40)

from .settings import *  # noqa: E402, F403
from .settings import INSTALLED_APPS, STORAGES  # noqa: E402

# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# The state-machine model that exercises the transition plumbing lives only here.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
ROOT_URLCONF = "tests.testapp.urls"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never run collectstatic: serve from the source folders (WhiteNoise would
# otherwise warn that var/staticfiles/ does not exist on a fresh clone).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
if "EMAIL_URL" not in os.environ:
    # In memory, for assertions; worker processes in integration tests set EMAIL_URL
    # (a mail folder) so the test can read what another process sent.
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Unit tests run tasks in-process when they are queued (our real task code, no
# broker); the integration tests turn this off and use a real worker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "true").lower() == "true"
CELERY_TASK_EAGER_PROPAGATES = True
# The ICS tests serve calendars from a real local HTTP server on 127.0.0.1.
ICS_ALLOW_PRIVATE_NETWORKS = True
# Failed-login throttling is tested on purpose; elsewhere it must not interfere.
AXES_FAILURE_LIMIT = 5
