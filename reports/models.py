"""Report requests: a PDF someone asked for, made in the background.

The web request (or API call) stores the row and queues the task; the worker renders the PDF with
the requester's visibility, stores it and records how it went. Only the requester can see the
request or download its file.
"""

import uuid
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from navpartner.querysets import OwnedBy, VisibleToQuerySet


class ReportKind(models.TextChoices):
    OFFICE_FACT_SHEET = "office_fact_sheet", _("Office fact sheet")
    AGREEMENT_VERSION = "agreement_version", _("Partnership agreement")
    SCORECARD = "scorecard", _("Scorecard")
    MUNICIPAL_SUMMARY = "municipal_summary", _("Municipal monthly summary")
    COUNTY_SUMMARY = "county_summary", _("County monthly summary")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A download is named for what it is and what it is about, in the report's language:
# "faktaark-nav-heimdal-2026-12-04.pdf". Kinds whose subject names the document itself (an
# agreement's title, "Partnerskapsavtale NAV Indre Salten, versjon 2") need no prefix.
FILE_NAME_PREFIXES = {
    ReportKind.OFFICE_FACT_SHEET: pgettext_lazy("file name of a report", "fact-sheet"),
}
FILE_NAME_MAX_STEM = 120
# ASCII file names spell the Norwegian letters the way Norwegian addresses do (Bodø → bodo,
# Ålesund → aalesund, Bærum → baerum); Sami letters without a decomposition lose their stroke.
# Accents (á, č, š, ž) go in slugify's own normalisation.
NORWEGIAN_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa"}
    | {"đ": "d", "Đ": "D", "ŋ": "n", "Ŋ": "N", "ŧ": "t", "Ŧ": "T"}
)


def file_name_slug(text: str, *, ascii_only: bool = True) -> str:
    if ascii_only:
        return slugify(str(text).translate(NORWEGIAN_LETTERS))
    return slugify(str(text), allow_unicode=True)


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

    def download_name(self, *, ascii_only: bool = True) -> str:
        """The file name, in the report's language, dated the day it was asked for (Oslo)."""
        with translation.override(self.language):
            prefix = FILE_NAME_PREFIXES.get(self.kind, "")
            subject = self.subject or ("" if prefix else self.get_kind_display())
            parts = [file_name_slug(part, ascii_only=ascii_only) for part in (prefix, subject)]
        day = timezone.localdate(self.requested_at) if self.requested_at else timezone.localdate()
        # Short enough for every file system and mail client, whatever the subject's length.
        stem = "-".join(part for part in parts if part)[:FILE_NAME_MAX_STEM].strip("-") or "report"
        return f"{stem}-{day:%Y-%m-%d}.pdf"

    @property
    def filename(self) -> str:
        """ASCII only: "faktaark-nav-bodo-2026-12-04.pdf"."""
        return self.download_name()

    @property
    def content_disposition(self) -> str:
        """An attachment with the ASCII name for every client and, for those that read RFC 6266's
        ``filename*``, the name with its Norwegian letters ("faktaark-nav-bodø-…")."""
        full = quote(self.download_name(ascii_only=False), safe="")
        return f"attachment; filename=\"{self.filename}\"; filename*=UTF-8''{full}"
