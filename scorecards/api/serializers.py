"""The scorecard API's serializers: offices and indicators by code, months as ``YYYY-MM``,
values as normalised decimal strings."""

import datetime
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from navpartner.sidedata import DELEGABLE_SIDE_CHOICES
from offices.models import County, Office
from scorecards.models import (
    Action,
    ActionPlan,
    FollowUp,
    Indicator,
    Measurement,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    Target,
    TargetHistory,
)
from scorecards.periods import format_period, is_overdue, parse_period, reporting_deadline


def normalise(value: Decimal | None) -> str | None:
    """``Decimal("81.5000")`` → ``"81.5"``; ``Decimal("100.0000")`` → ``"100"``."""
    if value is None:
        return None
    return format(value.normalize(), "f")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class PeriodField(serializers.Field):
    """A month as ``YYYY-MM`` (stored as its first day)."""

    default_error_messages = {"invalid": "Give a month as YYYY-MM."}

    def to_representation(self, value):
        return format_period(value)

    def to_internal_value(self, data):
        try:
            return parse_period(data)
        except (TypeError, ValueError):
            self.fail("invalid")


@extend_schema_field({"type": "string", "example": "81.5"})
class NormalisedDecimalField(serializers.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return normalise(value)


class MeasurementSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    side = serializers.CharField(source="indicator.side", read_only=True)
    period = PeriodField(read_only=True)
    value = NormalisedDecimalField(read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "office",
            "indicator",
            "side",
            "period",
            "value",
            "source",
            "comment",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


class BulkRowSerializer(serializers.Serializer):
    """One value to deliver (documentation only: rows are checked by the measurement service,
    which reports every problem by line and field)."""

    office = serializers.CharField(help_text="The office's code")
    indicator = serializers.CharField(help_text="The indicator's code")
    period = serializers.CharField(help_text="The month, YYYY-MM")
    value = serializers.CharField(help_text="A number, e.g. 81.5")
    comment = serializers.CharField(required=False, allow_blank=True)


class BulkRequestSerializer(serializers.Serializer):
    rows = BulkRowSerializer(many=True)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The row's position in the list, from 1")
    field = serializers.CharField()
    message = serializers.CharField()


class BulkErrorSerializer(serializers.Serializer):
    """Refused rows by line and field; a body that is not JSON at all gets the API's usual
    error (``detail`` only)."""

    detail = serializers.CharField()
    rows = RowErrorSerializer(many=True, required=False)


# --- Definitions: indicators and targets ---------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}$", "example": "5001"})
class MunicipalityNumberField(serializers.Field):
    """A municipality by its number: the row valid today (or the latest, for one merged away)."""

    default_error_messages = {"unknown": "No municipality has the number “{value}”."}

    def to_representation(self, value):
        return value.number

    def to_internal_value(self, data):
        from offices.models import Municipality

        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("unknown", value=data)
        number = str(data).strip()
        rows = Municipality.objects.filter(number=number)
        found = rows.valid_on().first() or rows.order_by("-valid_from").first()
        if found is None:
            self.fail("unknown", value=number)
        return found


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator; ``code``, ``side`` and where it is set are given when it is created and
    fixed afterwards. A change names the ``version`` it is based on."""

    county = serializers.SlugRelatedField(
        slug_field="number",
        queryset=County.objects.all(),
        required=False,
        allow_null=True,
        help_text="The county's number, for an indicator set at county level",
    )
    municipality = MunicipalityNumberField(
        required=False,
        allow_null=True,
        help_text="The municipality's number, for an indicator set at municipal level",
    )
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    create_only_fields = ("code", "side", "scope", "county", "municipality")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "definition",
            "source",
            "perspective",
            "side",
            "scope",
            "county",
            "municipality",
            "unit",
            "direction",
            "decimals",
            "valid_from",
            "valid_to",
            "shared",
            "group",
            "position",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # Uniqueness and the level's rules are the service's (one transaction, one message).
        validators: list = []
        extra_kwargs = {"code": {"validators": []}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in self.create_only_fields:
                fields[name].read_only = True
        creating = self.instance is None
        fields["version"] = serializers.IntegerField(
            min_value=1,
            required=not creating,
            read_only=creating,
            help_text="The version the change is based on; a newer one answers 400.",
        )
        return fields


class TargetHistorySerializer(serializers.ModelSerializer):
    value = NormalisedDecimalField(read_only=True)
    tolerance = NormalisedDecimalField(read_only=True)
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TargetHistory
        fields = ["version", "value", "tolerance", "changed_by", "changed_at"]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    """A target at one level for a year (``month`` empty) or a month. Where it applies is given
    when it is created; afterwards only ``value`` and ``tolerance`` change, naming the
    ``version``."""

    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    county = serializers.SlugRelatedField(
        slug_field="number",
        queryset=County.objects.all(),
        required=False,
        allow_null=True,
        help_text="The county's number, for a county target",
    )
    municipality = MunicipalityNumberField(
        required=False, allow_null=True, help_text="The municipality's number"
    )
    office = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Office.objects.all(),
        required=False,
        allow_null=True,
        help_text="The office's code, for an office target",
    )
    value = NormalisedDecimalField()
    tolerance = NormalisedDecimalField(required=False, min_value=Decimal(0))
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    create_only_fields = ("indicator", "level", "county", "municipality", "office", "year", "month")

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "level",
            "county",
            "municipality",
            "office",
            "year",
            "month",
            "value",
            "tolerance",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in self.create_only_fields:
                fields[name].read_only = True
        creating = self.instance is None
        fields["version"] = serializers.IntegerField(
            min_value=1,
            required=not creating,
            read_only=creating,
            help_text="The version the change is based on; a newer one answers 400.",
        )
        return fields


class TargetDetailSerializer(TargetSerializer):
    history = TargetHistorySerializer(many=True, read_only=True)

    class Meta(TargetSerializer.Meta):
        fields = [*TargetSerializer.Meta.fields, "history"]


# --- The month: scorecards ----------------------------------------------------------------------


class ScorecardLineSerializer(serializers.ModelSerializer):
    """An indicator's status in the submitted month: the joint summary, never a value."""

    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ScorecardLine
        fields = ["indicator", "status", "missing_reason", "comment"]
        read_only_fields = fields


class ScorecardReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ScorecardReview
        fields = ["side", "reviewed_by", "reviewed_at", "comment"]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = PeriodField(read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    deadline = serializers.SerializerMethodField(help_text="The last day to submit the month")
    overdue = serializers.SerializerMethodField(help_text="Not submitted by the deadline")
    lines = ScorecardLineSerializer(many=True, read_only=True)
    reviews = ScorecardReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "office",
            "period",
            "status",
            "comment",
            "submitted_by",
            "submitted_at",
            "deadline",
            "overdue",
            "version",
            "lines",
            "reviews",
        ]
        read_only_fields = fields

    def get_deadline(self, scorecard) -> datetime.date:
        return reporting_deadline(scorecard.period)

    def get_overdue(self, scorecard) -> bool:
        return is_overdue(scorecard.period, submitted=scorecard.is_submitted)


class SubmitSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=50, help_text="The office's code")
    period = PeriodField(help_text="The month, YYYY-MM")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    missing_reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="Indicator code → why its value is missing",
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="Indicator code → a comment on its line",
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The scorecard version you saw, if one exists",
    )


class ReviewSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=DELEGABLE_SIDE_CHOICES)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you saw")


# --- Action plans -----------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "description", "owner", "due", "status", "version"]
        read_only_fields = ["id", "status", "version"]


class FollowUpSerializer(serializers.ModelSerializer):
    period = PeriodField(help_text="The month followed up, YYYY-MM")
    written_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "period", "note", "written_by", "written_at"]
        read_only_fields = ["id", "written_by", "written_at"]


class ActionPlanSerializer(serializers.ModelSerializer):
    """A tiltaksplan. ``office``, ``indicator`` and ``period`` are given when it is opened;
    afterwards ``analysis`` and ``goal`` change, naming the ``version``."""

    office = serializers.SlugRelatedField(slug_field="code", queryset=Office.objects.all())
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    period = PeriodField(help_text="The month the plan is opened for, YYYY-MM")
    actions = ActionSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    create_only_fields = ("office", "indicator", "period")

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "office",
            "indicator",
            "period",
            "analysis",
            "goal",
            "status",
            "closed_at",
            "version",
            "updated_by",
            "updated_at",
            "actions",
            "follow_ups",
        ]
        read_only_fields = ["id", "status", "closed_at", "updated_at"]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in self.create_only_fields:
                fields[name].read_only = True
        creating = self.instance is None
        fields["version"] = serializers.IntegerField(
            min_value=1,
            required=not creating,
            read_only=creating,
            help_text="The version the change is based on; a newer one answers 400.",
        )
        return fields
