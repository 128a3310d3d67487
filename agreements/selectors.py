"""Every read of agreements that a page, the API or a report makes — through the access policy.

Agreements, their versions, the operating and cooperation agreements and the meetings are joint
data of the offices they cover: ``visible_to(user)`` gives a row to anyone with a role at one of
its offices, at a municipality those serve, or at their county (rule 1), and nobody else.
"""

import datetime

from django.db.models import Prefetch, QuerySet

from agreements.compliance import OfficeCompliance, compliance_for_offices
from agreements.models import (
    AgreementApproval,
    AgreementVersion,
    CooperationAgreement,
    Meeting,
    MunicipalService,
    OperatingAgreement,
    PartnershipAgreement,
    VersionStatus,
)
from navpartner.sidedata import Side
from offices.models import Office
from users.access import VIEW, get_visible_or_404, side_permissions


def service_list(*, user) -> QuerySet[MunicipalService]:
    return MunicipalService.objects.visible_to(user, VIEW)


def agreement_list(*, user) -> QuerySet[PartnershipAgreement]:
    """The agreements ``user`` may see, with their offices and versions prefetched."""
    return (
        PartnershipAgreement.objects.visible_to(user, VIEW)
        .select_related("county")
        .prefetch_related(
            "offices",
            "municipalities",
            Prefetch("versions", queryset=AgreementVersion.objects.order_by("number")),
        )
    )


def agreement_get(*, user, pk) -> PartnershipAgreement:
    """One agreement, or 404 for the missing and the forbidden alike."""
    return get_visible_or_404(agreement_list(user=user), user, VIEW, pk=pk)


def version_get(*, user, pk, action: str = VIEW) -> AgreementVersion:
    return get_visible_or_404(
        AgreementVersion.objects.select_related("agreement", "agreement__county", "based_on"),
        user,
        action,
        pk=pk,
    )


def version_approvals(version: AgreementVersion) -> QuerySet[AgreementApproval]:
    """Every decision on the version, oldest first (the version was already checked)."""
    return version.approvals.select_related("decided_by", "municipality")


def operating_agreement_get(*, user, agreement: PartnershipAgreement) -> OperatingAgreement | None:
    return (
        OperatingAgreement.objects.visible_to(user, VIEW)
        .filter(agreement=agreement)
        .prefetch_related("shares__municipality")
        .first()
    )


def cooperation_agreement_list(*, user) -> QuerySet[CooperationAgreement]:
    return CooperationAgreement.objects.visible_to(user, VIEW).select_related("office")


def meeting_list(*, user) -> QuerySet[Meeting]:
    return (
        Meeting.objects.visible_to(user, VIEW)
        .prefetch_related("offices", "decisions__section")
        .order_by("-held_on", "pk")
    )


def in_force_version(office: Office, on: datetime.date | None = None) -> AgreementVersion | None:
    """The version in force for ``office`` (callers have checked the office's joint side)."""
    return (
        AgreementVersion.objects.in_force(on)
        .filter(agreement__offices=office)
        .select_related("agreement")
        .first()
    )


def compliance_visible(*, user, offices) -> dict[int, OfficeCompliance]:
    """Compliance of those of ``offices`` whose joint data ``user`` may see; the rest are
    left out (no finding reveals an agreement the reader could not open)."""
    offices = list(offices)
    permissions = side_permissions(user, offices=offices)
    visible = [office for office in offices if permissions.allows(VIEW, office, Side.JOINT)]
    return compliance_for_offices(visible)


def drafts(*, user) -> QuerySet[AgreementVersion]:
    """Drafts the user may see, newest first: what is waiting for someone's decision."""
    return (
        AgreementVersion.objects.visible_to(user, VIEW)
        .filter(status=VersionStatus.DRAFT)
        .select_related("agreement")
        .order_by("-updated_at")
    )
