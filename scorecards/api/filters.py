"""The scorecard API's list filters: offices and indicators by code, months as ``YYYY-MM``.

A malformed value (a month that is not ``YYYY-MM``, an unknown choice) is a 400 naming the
parameter; an unknown code simply matches nothing, as in the other APIs' filters.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from navpartner.sidedata import Side
from scorecards.models import (
    INDICATOR_SCOPES,
    ActionPlan,
    ActionPlanStatus,
    Indicator,
    Level,
    Measurement,
    Perspective,
    Scorecard,
    ScorecardStatus,
    Target,
)
from scorecards.periods import parse_period


class PeriodField(forms.Field):
    """A month as ``YYYY-MM`` → the month's first day."""

    default_error_messages = {"invalid": _("Give a month as YYYY-MM.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if len(value) != len("YYYY-MM"):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return parse_period(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


def _code(field_name: str, help_text: str):
    return django_filters.CharFilter(field_name=field_name, max_length=50, help_text=help_text)


class MeasurementFilter(django_filters.FilterSet):
    office = _code("office__code", "An office's code")
    indicator = _code("indicator__code", "An indicator's code")
    side = django_filters.ChoiceFilter(field_name="indicator__side", choices=Side.choices)
    period = PeriodFilter(field_name="period", help_text="One month, YYYY-MM")
    period_from = PeriodFilter(
        field_name="period", lookup_expr="gte", help_text="From this month, YYYY-MM"
    )
    period_to = PeriodFilter(
        field_name="period", lookup_expr="lte", help_text="Up to and including this month"
    )

    class Meta:
        model = Measurement
        fields = ["office", "indicator", "side", "period", "period_from", "period_to"]


class IndicatorFilter(django_filters.FilterSet):
    side = django_filters.ChoiceFilter(choices=Side.choices)
    perspective = django_filters.ChoiceFilter(choices=Perspective.choices)
    scope = django_filters.ChoiceFilter(choices=INDICATOR_SCOPES)
    group = django_filters.CharFilter(max_length=50, help_text="A group's code")
    period = PeriodFilter(method="filter_period", help_text="Valid in this month, YYYY-MM")

    class Meta:
        model = Indicator
        fields = ["side", "perspective", "scope", "group", "period"]

    def filter_period(self, queryset, name, value):
        return queryset.valid_in(value) if value else queryset


class TargetFilter(django_filters.FilterSet):
    indicator = _code("indicator__code", "An indicator's code")
    year = YearFilter()
    level = django_filters.ChoiceFilter(choices=Level.choices)
    office = _code("office__code", "An office's code")

    class Meta:
        model = Target
        fields = ["indicator", "year", "level", "office"]


class ScorecardFilter(django_filters.FilterSet):
    office = _code("office__code", "An office's code")
    period = PeriodFilter(field_name="period", help_text="One month, YYYY-MM")
    status = django_filters.ChoiceFilter(choices=ScorecardStatus.choices)

    class Meta:
        model = Scorecard
        fields = ["office", "period", "status"]


class ActionPlanFilter(django_filters.FilterSet):
    office = _code("office__code", "An office's code")
    indicator = _code("indicator__code", "An indicator's code")
    status = django_filters.ChoiceFilter(choices=ActionPlanStatus.choices)

    class Meta:
        model = ActionPlan
        fields = ["office", "indicator", "status"]
