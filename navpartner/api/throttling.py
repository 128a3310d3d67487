"""Throttles that survive their cache going away.

DRF's throttles count in the cache (``CACHE_URL``, Redis in production). When that cache is
down, DRF raises, and the request would end in a 500 — sign-in and report requests included.
These let the request through instead and log the outage: a throttle is a brake on volume, not
a security boundary here. Sign-in is still guarded by django-axes, which counts failures in the
database, and report requests are refused with 503 while the broker (usually the same Redis) is
down.
"""

import logging

from django.conf import settings
from rest_framework import throttling

logger = logging.getLogger(__name__)


def _cache_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # a cache without redis-py installed
        pass
    else:
        errors.append(RedisError)
    return tuple(errors)


CACHE_ERRORS = _cache_errors()


class CacheOutageTolerant:
    """Mixin for a ``SimpleRateThrottle``: an unreachable cache lets the request through."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.exception("throttle %s: the cache is unreachable; request let through", self)
            self.history = []
            return True

    def __str__(self) -> str:
        return getattr(self, "scope", type(self).__name__)


class TokenThrottle(CacheOutageTolerant, throttling.AnonRateThrottle):
    """Per client address: ``REMOTE_ADDR``, or as ``TRUSTED_PROXY_COUNT`` allows (NUM_PROXIES)."""

    scope = "token"


class ReportCreateThrottle(CacheOutageTolerant, throttling.UserRateThrottle):
    """Per signed-in user, at ``REPORT_CREATE_RATE`` (e.g. ``30/min``), counted in the cache."""

    scope = "report_create"

    def get_rate(self) -> str:
        # Read on every request, not frozen into DRF's settings at import: tests and operators
        # change it through settings.
        return settings.REPORT_CREATE_RATE
