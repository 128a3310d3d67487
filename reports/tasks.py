"""Celery tasks for reports: thin — load by id, call the service."""

import os
import socket

from celery import shared_task

from reports.services import report_render, reports_housekeeping


@shared_task(name="reports.tasks.render_report", acks_late=True)
def render_report(report_id: str) -> str | None:
    worker = f"{render_report.request.hostname or socket.gethostname()}/pid-{os.getpid()}"
    report = report_render(report_id=report_id, worker=worker)
    return report.status if report else None


@shared_task(name="reports.tasks.housekeeping")
def housekeeping() -> dict:
    return reports_housekeeping()
