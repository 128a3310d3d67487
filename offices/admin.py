from django.contrib import admin

from offices.models import (
    County,
    Municipality,
    Office,
    OfficeDocument,
    OfficeMunicipality,
    OfficeNote,
)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["number", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "county", "valid_from", "valid_to"]
    list_filter = ["county", "valid_to"]
    search_fields = ["number", "name"]
    list_select_related = ["county"]
    date_hierarchy = "valid_from"


class OfficeMunicipalityInline(admin.TabularInline):
    model = OfficeMunicipality
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county", "postal_place"]
    list_filter = ["county"]
    search_fields = ["name", "code", "postal_place", "memberships__municipality__name"]
    list_select_related = ["county"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [OfficeMunicipalityInline]


@admin.register(OfficeMunicipality)
class OfficeMunicipalityAdmin(admin.ModelAdmin):
    list_display = ["office", "municipality", "is_host", "valid_from", "valid_to"]
    list_filter = ["is_host", "office__county"]
    search_fields = ["office__name", "municipality__name", "municipality__number"]
    list_select_related = ["office", "municipality"]
    autocomplete_fields = ["office", "municipality"]


@admin.register(OfficeNote)
class OfficeNoteAdmin(admin.ModelAdmin):
    """Side data in the admin obeys the same policy as everywhere: an operator without roles
    sees no notes here (docs/access.md). Changes are made on the office's pages."""

    list_display = ["title", "office", "side", "updated_at"]
    list_filter = ["side", "office__county"]
    search_fields = ["title", "office__name"]
    list_select_related = ["office"]

    def get_queryset(self, request):
        return OfficeNote.objects.visible_to(request.user).select_related("office")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfficeDocument)
class OfficeDocumentAdmin(admin.ModelAdmin):
    """Read-only, through the policy (joint data of the office): documents are recorded and
    withdrawn on the office's pages, which check the writer and audit the write."""

    list_display = ["title", "office", "kind", "year", "valid_from", "withdrawn_at"]
    list_filter = ["kind", "office__county"]
    search_fields = ["title", "office__name", "reference"]
    list_select_related = ["office"]

    def get_queryset(self, request):
        return OfficeDocument.objects.visible_to(request.user).select_related("office")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
