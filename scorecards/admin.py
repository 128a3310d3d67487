"""The scorecard in the admin: read-only, through the access policy, like the agreements. Values
are written through the month form, imports and the bulk API (``scorecards/measurements.py``),
which check every row and audit it; definitions through the pages and the API."""

from django.contrib import admin

from agreements.admin import PolicyReadOnlyAdmin
from scorecards.models import (
    Action,
    ActionPlan,
    FollowUp,
    Indicator,
    Measurement,
    MeasurementHistory,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    Target,
    TargetHistory,
)


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


@admin.register(TargetHistory)
class TargetHistoryAdmin(PolicyReadOnlyAdmin):
    list_display = ["target", "version", "value", "tolerance", "changed_by", "changed_at"]
    list_select_related = ["target__indicator", "changed_by"]


@admin.register(MeasurementHistory)
class MeasurementHistoryAdmin(PolicyReadOnlyAdmin):
    list_display = ["measurement", "version", "value", "source", "changed_by", "changed_at"]
    list_select_related = ["changed_by"]


@admin.register(ScorecardLine)
class ScorecardLineAdmin(PolicyReadOnlyAdmin):
    list_display = ["scorecard", "indicator", "status"]
    list_filter = ["status"]
    list_select_related = ["scorecard__office", "indicator"]


@admin.register(ScorecardReview)
class ScorecardReviewAdmin(PolicyReadOnlyAdmin):
    list_display = ["scorecard", "side", "reviewed_by", "reviewed_at"]
    list_select_related = ["scorecard__office", "reviewed_by"]


@admin.register(Action)
class ActionAdmin(PolicyReadOnlyAdmin):
    list_display = ["plan", "owner", "due", "status"]
    list_filter = ["status"]
    list_select_related = ["plan__office", "plan__indicator"]


@admin.register(FollowUp)
class FollowUpAdmin(PolicyReadOnlyAdmin):
    list_display = ["plan", "period", "written_by", "written_at"]
    list_select_related = ["plan__office", "plan__indicator", "written_by"]
