"""The client's address, worked out once for the lock-out, the throttles and the logs.

``X-Forwarded-For`` is a list each proxy appends to: ``client-claim, …, what proxy 1
saw, …``. Only the entries our own proxies added can be believed, and they are the
last ``TRUSTED_PROXY_COUNT`` ones; everything to their left is whatever the client
chose to send. So the client is the entry ``TRUSTED_PROXY_COUNT`` places from the
right, and with no trusted proxy (the default) the header is ignored and the client
is the socket's peer, ``REMOTE_ADDR``.

DRF's ``NUM_PROXIES`` uses the same rule (settings set it from the same variable),
so the throttles, axes (``AXES_CLIENT_IP_CALLABLE``) and the logs never disagree.
"""

import logging

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of whoever sent ``request``, as far as our own proxies can vouch."""
    remote_addr = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not trusted or not forwarded:
        return remote_addr
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote_addr
    # Fewer entries than proxies: a request that skipped a proxy; take the oldest.
    return addresses[-min(trusted, len(addresses))]


class ClientAddressLogFilter(logging.Filter):
    """Adds ``client_ip`` to every record (``-`` when it is not about a request), so
    the log format can show who a 4xx/5xx or a lock-out was for."""

    def filter(self, record):
        request = getattr(record, "request", None)
        address = None
        if request is not None and hasattr(request, "META"):
            address = client_ip(request)
        record.client_ip = address or "-"
        return True


class QuietClientErrors(logging.Filter):
    """A refused or missing page (a 4xx: a viewer opening a manager's page) is logged in
    one line, without the traceback Django attaches to a 403; server errors (5xx) keep
    theirs."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
