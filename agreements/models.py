"""Partnership agreements and what surrounds them (BRIEF.md "The partnership agreement").

* ``MunicipalService``: the national catalogue of municipal services an office may offer; five
  of them are the legal minimum every municipality must offer in its NAV office.
* ``PartnershipAgreement``: between the county (the state) and the municipalities of one or more
  offices — one agreement for the four Trondheim offices. Its content lives in **versions**; a
  version binds only when every party of rule 5 has approved exactly its content (a hash of it),
  and a binding version is never edited: a change is a new version.
* ``OperatingAgreement`` (driftsavtale) with its cost key, ``CooperationAgreement``
  (samarbeidsavtale with an external partner) and ``Meeting`` (with its decisions).

All of it is **joint data** of every office it covers (``SideData(..., side=Side.JOINT)``): the
access policy reads the declaration, and no model copies office or side columns.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navpartner.querysets import NationalCatalogue, VisibleToQuerySet
from navpartner.sidedata import Side, SideData

JOINT_OF_OFFICES = SideData(office="offices", side=Side.JOINT)


class RequiredTopic(models.TextChoices):
    """The topics the KS/directorate template requires a partnership agreement to settle (002)."""

    LOCATION = "location", _("Location and design of the office")
    GOVERNANCE = "governance", _("Governance and management")
    HIRING = "hiring", _("Hiring of leaders and staff")
    PRIVACY = "privacy", _("Privacy, information security and preparedness")
    CODETERMINATION = "codetermination", _("Co-determination")
    GOALS = "goals", _("Goal and result requirements")
    COMPETENCE = "competence", _("Competence development")
    DELEGATION = "delegation", _("Delegated authority and work on each other's areas")
    OPERATING = "operating", _("Operating agreement and cost key")
    SERVICES = "services", _("Services offered")
    USER_PARTICIPATION = "user_participation", _("User participation")
    INTERACTION = "interaction", _("Interaction with other services")
    DISPUTES = "disputes", _("Dispute resolution")
    REVISION = "revision", _("Revision")


# --- The service catalogue ------------------------------------------------------------------------


class MunicipalService(models.Model):
    """A municipal service an office may offer; ``is_minimum`` marks the legal minimum."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (bokmål)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=300,
        blank=True,
        help_text=_("E.g. “sosialtjenesteloven § 18” (the Social Services Act)."),
    )
    is_minimum = models.BooleanField(
        _("legal minimum"),
        default=False,
        help_text=_("Every municipality must offer this service in its NAV office."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered in the catalogue"), default=True)

    visibility = NationalCatalogue()
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipal service")
        verbose_name_plural = _("municipal services")
        ordering = ["-is_minimum", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name


# --- Partnership agreements -----------------------------------------------------------------------


class PartnershipAgreement(models.Model):
    """A partnership agreement between the county and the municipalities of its offices.

    Its parties are rule 5's for its offices (``users/access/parties.py``), read when a version
    is approved; ``municipalities`` records the municipal parties as they were drafted.
    """

    title = models.CharField(_("title"), max_length=300)
    county = models.ForeignKey(
        "offices.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    offices = models.ManyToManyField("offices.Office", related_name="+", verbose_name=_("offices"))
    municipalities = models.ManyToManyField(
        "offices.Municipality", related_name="+", verbose_name=_("municipalities")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    visibility = JOINT_OF_OFFICES
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership agreement")
        verbose_name_plural = _("partnership agreements")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class VersionKind(models.TextChoices):
    NEW = "new", _("New agreement")
    REVISION = "revision", _("Revision")
    EXTENSION = "extension", _("Extension")


class VersionStatus(models.TextChoices):
    """What is stored. In force, coming and expired are read off an approved version's dates
    (``AgreementVersion.state``), so no batch run has to move a version into force at midnight."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by all parties")
    SUPERSEDED = "superseded", _("Superseded")
    TERMINATED = "terminated", _("Terminated")


class VersionState(models.TextChoices):
    """What a person reads: the stored status with an approved version's dates applied."""

    DRAFT = "draft", _("Draft")
    COMING = "coming", _("Approved, not yet in force")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")
    TERMINATED = "terminated", _("Terminated")


class AgreementVersionQuerySet(VisibleToQuerySet):
    def binding(self) -> "AgreementVersionQuerySet":
        return self.filter(status=VersionStatus.APPROVED)

    def in_force(self, on: datetime.date | None = None) -> "AgreementVersionQuerySet":
        """Approved versions whose period holds ``on`` (default today)."""
        on = on or timezone.localdate()
        return self.binding().filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on
        )


class AgreementVersion(models.Model):
    """One version of an agreement's content: sections, services, validity and signatories."""

    agreement = models.ForeignKey(
        PartnershipAgreement, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=VersionKind.choices)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to (inclusive)"), null=True, blank=True, help_text=_("Empty: until replaced.")
    )
    revision_due = models.DateField(_("revision due"), null=True, blank=True)
    signatories = models.TextField(
        _("signatories"), blank=True, help_text=_("Who signs for each party, one per line.")
    )
    cooperation_meetings_per_year = models.PositiveSmallIntegerField(
        _("cooperation meetings a year"),
        default=2,
        help_text=_("Samarbeidsmøter between the municipal executive and the county director."),
    )
    partnership_meetings_per_year = models.PositiveSmallIntegerField(
        _("partnership meetings a year"), default=1
    )
    # The brukerråd meets about four times a year at each office (001 §4.8.2, §6.6.2).
    user_council_meetings_per_year = models.PositiveSmallIntegerField(
        _("user council meetings a year"),
        default=4,
        help_text=_("Meetings of the office's user council (brukerråd)."),
    )
    content_hash = models.CharField(
        _("content hash"), max_length=64, blank=True, help_text=_("SHA-256 of what was approved.")
    )
    approved_at = models.DateTimeField(_("binding since"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    # Optimistic concurrency on drafts: an edit names the version it was based on.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    visibility = SideData(office="agreement__offices", side=Side.JOINT)
    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreement_version_number_once"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agreement_version_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    def state(self, on: datetime.date | None = None) -> str:
        on = on or timezone.localdate()
        if self.status != VersionStatus.APPROVED:
            return self.status
        if self.valid_from > on:
            return VersionState.COMING
        if self.valid_to is not None and self.valid_to < on:
            return VersionState.EXPIRED
        return VersionState.IN_FORCE

    def get_state_display(self) -> str:
        return VersionState(self.state()).label

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class AgreementSection(models.Model):
    """The version's text on one required topic."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="sections")
    topic = models.CharField(_("topic"), max_length=30, choices=RequiredTopic.choices)
    text = models.TextField(_("text"), blank=True)

    visibility = SideData(office="version__agreement__offices", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement section")
        verbose_name_plural = _("agreement sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "topic"], name="agreement_section_once")
        ]

    def __str__(self) -> str:
        return self.get_topic_display()


class AgreementService(models.Model):
    """A service from the catalogue that the version says the offices offer, from a date."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(
        MunicipalService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    starts_on = models.DateField(_("offered from"))

    visibility = SideData(office="version__agreement__offices", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("service in an agreement")
        verbose_name_plural = _("services in agreements")
        constraints = [
            models.UniqueConstraint(fields=["version", "service"], name="agreement_service_once")
        ]

    def __str__(self) -> str:
        return str(self.service)


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AgreementApproval(models.Model):
    """One party's decision on one version's exact content (``content_hash``).

    Kept for ever: it proves who agreed to what, when, in which role. An approval counts only
    while the version's content still hashes the same; a change to a draft leaves earlier
    approvals in the history and asks for new ones.
    """

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="approvals"
    )
    side = models.CharField(_("party"), max_length=10)  # users.EmployerSide
    municipality = models.ForeignKey(
        "offices.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ApprovalDecision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("in the role of"), max_length=30)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    content_hash = models.CharField(_("content hash"), max_length=64)
    comment = models.TextField(_("comment"), blank=True)

    visibility = SideData(office="version__agreement__offices", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement approval")
        verbose_name_plural = _("agreement approvals")
        ordering = ["decided_at", "pk"]
        constraints = [
            # One approval per party for one content; a changed draft may be approved anew.
            models.UniqueConstraint(
                fields=["version", "side", "content_hash"],
                condition=Q(municipality__isnull=True, decision="approved"),
                name="agreement_approval_once_per_state_content",
            ),
            models.UniqueConstraint(
                fields=["version", "side", "municipality", "content_hash"],
                condition=Q(municipality__isnull=False, decision="approved"),
                name="agreement_approval_once_per_municipality_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.decided_by} ({self.decided_at:%d.%m.%Y})"

    @property
    def party_key(self) -> tuple[str, int | None]:
        return (self.side, self.municipality_id)


# --- Operating agreement --------------------------------------------------------------------------


class OperatingAgreement(models.Model):
    """The driftsavtale of a partnership: how the office's costs are shared, rent, settlement."""

    agreement = models.OneToOneField(
        PartnershipAgreement, on_delete=models.CASCADE, related_name="operating_agreement"
    )
    rent_nok_per_year = models.DecimalField(
        _("rent per year (NOK)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    annual_settlement = models.TextField(
        _("annual settlement"), blank=True, help_text=_("When and how the parties settle.")
    )
    revision_due = models.DateField(_("revision due"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    visibility = SideData(office="agreement__offices", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("operating agreement")
        verbose_name_plural = _("operating agreements")

    def __str__(self) -> str:
        return str(_("Operating agreement: %(agreement)s") % {"agreement": self.agreement})


class CostShare(models.Model):
    """One party's share of the office's costs, in percent; the shares sum to 100."""

    operating_agreement = models.ForeignKey(
        OperatingAgreement, on_delete=models.CASCADE, related_name="shares"
    )
    side = models.CharField(_("party"), max_length=10)  # users.EmployerSide
    municipality = models.ForeignKey(
        "offices.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    visibility = SideData(office="operating_agreement__agreement__offices", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")
        ordering = ["side", "municipality__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(side="state", municipality__isnull=True)
                | Q(side="municipal", municipality__isnull=False),
                name="cost_share_party_matches_side",
            ),
        ]

    def __str__(self) -> str:
        party = self.municipality.name if self.municipality_id else _("The state")
        return f"{party}: {self.percent} %"


# --- Cooperation agreements -----------------------------------------------------------------------


class CooperationAgreement(models.Model):
    """A samarbeidsavtale between the office and an external partner (002's four questions)."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    partner = models.CharField(_("partner"), max_length=200)
    partner_responsibility = models.TextField(_("the partner is responsible for"))
    office_responsibility = models.TextField(_("the office is responsible for"))
    how_carried_out = models.TextField(_("how the cooperation is carried out"))
    unclear_responsibility = models.TextField(_("how unclear responsibility is resolved"))
    evaluation_interval_months = models.PositiveSmallIntegerField(
        _("evaluated every (months)"), default=12, validators=[MinValueValidator(1)]
    )
    next_evaluation = models.DateField(_("next evaluation"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (inclusive)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    visibility = SideData(office="office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["office", "partner"]

    def __str__(self) -> str:
        return self.partner


# --- Meetings -------------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partnership meeting")
    COOPERATION = "cooperation", _("Cooperation meeting (municipal executive and county director)")
    DIALOGUE = "dialogue", _("Dialogue meeting")
    USER_COUNCIL = "user_council", _("User council")


class Meeting(models.Model):
    """A governance meeting about one or more offices, with its minutes and decisions."""

    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    offices = models.ManyToManyField("offices.Office", related_name="+", verbose_name=_("offices"))
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    visibility = JOINT_OF_OFFICES
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.held_on:%d.%m.%Y}"


class MeetingDecision(models.Model):
    """A decision of a meeting; it may point to the agreement section it concerns."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    section = models.ForeignKey(
        AgreementSection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreement section"),
    )
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)

    visibility = SideData(office="meeting__offices", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
