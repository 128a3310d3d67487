from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from users.models import (
    AccessReviewConfirmation,
    AuditEvent,
    Delegation,
    OfficeGroupObjectPermission,
    OfficeUserObjectPermission,
    RoleApproval,
    RoleAssignment,
    User,
)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["office", "municipality", "county"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "employer_side", "is_active"]
    list_filter = ["employer_side", "employer_county", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["employer_county", "employer_municipality"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Employer"), {"fields": ("employer_side", "employer_county", "employer_municipality")}),
    )
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "office", "municipality", "county", "valid_from", "valid_to"]
    list_filter = ["role", "county", "office__county"]
    search_fields = ["user__username", "user__last_name", "office__name", "municipality__name"]
    list_select_related = ["user", "office", "municipality", "county"]
    autocomplete_fields = ["user", "office", "municipality", "county"]
    date_hierarchy = "valid_from"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written: nobody adds, changes or deletes these rows here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfficeUserObjectPermission)
class OfficeUserObjectPermissionAdmin(ReadOnlyAdmin):
    """Office permissions are derived from roles and delegations (``users/access/permissions.py``);
    a row written by hand would give access with no basis, so the admin only shows them —
    every row, past and future, not only those in force."""

    list_display = [
        "user",
        "permission",
        "content_object",
        "basis",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["basis", "action", "side"]
    search_fields = ["user__username", "content_object__name"]
    list_select_related = ["user", "permission", "content_object"]

    def get_queryset(self, request):
        return OfficeUserObjectPermission.all_rows.all()


@admin.register(OfficeGroupObjectPermission)
class OfficeGroupObjectPermissionAdmin(ReadOnlyAdmin):
    """Unused by the policy: no group holds side data, and none is given it here."""

    list_display = ["group", "permission", "content_object"]
    list_filter = ["permission"]
    search_fields = ["group__name", "content_object__name"]
    list_select_related = ["group", "permission", "content_object"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log, read-only: nobody adds, changes or deletes an event, not even here."""

    list_display = [
        "at",
        "actor_username",
        "action",
        "office",
        "side",
        "object_repr",
        "basis",
        "ip_address",
    ]
    list_filter = ["action", "side", ("office", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_username", "object_repr", "object_id", "basis"]
    list_select_related = ["office"]
    date_hierarchy = "at"
    show_full_result_count = False  # the log grows for ever; skip the second count


@admin.register(RoleApproval)
class RoleApprovalAdmin(ReadOnlyAdmin):
    """Approvals are given on the role pages (audited there); the admin only shows them —
    removing one by hand would rewrite who agreed to an appointment without a trace."""

    list_display = ["assignment", "side", "municipality", "approved_by", "approved_at"]
    list_filter = ["side"]
    search_fields = ["assignment__user__username", "approved_by__username"]
    list_select_related = ["assignment__user", "municipality", "approved_by"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Delegations are granted and revoked on their pages (the service checks the authority
    and writes the audit log); the admin shows them, read-only."""

    list_display = ["grantee", "office", "side", "level", "valid_from", "valid_to", "revoked_at"]
    list_filter = ["side", "level", "office__county"]
    search_fields = ["grantee__username", "grantor__username", "office__name", "basis"]
    list_select_related = ["grantee", "office"]
    date_hierarchy = "valid_from"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessReviewConfirmation)
class AccessReviewConfirmationAdmin(admin.ModelAdmin):
    """Read-only, through the policy (joint data of the office): confirmations are made on the
    access review page, which checks the reviewer and audits it."""

    list_display = ["office", "confirmed_by", "confirmed_at"]
    list_filter = ["office__county"]
    list_select_related = ["office", "confirmed_by"]

    def get_queryset(self, request):
        return AccessReviewConfirmation.objects.visible_to(request.user).select_related(
            "office", "confirmed_by"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
