from django.contrib import admin

from reports.models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    """Operators follow the pipeline here; the files themselves are not offered for download."""

    list_display = ["id", "kind", "requested_by", "status", "requested_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["id", "requested_by__username", "error"]
    list_select_related = ["requested_by"]
    date_hierarchy = "requested_at"
    readonly_fields = [f.name for f in ReportRequest._meta.fields if f.name != "file"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False
