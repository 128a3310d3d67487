"""Writes of report requests: create and queue, render, housekeeping."""

import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.broker import broker_reachable
from reports.definitions import ReportContentUnavailable, get_definition
from reports.models import ReportRequest, ReportStatus

logger = logging.getLogger(__name__)

RENDER_FAILED = gettext_noop(
    "The report could not be made because of an internal error (reference %(id)s)."
)
RENDER_TIMED_OUT = gettext_noop("The report took too long to make and was stopped.")
RENDER_ABANDONED = gettext_noop("The report was not finished in time; please ask for it again.")
RENDER_GAVE_UP = gettext_noop(
    "The report could not be finished after %(attempts)d attempts; please ask for it again."
)


QUEUE_UNAVAILABLE = gettext_noop(
    "Reports cannot be made just now because the report queue is unavailable. Nothing was "
    "stored; please try again in a minute."
)


class ReportQueueUnavailable(Exception):
    """The broker could not be reached: the request was refused and nothing was stored."""

    retry_after_seconds = 60


@transaction.atomic
def report_request_create(*, user, kind: str, parameters: dict) -> ReportRequest:
    """Store a request and queue its rendering once the request is committed.

    Raises ``ValidationError`` (per field) for an unknown kind or parameters the user may not
    use, and ``ReportQueueUnavailable`` when the broker does not answer; nothing is stored then,
    so a client that retries makes no duplicate. Should the broker go away between that check
    and the commit, the request stays ``queued`` and housekeeping sends it again once the broker
    is back (``REPORT_REQUEUE_AFTER_MINUTES``).
    """
    definition = get_definition(kind)
    cleaned, subject = definition.clean_parameters(user=user, parameters=parameters)
    if not broker_reachable():
        raise ReportQueueUnavailable(_(QUEUE_UNAVAILABLE))
    report = ReportRequest(
        kind=kind,
        parameters=cleaned,
        subject=subject,
        requested_by=user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    report.full_clean()
    report.save()
    _send(report)
    return report


def _send(report: ReportRequest) -> None:
    """Queue the rendering of ``report`` once the current transaction commits."""
    from reports.tasks import render_report  # tasks import services; import late

    report_id = str(report.id)

    def publish():
        try:
            render_report.delay(report_id)
        except Exception:  # the broker went away after the request was stored
            # The row stays queued; housekeeping sends it again once the broker is back. The
            # request itself succeeded, so the caller is not told of an error it cannot act on.
            logger.exception("report %s stored but not sent; housekeeping will resend", report_id)

    transaction.on_commit(publish)


def _claim(report_id, *, worker: str, redelivered: bool = False) -> ReportRequest | None:
    """Mark the report running, or return None when there is nothing for this run to do.

    Safe to run twice: a finished report is left alone, and a report another worker started
    recently is left to it. One started long ago (its worker died) is taken over, and so is one
    whose message comes back ``redelivered``: the broker hands a message out again only when
    its worker died (reject on worker lost) or after the visibility timeout, which is longer
    than the hard time limit, so the render that started it is no longer running.
    """
    with transaction.atomic():
        report = ReportRequest.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return None
        stale_before = timezone.now() - datetime.timedelta(
            minutes=settings.REPORT_STALE_AFTER_MINUTES
        )
        if (
            report.status == ReportStatus.RUNNING
            and report.started_at > stale_before
            and not redelivered
        ):
            return None
        report.status = ReportStatus.RUNNING
        report.started_at = timezone.now()
        report.attempts += 1
        report.rendered_by = worker[:200]
        report.error = ""
        report.save(update_fields=["status", "started_at", "attempts", "rendered_by", "error"])
        return report


def _fail(report: ReportRequest, message: str) -> ReportRequest:
    report.status = ReportStatus.FAILED
    report.finished_at = timezone.now()
    report.error = message
    report.file = ""
    report.file_size = None
    report.save(update_fields=["status", "finished_at", "error", "file", "file_size"])
    return report


def report_render(
    *, report_id, worker: str = "", redelivered: bool = False
) -> ReportRequest | None:
    """Render a queued report with its requester's visibility and store the PDF.

    Every failure ends the request as ``failed`` with a message the requester can read, and no
    file: a PDF is attached only after it was completely written.
    """
    report = _claim(report_id, worker=worker, redelivered=redelivered)
    if report is None:
        return None
    definition = get_definition(report.kind)
    with translation.override(report.language):
        try:
            pdf = definition.render(user=report.requested_by, parameters=report.parameters)
        except ReportContentUnavailable as gone:
            return _fail(report, str(gone))
        except SoftTimeLimitExceeded:
            return _fail(report, _(RENDER_TIMED_OUT))
        except Exception:
            logger.exception("report %s failed to render", report.id)
            return _fail(report, _(RENDER_FAILED) % {"id": report.id})

    stored_name = ""
    try:
        with transaction.atomic():
            report.file.save(f"{report.id}.pdf", ContentFile(pdf), save=False)
            stored_name = report.file.name
            report.file_size = len(pdf)
            report.status = ReportStatus.DONE
            report.finished_at = timezone.now()
            report.save(update_fields=["file", "file_size", "status", "finished_at"])
    except Exception:
        logger.exception("report %s could not be stored", report.id)
        if stored_name:
            report.file.storage.delete(stored_name)
        report.refresh_from_db()
        return _fail(report, _(RENDER_FAILED) % {"id": report.id})
    logger.info("report %s done in %.2fs", report.id, report.duration_seconds or 0)
    return report


def reports_housekeeping(*, now: datetime.datetime | None = None) -> dict:
    """Bring back reports whose worker or message was lost; delete those past retention.

    - ``running`` and started more than ``REPORT_STALE_AFTER_MINUTES`` ago (its worker died):
      queued and sent again, unless it already had ``REPORT_MAX_ATTEMPTS`` renders; then failed.
    - ``queued`` for more than ``REPORT_REQUEUE_AFTER_MINUTES`` (its message was lost, e.g. the
      broker restarted empty): sent again, on every run, until it has been waiting
      ``REPORT_STALE_AFTER_MINUTES`` x ``REPORT_MAX_ATTEMPTS``; then failed. A message that
      was not lost but is only waiting becomes a duplicate, which the claim makes harmless.
    """
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(minutes=settings.REPORT_STALE_AFTER_MINUTES)
    requeue_before = now - datetime.timedelta(minutes=settings.REPORT_REQUEUE_AFTER_MINUTES)
    abandon_before = now - datetime.timedelta(
        minutes=settings.REPORT_STALE_AFTER_MINUTES * settings.REPORT_MAX_ATTEMPTS
    )
    requeued = abandoned = 0
    stale_running = ReportRequest.objects.filter(
        status=ReportStatus.RUNNING, started_at__lt=stale_before
    ).values_list("pk", flat=True)
    old_queued = ReportRequest.objects.filter(
        status=ReportStatus.QUEUED, requested_at__lt=requeue_before
    ).values_list("pk", flat=True)
    for report_id in [*stale_running, *old_queued]:
        with transaction.atomic():
            # Locked and checked again: a worker may have claimed or finished it meanwhile.
            report = ReportRequest.objects.select_for_update().filter(pk=report_id).first()
            if report is None:
                continue
            running_stale = (
                report.status == ReportStatus.RUNNING and report.started_at < stale_before
            )
            queued_long = report.status == ReportStatus.QUEUED and report.requested_at < (
                requeue_before
            )
            if not (running_stale or queued_long):
                continue
            if running_stale and report.attempts >= settings.REPORT_MAX_ATTEMPTS:
                with translation.override(report.language):
                    _fail(report, _(RENDER_GAVE_UP) % {"attempts": report.attempts})
                abandoned += 1
            elif queued_long and report.requested_at < abandon_before:
                with translation.override(report.language):
                    _fail(report, _(RENDER_ABANDONED))
                abandoned += 1
            else:
                if running_stale:
                    logger.warning("report %s: its worker was lost; queued again", report.id)
                    report.status = ReportStatus.QUEUED
                    report.save(update_fields=["status"])
                else:
                    logger.warning("report %s: still queued; sent again", report.id)
                _send(report)
                requeued += 1

    expired = ReportRequest.objects.filter(
        requested_at__lt=now - datetime.timedelta(days=settings.REPORT_RETENTION_DAYS)
    )
    deleted = 0
    for report in expired.iterator():
        if report.file:
            report.file.delete(save=False)
        report.delete()
        deleted += 1
    return {"requeued": requeued, "abandoned": abandoned, "deleted": deleted}
