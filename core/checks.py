"""Switchboard's own system checks (``manage.py check``; ``--deploy`` for production)."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning

# Caches that live inside one process: every gunicorn worker and every web node
# would keep its own throttle and lock-out counters (or none at all).
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Production runs several web processes; the API throttles and the login
    lock-out only hold if they count in a cache all of them share."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        CheckWarning(
            f"The default cache is {backend.rsplit('.', 1)[-1]}, private to each process: "
            "with several gunicorn workers or web nodes, API rate limits are multiplied "
            "by the number of processes and counters vanish on restart.",
            hint="Set CACHE_URL to a cache every web process shares, e.g. "
                 "redis://redis:6379/1.",
            id="switchboard.W001",
        )
    ]
