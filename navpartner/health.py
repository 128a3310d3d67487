"""``/healthz``: is the database reachable, and the broker (when there is one)?

Load balancers and docker-compose call it without signing in, so it says nothing beyond
"ok" or "error" per dependency.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from navpartner.celery import app as celery_app

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
    """``eager`` in the embedded default (no broker: tasks run in the web process).

    Kombu's Redis transport connects lazily, so ``ensure_connection`` alone proves nothing; the
    check opens a channel and, for Redis, pings it.
    """
    url = celery_app.conf.broker_url
    if celery_app.conf.task_always_eager or not url:
        return "eager"
    try:
        with Connection(url, connect_timeout=2, transport_options={"socket_timeout": 2}) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()
    except Exception:
        logger.exception("health check: broker unreachable")
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_state(), "broker": broker_state()}
    healthy = all(state != "error" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
