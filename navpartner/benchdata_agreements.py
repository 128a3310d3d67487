"""The national data set's partnership agreements and meetings (``navpartner/benchdata.py``).

One agreement per office (a host-municipality office's agreement has all its municipalities as
parties), with two or three versions: the older ones superseded, the newest approved by both
parties — the county director for the state, each municipality's executive — over the hash of
its content (``agreements/content.py``), as ``agreements/services.py`` records approvals. The
version in force has every required topic and the legal minimum of services, except for a few
offices (missing a topic or a minimum service, or with an agreement that expired), so that the
compliance columns have something to show. Meetings: two samarbeidsmøter, a partnership meeting
and two user-council meetings a year, fewer this year at some offices.

A few hundred agreements and some fifteen thousand meetings: ``bulk_create`` is enough.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from agreements.content import content_hash
from agreements.models import (
    AgreementApproval,
    AgreementSection,
    AgreementService,
    AgreementVersion,
    ApprovalDecision,
    Meeting,
    MeetingKind,
    MunicipalService,
    PartnershipAgreement,
    RequiredTopic,
    VersionKind,
    VersionStatus,
)
from navpartner.benchdata import PREFIX, Scale
from offices.models import Office, OfficeDocument, OfficeDocumentKind, OfficeMunicipality
from scorecards.periods import months_back, reporting_month
from users.models import Role, RoleAssignment

# (number, kind, valid from, valid to) of the versions, oldest first.
VERSIONS = [
    (1, VersionKind.NEW, datetime.date(2016, 1, 1), datetime.date(2019, 12, 31)),
    (2, VersionKind.REVISION, datetime.date(2020, 1, 1), datetime.date(2023, 12, 31)),
    (3, VersionKind.REVISION, datetime.date(2024, 1, 1), None),
]
# (kind, month, day): the agreed meetings of a year (two samarbeidsmøter, a partnership meeting,
# four user-council meetings).
MEETINGS = [
    (MeetingKind.USER_COUNCIL, 2, 20),
    (MeetingKind.COOPERATION, 3, 15),
    (MeetingKind.USER_COUNCIL, 5, 20),
    (MeetingKind.PARTNERSHIP, 6, 10),
    (MeetingKind.USER_COUNCIL, 9, 20),
    (MeetingKind.COOPERATION, 10, 15),
    (MeetingKind.USER_COUNCIL, 11, 20),
]


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), datetime.UTC)


def build_agreements(scale: Scale) -> dict[str, int]:
    offices = list(Office.objects.filter(code__startswith=PREFIX).order_by("code"))
    parties: dict[int, list[int]] = {}
    for office_id, municipality_id in (
        OfficeMunicipality.objects.filter(office__in=offices)
        .order_by("-is_host", "municipality__number")
        .values_list("office", "municipality")
    ):
        parties.setdefault(office_id, []).append(municipality_id)
    directors = dict(
        RoleAssignment.objects.filter(role=Role.COUNTY_DIRECTOR).values_list("county", "user")
    )
    executives = dict(
        RoleAssignment.objects.filter(role=Role.MUNICIPAL_EXECUTIVE).values_list(
            "municipality", "user"
        )
    )
    services = list(MunicipalService.objects.filter(is_active=True).order_by("-is_minimum", "pk"))
    minimum = [s for s in services if s.is_minimum]
    extra = [s for s in services if not s.is_minimum][:2]
    today = timezone.localdate()
    counts: dict[str, int] = {}
    with transaction.atomic():
        agreements = PartnershipAgreement.objects.bulk_create(
            PartnershipAgreement(
                title=f"Partnerskapsavtale {office.name}",
                county_id=office.county_id,
                created_by_id=directors.get(office.county_id),
                created_at=_at(VERSIONS[0][2]),
            )
            for office in offices
        )
        PartnershipAgreement.offices.through.objects.bulk_create(
            PartnershipAgreement.offices.through(partnershipagreement_id=a.pk, office_id=o.pk)
            for a, o in zip(agreements, offices, strict=True)
        )
        PartnershipAgreement.municipalities.through.objects.bulk_create(
            PartnershipAgreement.municipalities.through(
                partnershipagreement_id=a.pk, municipality_id=m
            )
            for a, o in zip(agreements, offices, strict=True)
            for m in parties.get(o.pk, [])
        )
        versions = []
        for index, (agreement, office) in enumerate(zip(agreements, offices, strict=True)):
            # Every fourth office is still on its second version; one in 25 let it expire.
            specs = VERSIONS[:2] if index % 4 == 0 else VERSIONS
            for number, kind, valid_from, valid_to in specs:
                newest = number == len(specs)
                if newest:
                    valid_to = datetime.date(today.year - 1, 12, 31) if index % 25 == 7 else None
                versions.append(
                    AgreementVersion(
                        agreement=agreement,
                        number=number,
                        kind=kind,
                        status=VersionStatus.APPROVED if newest else VersionStatus.SUPERSEDED,
                        valid_from=valid_from,
                        valid_to=valid_to,
                        revision_due=datetime.date(today.year + 1, 12, 31) if newest else None,
                        signatories="Fylkesdirektør\nKommunedirektør",
                        cooperation_meetings_per_year=2,
                        partnership_meetings_per_year=1,
                        approved_at=_at(valid_from - datetime.timedelta(days=30)),
                        ended_at=None if newest else _at(valid_to),
                        created_by_id=directors.get(office.county_id),
                        created_at=_at(valid_from - datetime.timedelta(days=90)),
                        updated_at=_at(valid_from - datetime.timedelta(days=30)),
                    )
                )
        versions = AgreementVersion.objects.bulk_create(versions, batch_size=2000)
        office_of = {a.pk: (i, o) for i, (a, o) in enumerate(zip(agreements, offices, strict=True))}
        sections, offered = [], []
        for version in versions:
            index, _office = office_of[version.agreement_id]
            newest = version.status == VersionStatus.APPROVED
            for topic in RequiredTopic:
                if newest and index % 17 == 5 and topic == RequiredTopic.PRIVACY:
                    continue  # a topic left out
                sections.append(
                    AgreementSection(
                        version=version,
                        topic=topic,
                        text=f"{topic.label} — avtalt v{version.number}.",
                    )
                )
            for service in minimum + extra:
                if newest and index % 19 == 4 and service == minimum[-1]:
                    continue  # the legal minimum not offered
                offered.append(
                    AgreementService(version=version, service=service, starts_on=version.valid_from)
                )
        counts["agreement_sections"] = len(
            AgreementSection.objects.bulk_create(sections, batch_size=5000)
        )
        counts["agreement_services"] = len(
            AgreementService.objects.bulk_create(offered, batch_size=5000)
        )
        approvals = []
        for version in AgreementVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        ).select_related("agreement"):
            digest = content_hash(version)
            version.content_hash = digest
            _index, office = office_of[version.agreement_id]
            decided = version.approved_at
            approvals.append(
                AgreementApproval(
                    version=version,
                    side="state",
                    decision=ApprovalDecision.APPROVED,
                    decided_by_id=directors[office.county_id],
                    role=Role.COUNTY_DIRECTOR,
                    decided_at=decided,
                    content_hash=digest,
                )
            )
            for municipality_id in parties.get(office.pk, []):
                approvals.append(
                    AgreementApproval(
                        version=version,
                        side="municipal",
                        municipality_id=municipality_id,
                        decision=ApprovalDecision.APPROVED,
                        decided_by_id=executives[municipality_id],
                        role=Role.MUNICIPAL_EXECUTIVE,
                        decided_at=decided,
                        content_hash=digest,
                    )
                )
            AgreementVersion.objects.filter(pk=version.pk).update(content_hash=digest)
        counts["agreement_approvals"] = len(
            AgreementApproval.objects.bulk_create(approvals, batch_size=5000)
        )
        counts["meetings"] = _meetings(scale, offices, directors, today)
    counts["agreements"] = len(agreements)
    counts["agreement_versions"] = len(versions)
    return counts


def _meetings(scale: Scale, offices, directors, today) -> int:
    """The agreed meetings of every year of the values; this year one samarbeidsmøte fewer at
    one office in seven, and none after today."""
    years = sorted({p.year for p in months_back(reporting_month(), scale.months)} | {today.year})
    meetings, held_at = [], []
    for index, office in enumerate(offices):
        for year in years:
            skipped = False
            for kind, month, day in MEETINGS:
                held_on = datetime.date(year, month, day)
                if held_on > today:
                    continue
                if (
                    year == today.year
                    and kind == MeetingKind.COOPERATION
                    and index % 7 == 3
                    and not skipped
                ):
                    skipped = True
                    continue
                meetings.append(
                    Meeting(
                        kind=kind,
                        held_on=held_on,
                        title=f"{MeetingKind(kind).label} {year}",
                        participants="Kommunedirektør, fylkesdirektør, leder",
                        agenda="Målekort, tiltaksplaner, avtalen.",
                        minutes="Referat.",
                        created_by_id=directors.get(office.county_id),
                        updated_at=_at(held_on),
                    )
                )
                held_at.append(office.pk)
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    Meeting.offices.through.objects.bulk_create(
        (
            Meeting.offices.through(meeting_id=meeting.pk, office_id=office_id)
            for meeting, office_id in zip(meetings, held_at, strict=True)
        ),
        batch_size=10_000,
    )
    return len(meetings)


def build_documents(scale: Scale) -> int:
    """Each office's virksomhetsplan for every year (this year's missing at one office in six)
    and the municipality's internal-control routines (missing at one in nine)."""
    offices = list(Office.objects.filter(code__startswith=PREFIX).order_by("code"))
    leaders = dict(
        RoleAssignment.objects.filter(role=Role.OFFICE_LEADER, office__in=offices).values_list(
            "office", "user"
        )
    )
    executives = dict(
        RoleAssignment.objects.filter(role=Role.MUNICIPAL_EXECUTIVE).values_list(
            "municipality", "user"
        )
    )
    host = {}
    for office_id, municipality_id in (
        OfficeMunicipality.objects.filter(office__in=offices)
        .order_by("-is_host", "municipality__number")
        .values_list("office", "municipality")
    ):
        host.setdefault(office_id, municipality_id)
    today = timezone.localdate()
    years = sorted({p.year for p in months_back(reporting_month(), scale.months)} | {today.year})
    documents = []
    for index, office in enumerate(offices):
        for year in years:
            if year == today.year and index % 6 == 2:
                continue
            valid_from = datetime.date(year, 1, 15)
            documents.append(
                OfficeDocument(
                    office=office,
                    kind=OfficeDocumentKind.BUSINESS_PLAN,
                    title=f"Virksomhetsplan {year}",
                    year=year,
                    valid_from=valid_from,
                    reference=f"{year}/{office.pk}",
                    recorded_by_id=leaders[office.pk],
                    recorded_at=_at(valid_from),
                    recorded_by_side="state" if office.pk % 2 else "municipal",
                )
            )
        if index % 9 != 4 and office.pk in host:
            documents.append(
                OfficeDocument(
                    office=office,
                    kind=OfficeDocumentKind.INTERNAL_CONTROL,
                    title="Internkontroll sosiale tjenester",
                    valid_from=VERSIONS[0][2],
                    reference=f"IK/{office.pk}",
                    recorded_by_id=executives[host[office.pk]],
                    recorded_at=_at(VERSIONS[0][2]),
                    recorded_by_side="municipal",
                )
            )
    return len(OfficeDocument.objects.bulk_create(documents, batch_size=5000))


def documents_built() -> bool:
    return OfficeDocument.objects.filter(office__code__startswith=PREFIX).exists()


def built() -> bool:
    return PartnershipAgreement.objects.filter(offices__code__startswith=PREFIX).exists()


def counts() -> dict[str, int]:
    bench = {"agreement__offices__code__startswith": PREFIX}
    return {
        "agreements": PartnershipAgreement.objects.filter(offices__code__startswith=PREFIX)
        .distinct()
        .count(),
        "agreement_versions": AgreementVersion.objects.filter(**bench).count(),
        "agreements_in_force": AgreementVersion.objects.in_force().filter(**bench).count(),
        "agreement_approvals": AgreementApproval.objects.filter(
            version__agreement__offices__code__startswith=PREFIX
        ).count(),
        "meetings": Meeting.objects.filter(offices__code__startswith=PREFIX).count(),
        "office_documents": OfficeDocument.objects.filter(office__code__startswith=PREFIX).count(),
    }


TABLES = (
    PartnershipAgreement,
    AgreementVersion,
    AgreementSection,
    AgreementService,
    AgreementApproval,
    Meeting,
    OfficeDocument,
)
