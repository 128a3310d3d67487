"""The scorecard API's serializers: offices and indicators by code, months as ``YYYY-MM``,
values as normalised decimal strings."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scorecards.models import Measurement
from scorecards.periods import format_period, parse_period


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
    detail = serializers.CharField()
    rows = RowErrorSerializer(many=True)
