"""DRF's throttles, counting requests per client address from ``core.client_ip``.

DRF's own ``get_ident`` follows ``NUM_PROXIES`` (set from the same
``TRUSTED_PROXY_COUNT``); reading the address from one function keeps the
throttles, the lock-out and the logs in agreement even if a test or a later change
touches only ``TRUSTED_PROXY_COUNT``.
"""

from rest_framework import throttling

from core.client_ip import client_ip


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
