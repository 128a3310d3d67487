"""``/healthz``: is the database reachable, and the broker (when there is one)?

Load balancers and docker-compose call it without signing in, so it says nothing beyond
"ok" or "error" per dependency.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from navpartner.broker import broker_in_use, broker_reachable

logger = logging.getLogger(__name__)


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return "error"
    return "ok"


def broker_state() -> str:
    """``eager`` in the embedded default (no broker: tasks run in the web process)."""
    if not broker_in_use():
        return "eager"
    return "ok" if broker_reachable() else "error"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_state(), "broker": broker_state()}
    healthy = all(state != "error" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
