"""Is the message broker there? Asked by ``/healthz`` and before a report request is stored.

Kombu's Redis transport connects lazily, so ``ensure_connection`` alone proves nothing: the
check opens a channel and, for Redis, pings it. It opens its own short-lived connection with
short timeouts rather than borrowing the producer pool, whose connections report "connected"
for a while after the server has gone.
"""

import logging

from kombu import Connection

from navpartner.celery import app as celery_app

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2


def broker_in_use() -> bool:
    """False in the embedded default, where tasks run in the web process without a broker."""
    return bool(celery_app.conf.broker_url) and not celery_app.conf.task_always_eager


def broker_reachable() -> bool:
    """True when the broker answers now (and always when there is no broker to answer)."""
    if not broker_in_use():
        return True
    try:
        with Connection(
            celery_app.conf.broker_url,
            connect_timeout=CHECK_TIMEOUT_SECONDS,
            transport_options={"socket_timeout": CHECK_TIMEOUT_SECONDS},
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()
    except Exception:  # any failure to reach it means "not now"; the reason goes to the log
        logger.exception("the message broker is unreachable")
        return False
    return True
