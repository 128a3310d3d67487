"""The project's Celery app, for the fault suite's own worker.

It is ``navpartner.celery.app`` unchanged, except that with ``FAULTS_RENDER_DELAY`` set every
report render first waits that many seconds (after the report is claimed as running), so a test
can kill the rendering child while it renders. The render itself is the real one.
"""

import os
import time

from celery.signals import worker_process_init

from navpartner.celery import app

__all__ = ["app"]


class _Delayed:
    def __init__(self, definition, delay: float):
        self._definition = definition
        self._delay = delay

    def __getattr__(self, name):
        return getattr(self._definition, name)

    def render(self, **kwargs) -> bytes:
        time.sleep(self._delay)
        return self._definition.render(**kwargs)


@worker_process_init.connect
def _delay_renders(**kwargs) -> None:
    delay = float(os.environ.get("FAULTS_RENDER_DELAY", "0"))
    if not delay:
        return
    from reports import services

    real = services.get_definition
    services.get_definition = lambda kind: _Delayed(real(kind), delay)
