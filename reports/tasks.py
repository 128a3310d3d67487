"""Celery tasks for reports: thin — load by id, call the service."""

import os
import socket

from celery import shared_task

from reports.services import report_render, reports_housekeeping


@shared_task(name="reports.tasks.render_report", acks_late=True)
def render_report(report_id: str) -> str | None:
    request = render_report.request
    worker = f"{request.hostname or socket.gethostname()}/pid-{os.getpid()}"
    # Set by the broker on a message handed out again because its worker died.
    redelivered = bool((request.delivery_info or {}).get("redelivered"))
    report = report_render(report_id=report_id, worker=worker, redelivered=redelivered)
    return report.status if report else None


@shared_task(name="reports.tasks.housekeeping")
def housekeeping() -> dict:
    return reports_housekeeping()
