"""The monthly balanced scorecard (målekort, BRIEF.md "The scorecard"; 001 §4.8.3–4.9).

* ``Indicator``: what is measured, on one side (state or municipal), set at one level —
  nationally, for a county, or for a municipality (the same for every office serving it). An
  office cannot add its own. ``shared`` opens its values to the partner.
* ``Target`` (målkrav): per indicator and year or month, at national, county, municipality or
  office level, with a tolerance band; the most specific one applies (``scorecards/targets.py``).
* ``Measurement``: one value per office, indicator and month — **side data of the indicator's
  side** (DESIGN.md rule 7), with its full history in ``MeasurementHistory``.
* ``Scorecard``: an office's month, draft → submitted → reviewed by each side. On submission its
  **summary** (``ScorecardLine``: the status of every indicator and the leader's comments, no
  values) is written as a joint record: the rådmann sees state statuses through it, the county
  director municipal ones, without seeing the other side's values.
* ``ActionPlan`` (tiltaksplan) with its ``Action`` items and monthly ``FollowUp``: joint working
  records of the partnership (DESIGN.md, "who writes joint records").

Indicators and targets declare ``SetAtLevel`` (everyone reads, the level's authority sets);
everything else is ``SideData``: the access policy (``users/access/``) reads the declarations.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from navpartner.querysets import SetAtLevel, VisibleToQuerySet
from navpartner.sidedata import DELEGABLE_SIDE_CHOICES, Side, SideData
from navpartner.tracked import Tracked


class Perspective(models.TextChoices):
    """The four perspectives of the balanced scorecard, in the order the card shows them."""

    USER = "user", _("User perspective")
    EMPLOYEE = "employee", _("Employee perspective")
    PRODUCTIVITY = "productivity", _("Productivity perspective")
    ECONOMY = "economy", _("Economy perspective")


class Level(models.TextChoices):
    """Where a definition is set, from the widest to the most specific."""

    NATIONAL = "national", _("National")
    COUNTY = "county", _("County")
    MUNICIPALITY = "municipality", _("Municipality")
    OFFICE = "office", _("Office")


INDICATOR_SCOPES = [
    (Level.NATIONAL.value, Level.NATIONAL.label),
    (Level.COUNTY.value, Level.COUNTY.label),
    (Level.MUNICIPALITY.value, Level.MUNICIPALITY.label),
]


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    DAYS = "days", _("Days")
    NOK = "nok", _("NOK")
    SCORE = "score", _("Score 1–6")


# The values a unit allows (None: unbounded). A percentage is a share, 0–100; user surveys
# score 1–6 (001 §6.6.1); counts and days are never negative; NOK may be (an underspend).
UNIT_RANGES: dict[str, tuple[Decimal | None, Decimal | None]] = {
    Unit.PERCENT: (Decimal(0), Decimal(100)),
    Unit.COUNT: (Decimal(0), None),
    Unit.DAYS: (Decimal(0), None),
    Unit.NOK: (None, None),
    Unit.SCORE: (Decimal(1), Decimal(6)),
}


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Status(models.TextChoices):
    """An indicator's result for a month. Shown with a symbol and a word, never colour alone."""

    MET = "met", _("Met")
    CLOSE = "close", _("Close")
    MISSED = "missed", _("Missed")
    MISSING = "missing", _("Missing")
    NO_TARGET = "no_target", _("No target")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class IndicatorQuerySet(VisibleToQuerySet):
    def valid_in(self, period: datetime.date) -> "IndicatorQuerySet":
        """Indicators valid for some day of the month starting ``period``."""
        next_month = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return self.filter(valid_from__lt=next_month).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=period)
        )


class Indicator(Tracked):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (bokmål)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    definition = models.TextField(
        _("definition"), help_text=_("What is counted, and how the value is computed.")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Where the figures come from, e.g. “Arena” or “KOSTRA”."),
    )
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    side = models.CharField(
        pgettext_lazy("data owner", "side"), max_length=10, choices=DELEGABLE_SIDE_CHOICES
    )
    scope = models.CharField(_("set at"), max_length=20, choices=INDICATOR_SCOPES)
    county = models.ForeignKey(
        "offices.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    municipality = models.ForeignKey(
        "offices.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=0, validators=[MaxValueValidator(4)]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    shared = models.BooleanField(
        _("shared with the partner"),
        default=False,
        help_text=_("The owning line opens the values to the other line (not only the status)."),
    )
    group = models.SlugField(
        _("table"),
        max_length=50,
        blank=True,
        help_text=_("Indicators shown together as one table, e.g. the outcomes of KVP."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    visibility = SetAtLevel(
        side="side", level="scope", county="county", municipality="municipality", office=None
    )
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["side", "perspective", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=Level.NATIONAL, county__isnull=True, municipality__isnull=True)
                    | Q(
                        scope=Level.COUNTY,
                        side=Side.STATE,
                        county__isnull=False,
                        municipality__isnull=True,
                    )
                    | Q(
                        scope=Level.MUNICIPALITY,
                        side=Side.MUNICIPAL,
                        county__isnull=True,
                        municipality__isnull=False,
                    )
                ),
                name="indicator_scope_matches_unit",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="indicator_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        language = (get_language() or "nb").split("-")[0]
        return self.name_en if language == "en" and self.name_en else self.name

    @property
    def value_range(self) -> tuple[Decimal | None, Decimal | None]:
        return UNIT_RANGES[self.unit]

    def is_valid_in(self, period: datetime.date) -> bool:
        next_month = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return self.valid_from < next_month and (self.valid_to is None or self.valid_to >= period)


class Target(Tracked):
    """A målkrav: the value to reach for a year (``month`` empty) or one month, at one level."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    county = models.ForeignKey(
        "offices.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    municipality = models.ForeignKey(
        "offices.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Empty: the target holds for the whole year."),
    )
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=14,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("How far from the target a result still counts as close."),
    )

    visibility = SetAtLevel(side="indicator__side")
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "year", "month", "level"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        level=Level.NATIONAL,
                        county__isnull=True,
                        municipality__isnull=True,
                        office__isnull=True,
                    )
                    | Q(
                        level=Level.COUNTY,
                        county__isnull=False,
                        municipality__isnull=True,
                        office__isnull=True,
                    )
                    | Q(
                        level=Level.MUNICIPALITY,
                        county__isnull=True,
                        municipality__isnull=False,
                        office__isnull=True,
                    )
                    | Q(
                        level=Level.OFFICE,
                        county__isnull=True,
                        municipality__isnull=True,
                        office__isnull=False,
                    )
                ),
                name="target_level_matches_unit",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year"])]

    def __str__(self) -> str:
        when = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.indicator.code} {when}: {self.value}"

    @property
    def unit_name(self):
        return self.office or self.municipality or self.county or _("national")


class TargetHistory(models.Model):
    """Each value a target has had, newest last (targets are changed, never forgotten)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField(_("version"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    tolerance = models.DecimalField(_("tolerance"), max_digits=14, decimal_places=4)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    visibility = SetAtLevel(
        side="target__indicator__side",
        level="target__level",
        county="target__county",
        municipality="target__municipality",
        office="target__office",
    )
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["target", "version"]
        verbose_name = _("target history")
        verbose_name_plural = _("target history")

    def __str__(self) -> str:
        return f"{self.target_id} v{self.version}: {self.value}"


class Source(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class Measurement(Tracked):
    """An office's value of one indicator for one month (``period``: the month's first day)."""

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("office"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    period = models.DateField(_("month"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    visibility = SideData(office="office", side="indicator__side", shared="indicator__shared")
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["office", "indicator", "period"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "indicator", "period"], name="one_measurement_per_month"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="measurement_period_is_month"),
        ]
        indexes = [
            models.Index(fields=["indicator", "period"]),
            models.Index(fields=["office", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.indicator_id} {self.period:%Y-%m}: {self.value}"


class MeasurementHistory(models.Model):
    """Every value a measurement has had, with who, when and from where (append-only)."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField(_("version"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField(_("changed at"))

    visibility = SideData(
        office="measurement__office",
        side="measurement__indicator__side",
        shared="measurement__indicator__shared",
    )
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["measurement", "version"]
        verbose_name = _("measurement history")
        verbose_name_plural = _("measurement history")

    def __str__(self) -> str:
        return f"{self.measurement_id} v{self.version}: {self.value}"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Scorecard(Tracked):
    """An office's målekort for one month. Joint: both sides and the leader follow it."""

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="scorecards",
        verbose_name=_("office"),
    )
    period = models.DateField(_("month"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ScorecardStatus.choices,
        default=ScorecardStatus.DRAFT,
    )
    comment = models.TextField(_("the leader's comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    visibility = SideData(office="office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["office", "-period"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(fields=["office", "period"], name="one_scorecard_per_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="scorecard_period_is_month"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.period:%Y-%m}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ScorecardStatus.SUBMITTED


class ScorecardLine(models.Model):
    """One indicator's status in a submitted scorecard — the joint summary (rule 7), no value."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    missing_reason = models.TextField(_("why the value is missing"), blank=True)
    comment = models.TextField(_("comment"), blank=True)

    visibility = SideData(office="scorecard__office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["scorecard", "indicator"]
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "indicator"], name="one_line_per_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard_id} {self.indicator_id}: {self.status}"


class ScorecardReview(models.Model):
    """One side's review of a submitted scorecard: the county director's or the executive's."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="reviews")
    side = models.CharField(
        pgettext_lazy("data owner", "side"), max_length=10, choices=DELEGABLE_SIDE_CHOICES
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))
    comment = models.TextField(_("comment"), blank=True)

    visibility = SideData(office="scorecard__office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["scorecard", "side"]
        verbose_name = _("scorecard review")
        verbose_name_plural = _("scorecard reviews")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "side"], name="one_review_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard_id} {self.side}"


class ActionPlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ActionPlan(Tracked):
    """A tiltaksplan for a missed indicator at an office, followed up month by month."""

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("office"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("indicator"),
    )
    scorecard = models.ForeignKey(
        Scorecard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("opened from scorecard"),
    )
    period = models.DateField(_("opened for month"))
    analysis = models.TextField(
        _("analysis"), help_text=_("Why the target was missed, as far as we know.")
    )
    goal = models.TextField(_("goal"), blank=True, help_text=_("What the plan should achieve."))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActionPlanStatus.choices,
        default=ActionPlanStatus.OPEN,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    visibility = SideData(office="office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["office", "-period"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "indicator"],
                condition=Q(status="open"),
                name="one_open_action_plan_per_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.office}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Action(Tracked):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=200, help_text=_("Who carries it out."))
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=15, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )

    visibility = SideData(office="plan__office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "due", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")


class FollowUp(models.Model):
    """The month's follow-up of an action plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="follow_ups")
    period = models.DateField(_("month"))
    note = models.TextField(_("follow-up"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    visibility = SideData(office="plan__office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "period"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="one_follow_up_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period:%Y-%m}"
