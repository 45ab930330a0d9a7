"""The intake endpoints' integration lookup by URL token, kept in each web process.

Every intake request looked its integration up: a round trip and, in the profile, a
third of the request's CPU (the ORM compiling a SELECT of every column) — at hundreds
of requests a second, for rows that change a few times a year.

Each process keeps the integrations it has served, stamped with the *generation* of
the integrations' configuration read from the default cache. Any save or delete of
an integration (enabling, disabling, rotating a token, changing anything) writes a
new generation once its transaction commits — not before: a process refetching in
between would keep the old row under the new stamp — and every process's next
request sees the new generation and reads the row again. Disabling an integration
(410) and rotating its token (the old one 404s) therefore reach every process at the
next request, as before, provided the cache is shared.

It only does this with a cache every web process shares (``CACHE_URL``, as
production must have for throttling anyway): a bump in a process-local cache would
not reach the other processes, so with one the lookup reads the database each time
(the setting ``INTEGRATIONS_TOKEN_CACHE``, if given, forces it: ``"on"`` — tests, one
process — or ``"off"``).
If the cache cannot be read, the database is read. Unknown tokens are never kept
(guessing tokens must not fill memory), and entries are read again after
``MAX_AGE`` whatever the generation says, in case a bump was lost with the cache.
"""

import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.checks import PROCESS_LOCAL_CACHES

logger = logging.getLogger(__name__)

GENERATION_KEY = "integrations:config-generation"
MAX_AGE = 60.0  # seconds
MAX_ENTRIES = 1000

_entries: dict = {}  # token hash → (integration, generation, fetched at)
_lock = threading.Lock()


def enabled() -> bool:
    mode = getattr(settings, "INTEGRATIONS_TOKEN_CACHE", "auto")
    if mode == "auto":
        backend = settings.CACHES.get("default", {}).get("BACKEND", "")
        return backend not in PROCESS_LOCAL_CACHES
    return mode == "on"


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # never set, or evicted: start one every process agrees on
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    if generation is None:
        raise LookupError("the cache keeps no generation")
    return generation


def lookup(token_hash: str, fetch):
    """The integration with this token hash: kept, or ``fetch(token_hash)`` (None for
    an unknown token, which is not kept)."""
    if not enabled():
        return fetch(token_hash)
    try:
        generation = _generation()
    except Exception:  # noqa: BLE001 - no cache: the database answers, as before
        logger.warning("The integration token cache is unreadable", exc_info=True)
        return fetch(token_hash)
    entry = _entries.get(token_hash)
    now = time.monotonic()
    if entry is not None and entry[1] == generation and now - entry[2] < MAX_AGE:
        return entry[0]
    integration = fetch(token_hash)
    with _lock:
        if integration is None:
            _entries.pop(token_hash, None)
        else:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[token_hash] = (integration, generation, now)
    return integration


def _bump():
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - MAX_AGE still bounds how long a process keeps it
        logger.warning("Could not announce an integration change to the web processes",
                       exc_info=True)
    with _lock:
        _entries.clear()  # this process at once, whatever the cache


def integration_changed(sender, **kwargs):
    """``post_save`` / ``post_delete`` of an integration: every process reads it again
    after the change commits."""
    transaction.on_commit(_bump, robust=True)
