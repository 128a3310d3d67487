"""Report requests: a PDF someone asked for, made in the background.

The web request (or API call) stores the row and queues the task; the worker renders the PDF with
the requester's visibility, stores it and records how it went. Only the requester can see the
request or download its file.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from navpartner.querysets import OwnedBy, VisibleToQuerySet


class ReportKind(models.TextChoices):
    OFFICE_FACT_SHEET = "office_fact_sheet", _("Office fact sheet")
    AGREEMENT_VERSION = "agreement_version", _("Partnership agreement")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def report_file_path(instance: "ReportRequest", filename: str) -> str:
    return f"reports/{instance.requested_at:%Y/%m}/{instance.id}.pdf"


class ReportRequest(models.Model):
    """One request for one report, with its state, timings and (when done) its file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("report"), max_length=40, choices=ReportKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    subject = models.CharField(
        _("about"), max_length=200, blank=True, help_text=_("What the report is about, by name.")
    )
    language = models.CharField(_("language"), max_length=10, default="nb")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_requests",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=report_file_path, blank=True)
    file_size = models.PositiveIntegerField(_("file size (bytes)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rendered_by = models.CharField(
        _("rendered by"), max_length=200, blank=True, help_text=_("Worker host and process.")
    )

    visibility = OwnedBy("requested_by")
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def filename(self) -> str:
        code = self.parameters.get("office") or self.parameters.get("version") or "report"
        return f"{self.kind.replace('_', '-')}-{code}-{self.requested_at:%Y-%m-%d}.pdf"
