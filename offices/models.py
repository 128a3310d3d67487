"""Organisation units: counties (fylker), municipalities (kommuner) and NAV offices.

These are reference data: every signed-in user may read them. Who may see the *partnership data*
of an office is decided elsewhere (``users/access/``).

Date ranges here are closed: ``valid_to`` is the last day something is valid, and empty means
"still valid". That is how SSB publishes its classifications.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navpartner.querysets import ReferenceData, VisibleToQuerySet
from navpartner.sidedata import Side, SideData, SideDataModel


def valid_on_filter(day: datetime.date, prefix: str = "") -> Q:
    """``Q`` selecting rows whose ``[valid_from, valid_to]`` range contains ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class County(models.Model):
    """A county (fylke), the state's regional level: NAV fylke is led by a fylkesdirektør."""

    number = models.CharField(_("county number"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    visibility = ReferenceData()
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class MunicipalityQuerySet(VisibleToQuerySet):
    def valid_on(self, day: datetime.date | None = None) -> "MunicipalityQuerySet":
        return self.filter(valid_on_filter(day or timezone.localdate()))


class Municipality(models.Model):
    """A municipality (kommune), identified by its four-digit kommunenummer.

    Municipalities merge and are renumbered, so a row is dated: the new Narvik of 2020 is a new
    row with its own ``valid_from``, and the old rows get a ``valid_to``.
    """

    number = models.CharField(_("municipality number"), max_length=4)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    visibility = ReferenceData()
    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["number", "valid_from"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["number", "valid_from"], name="municipality_number_valid_from_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="municipality_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Office(models.Model):
    """A local NAV office (NAV-kontor), run jointly by the state and the municipalities it serves.

    ``code`` is the short, stable identifier used in URLs and the API (``heimdal``,
    ``indre-salten``).
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="offices", verbose_name=_("county")
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    postal_place = models.CharField(_("postal place"), max_length=100, blank=True)
    # An office's life: offices open, merge and close (source 004: Narvik's merger in 2020).
    # Values are refused for months outside it, so history stays right.
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    closed_on = models.DateField(
        _("closed"), null=True, blank=True, help_text=_("The last day the office was open.")
    )
    municipalities = models.ManyToManyField(
        Municipality,
        through="OfficeMunicipality",
        related_name="offices",
        verbose_name=_("municipalities served"),
    )

    visibility = ReferenceData()
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("NAV office")
        verbose_name_plural = _("NAV offices")
        # Object permissions of django-guardian sit on offices (users/models.py), one per side
        # and action; users/access/permissions.py derives them from roles and delegations.
        default_permissions = ("view", "change", "add", "delete")
        permissions = [
            ("view_state_data", _("Can view the office's state data")),
            ("change_state_data", _("Can change the office's state data")),
            ("view_municipal_data", _("Can view the office's municipal data")),
            ("change_municipal_data", _("Can change the office's municipal data")),
            ("view_joint_data", _("Can view the office's joint data")),
            ("change_joint_data", _("Can change the office's joint data")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.postal_place) if part)
        return ", ".join(part for part in (self.street_address, place) if part)


class OfficeMunicipalityQuerySet(VisibleToQuerySet):
    def valid_on(self, day: datetime.date | None = None) -> "OfficeMunicipalityQuerySet":
        return self.filter(valid_on_filter(day or timezone.localdate()))


class OfficeMunicipality(models.Model):
    """That an office serves a municipality, for a dated period.

    ``is_host`` marks the host municipality of a host-municipality cooperation
    (vertskommunesamarbeid): the municipality that runs the municipal part of the office on
    behalf of the others, as Fauske does for NAV Indre Salten.
    """

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("office")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="office_memberships",
        verbose_name=_("municipality"),
    )
    is_host = models.BooleanField(_("host municipality"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    visibility = ReferenceData()
    objects = OfficeMunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["office", "-is_host", "municipality__name"]
        verbose_name = _("municipality served")
        verbose_name_plural = _("municipalities served")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "municipality", "valid_from"],
                name="office_municipality_unique_start",
            ),
            # One open-ended host per office; closed periods may each have had their own host.
            models.UniqueConstraint(
                fields=["office"],
                condition=Q(is_host=True, valid_to__isnull=True),
                name="office_one_current_host",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="office_municipality_valid_range",
            ),
        ]

    def __str__(self) -> str:
        if self.is_host:
            return _("%(office)s – %(municipality)s (host)") % {
                "office": self.office,
                "municipality": self.municipality.name,
            }
        return f"{self.office} – {self.municipality.name}"


class OfficeNote(SideDataModel):
    """A note or document kept for an office, on one side (or joint).

    The simplest piece of side data: the access model's test bed, and a place for the office's
    own working notes (e.g. the annual virksomhetsplan as text) until richer models arrive.
    ``version`` guards against lost updates: a change must name the version it was based on
    (``navpartner/sidedata_services.py``), and a stale one is told who changed the note.
    """

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="notes", verbose_name=_("office")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        "users.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        "users.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["office", "-updated_at"]
        verbose_name = _("office note")
        verbose_name_plural = _("office notes")
        indexes = [models.Index(fields=["office", "side"])]

    def __str__(self) -> str:
        return self.title


class OfficeDocumentKind(models.TextChoices):
    """The dated documents of an office that the 2011 audit asked for (001 §4.1)."""

    BUSINESS_PLAN = "business_plan", _("Business plan (virksomhetsplan)")
    INTERNAL_CONTROL = "internal_control", _("Internal-control routines")


class OfficeDocumentQuerySet(VisibleToQuerySet):
    def in_force(self, on: datetime.date | None = None) -> "OfficeDocumentQuerySet":
        """Documents that hold on ``on`` (default today): valid from then or earlier, and not
        withdrawn by then."""
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__date__gt=on)
        )


class OfficeDocument(models.Model):
    """A dated document of an office: its annual virksomhetsplan (business plan) or the
    municipality's internal-control routines for its services in the office.

    The document itself lives in the parties' archives; the record says that it exists, from
    when it holds, where to find it (``reference``: an archive or case number, or a URL) and who
    recorded it. It is **joint data** of the office: both parties must be able to see that the
    plan and the routines exist (001 §4.1). Who may record which kind is decided in
    ``offices/services.py`` (the business plan: the leader or either side's authority; the
    internal control: the municipal side). A record is never edited: a newer one supersedes it,
    and a wrong one is withdrawn (``withdrawn_at``), so that the history stays.
    """

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="documents", verbose_name=_("office")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OfficeDocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("The year a business plan is for."),
    )
    valid_from = models.DateField(_("valid from"))
    reference = models.CharField(
        _("reference"),
        max_length=300,
        blank=True,
        help_text=_("Archive or case number, or a link to the document."),
    )
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        "users.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The recorder's employer side when recording: the internal control must be the
    # municipality's (Social Services Act § 5), and readers see which party recorded what.
    recorded_by_side = models.CharField(_("recorded by line"), max_length=10, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "users.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    visibility = SideData(office="office", side=Side.JOINT)
    objects = OfficeDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["office", "kind", "-valid_from", "-pk"]
        verbose_name = _("office document")
        verbose_name_plural = _("office documents")
        indexes = [models.Index(fields=["office", "kind", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="business_plan") | Q(year__isnull=False),
                name="office_document_business_plan_has_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
