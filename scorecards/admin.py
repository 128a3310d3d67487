"""The scorecard in the admin: read-only, through the access policy, like the agreements. Values
are written through the month form, imports and the bulk API (``scorecards/measurements.py``),
which check every row and audit it; definitions through the pages and the API."""

from django.contrib import admin

from agreements.admin import PolicyReadOnlyAdmin
from scorecards.models import ActionPlan, Indicator, Measurement, Scorecard, Target


@admin.register(Indicator)
class IndicatorAdmin(PolicyReadOnlyAdmin):
    list_display = ["code", "name", "side", "perspective", "scope", "unit", "valid_from"]
    list_filter = ["side", "perspective", "scope", "unit"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Target)
class TargetAdmin(PolicyReadOnlyAdmin):
    list_display = ["indicator", "level", "unit_name", "year", "month", "value", "tolerance"]
    list_filter = ["level", "year"]
    list_select_related = ["indicator", "county", "municipality", "office"]


@admin.register(Measurement)
class MeasurementAdmin(PolicyReadOnlyAdmin):
    list_display = ["office", "indicator", "period", "value", "source", "updated_at"]
    list_filter = ["source", "indicator__side"]
    list_select_related = ["office", "indicator"]
    date_hierarchy = "period"


@admin.register(Scorecard)
class ScorecardAdmin(PolicyReadOnlyAdmin):
    list_display = ["office", "period", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["office"]


@admin.register(ActionPlan)
class ActionPlanAdmin(PolicyReadOnlyAdmin):
    list_display = ["office", "indicator", "period", "status"]
    list_filter = ["status"]
    list_select_related = ["office", "indicator"]
