"""Agreements in the admin: shown through the access policy, written only through the pages and
the API (whose services check rule 5 and audit every change). An operator without roles sees
none of them; the service catalogue is read here and kept by national administrators."""

from django.contrib import admin

from agreements.models import (
    AgreementApproval,
    AgreementSection,
    AgreementService,
    AgreementVersion,
    CooperationAgreement,
    CostShare,
    Meeting,
    MeetingDecision,
    MunicipalService,
    OperatingAgreement,
    PartnershipAgreement,
)


class PolicyReadOnlyAdmin(admin.ModelAdmin):
    """The rows the signed-in operator may see (``visible_to``), never written here."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MunicipalService)
class MunicipalServiceAdmin(PolicyReadOnlyAdmin):
    list_display = ["code", "name", "legal_basis", "is_minimum", "is_active"]
    list_filter = ["is_minimum", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(PartnershipAgreement)
class PartnershipAgreementAdmin(PolicyReadOnlyAdmin):
    list_display = ["title", "county", "created_at"]
    list_filter = ["county"]
    search_fields = ["title"]
    list_select_related = ["county"]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(PolicyReadOnlyAdmin):
    list_display = ["agreement", "number", "kind", "status", "valid_from", "valid_to"]
    list_filter = ["status", "kind"]
    search_fields = ["agreement__title"]
    list_select_related = ["agreement"]


@admin.register(AgreementSection)
class AgreementSectionAdmin(PolicyReadOnlyAdmin):
    list_display = ["version", "topic"]
    list_filter = ["topic"]
    search_fields = ["version__agreement__title", "text"]


@admin.register(AgreementService)
class AgreementServiceAdmin(PolicyReadOnlyAdmin):
    list_display = ["version", "service", "starts_on"]
    list_filter = ["service"]
    search_fields = ["version__agreement__title"]


@admin.register(AgreementApproval)
class AgreementApprovalAdmin(PolicyReadOnlyAdmin):
    list_display = ["version", "side", "municipality", "decision", "decided_by", "decided_at"]
    list_filter = ["decision", "side"]
    search_fields = ["version__agreement__title", "decided_by__username"]


@admin.register(OperatingAgreement)
class OperatingAgreementAdmin(PolicyReadOnlyAdmin):
    list_display = ["agreement", "rent_nok_per_year", "revision_due"]
    search_fields = ["agreement__title"]


@admin.register(CostShare)
class CostShareAdmin(PolicyReadOnlyAdmin):
    list_display = ["operating_agreement", "side", "municipality", "percent"]
    list_filter = ["side"]
    search_fields = ["operating_agreement__agreement__title"]


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(PolicyReadOnlyAdmin):
    list_display = ["partner", "office", "next_evaluation"]
    list_filter = ["office__county"]
    search_fields = ["partner", "office__name"]
    list_select_related = ["office"]


@admin.register(Meeting)
class MeetingAdmin(PolicyReadOnlyAdmin):
    list_display = ["held_on", "kind", "title"]
    list_filter = ["kind"]
    search_fields = ["title", "minutes"]


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(PolicyReadOnlyAdmin):
    list_display = ["meeting", "text", "due"]
    search_fields = ["text"]
