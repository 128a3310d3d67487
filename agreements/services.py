"""Every write of agreements: drafting, editing, approving, rejecting, ending, the operating
agreement's cost key, cooperation agreements and meetings.

Who may do what follows the access policy and rule 5 (``users/access/``):

* **drafting and editing** a draft: whoever may change the joint data of *every* office the
  agreement covers — the office leader, the county director, the municipal executives;
* **approving or rejecting**: each party of rule 5 (``users.access.parties``), for the exact
  content it read (its hash). The last approval makes the version binding; a binding version is
  never edited, a change is a new version;
* every write is audited once per office, with the writer's side.

Refusals are ``ValidationError`` with field errors and leave nothing half-saved.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agreements.content import content_hash
from agreements.models import (
    AgreementApproval,
    AgreementSection,
    AgreementService,
    AgreementVersion,
    ApprovalDecision,
    CostShare,
    Meeting,
    MeetingDecision,
    MunicipalService,
    OperatingAgreement,
    PartnershipAgreement,
    RequiredTopic,
    VersionKind,
    VersionStatus,
)
from navpartner.sidedata import Side
from offices.models import Office, OfficeMunicipality
from users.access import CHANGE, side_permissions
from users.access.audit import audit_record
from users.access.parties import Party, acts_for, parties_pending, required_parties
from users.models import AuditAction, EmployerSide

OFFICES_REQUIRED = gettext_noop("Choose at least one office.")
ONE_COUNTY = gettext_noop(
    "Choose offices of one county: an agreement has one county director as the state's party."
)
NOT_A_DRAFTER = gettext_noop(
    "You cannot write agreements for %(offices)s. The office leader, the county director and "
    "the municipal executives of those offices can."
)
TITLE_REQUIRED = gettext_noop("Write a title for the agreement.")
START_REQUIRED = gettext_noop("Choose the date the agreement starts.")
END_BEFORE_START = gettext_noop("Choose an end date on or after the start date.")
OVERLAP = gettext_noop(
    "The period overlaps “%(agreement)s”, which binds %(office)s from %(start)s%(until)s. "
    "Choose a start after it ends, or make a new version of that agreement instead."
)
NOT_A_DRAFT = gettext_noop(
    "This version is approved and can no longer be changed. Make a new version to change it."
)
DRAFT_EXISTS = gettext_noop("Version %(number)s is already a draft: change that one instead.")
NOTHING_TO_BASE_ON = gettext_noop(
    "The agreement has no approved version to extend. Approve the draft first."
)
EXTENSION_NOT_LATER = gettext_noop("Choose a new end date after the current one (%(end)s).")
NOT_A_PARTY = gettext_noop(
    "You are not one of the parties still to decide on this version: the county director and "
    "the municipal executives of its offices decide, once each."
)
CONTENT_CHANGED = gettext_noop(
    "The version was changed after you read it. Read it again before you decide."
)
COMMENT_REQUIRED = gettext_noop("Write why you reject the version, so the others can change it.")
NOT_BINDING = gettext_noop("Only an approved version can be ended.")
REASON_REQUIRED = gettext_noop("Write why the agreement is ended.")
UNKNOWN_SERVICE = gettext_noop("Choose services from the catalogue.")
SHARES_SUM = gettext_noop(
    "The shares add up to %(sum)s %%. Change them so that they add up to 100 %%."
)
SHARE_PARTY = gettext_noop(
    "Give shares only to the state and to the agreement's municipalities, once each."
)
NOT_A_CATALOGUE_KEEPER = gettext_noop("Only national administrators keep the service catalogue.")
CHANGED_MEANWHILE_BY = gettext_noop(
    "%(name)s changed this after you opened it. Reload it and make your change again."
)


# --- Helpers --------------------------------------------------------------------------------------


def _audit(*, user, version_or_record, offices, details: dict, action=AuditAction.DATA_CHANGED):
    for office in offices:
        audit_record(
            actor=user,
            action=action,
            office=office,
            side=Side.JOINT,
            target=version_or_record,
            details={"writer_side": user.employer_side, **details},
        )


def _check_may_write(user, offices: list[Office], field: str = "offices") -> None:
    permissions = side_permissions(user, offices=offices)
    refused = [o for o in offices if not permissions.allows(CHANGE, o, Side.JOINT)]
    if refused:
        names = ", ".join(o.name for o in refused)
        raise ValidationError({field: [_(NOT_A_DRAFTER) % {"offices": names}]})


def _check_stale(current, expected: int | None) -> None:
    if expected is not None and current.version != expected:
        raise ValidationError(
            {"version": [_(CHANGED_MEANWHILE_BY) % {"name": current.updated_by or "?"}]}
        )


def _check_period(valid_from, valid_to) -> None:
    if valid_from is None:
        raise ValidationError({"valid_from": [_(START_REQUIRED)]})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_(END_BEFORE_START)]})


def _overlapping(version: AgreementVersion) -> AgreementVersion | None:
    """A binding version of *another* agreement for one of these offices whose period meets
    this one's: every office has one agreement in force at a time."""
    offices = version.agreement.offices.all()
    end = version.valid_to
    others = (
        AgreementVersion.objects.binding()
        .exclude(agreement=version.agreement)
        .filter(agreement__offices__in=offices)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=version.valid_from))
    )
    if end is not None:
        others = others.filter(valid_from__lte=end)
    return others.select_related("agreement").order_by("valid_from").first()


def _check_no_overlap(version: AgreementVersion) -> None:
    other = _overlapping(version)
    if other is None:
        return
    office = (
        other.agreement.offices.filter(pk__in=version.agreement.offices.all())
        .order_by("name")
        .first()
    )
    until = f"–{other.valid_to:%d.%m.%Y}" if other.valid_to else ""
    raise ValidationError(
        {
            "valid_from": [
                _(OVERLAP)
                % {
                    "agreement": other.agreement.title,
                    "office": office.name if office else "",
                    "start": f"{other.valid_from:%d.%m.%Y}",
                    "until": until,
                }
            ]
        }
    )


def _set_content(version: AgreementVersion, *, sections=None, services=None) -> None:
    """Replace the version's sections (``{topic: text}``) and services (``[(service, start)]``)."""
    if sections is not None:
        unknown = set(sections) - set(RequiredTopic.values)
        if unknown:
            raise ValidationError({"sections": [_("Unknown topic: %s") % ", ".join(unknown)]})
        version.sections.all().delete()
        AgreementSection.objects.bulk_create(
            AgreementSection(version=version, topic=topic, text=text.strip())
            for topic, text in sections.items()
            if (text or "").strip()
        )
    if services is not None:
        chosen = {}
        for service, starts_on in services:
            if not isinstance(service, MunicipalService) or not service.is_active:
                raise ValidationError({"services": [_(UNKNOWN_SERVICE)]})
            chosen[service.pk] = (service, starts_on or version.valid_from)
        version.services.all().delete()
        AgreementService.objects.bulk_create(
            AgreementService(version=version, service=service, starts_on=starts_on)
            for service, starts_on in chosen.values()
        )


def _copy_content(source: AgreementVersion, target: AgreementVersion) -> None:
    _set_content(
        target,
        sections=dict(source.sections.values_list("topic", "text")),
        services=[(s.service, s.starts_on) for s in source.services.select_related("service")],
    )


# --- Drafting -------------------------------------------------------------------------------------


@transaction.atomic
def agreement_draft(
    *,
    user,
    title: str,
    offices: list[Office],
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    revision_due: datetime.date | None = None,
    signatories: str = "",
    sections: dict[str, str] | None = None,
    services: list | None = None,
    cooperation_meetings_per_year: int = 2,
    partnership_meetings_per_year: int = 1,
    user_council_meetings_per_year: int = 4,
) -> AgreementVersion:
    """A new agreement for ``offices``, with its first version as a draft."""
    offices = list(offices)
    if not offices:
        raise ValidationError({"offices": [_(OFFICES_REQUIRED)]})
    if len({office.county_id for office in offices}) != 1:
        raise ValidationError({"offices": [_(ONE_COUNTY)]})
    if not (title or "").strip():
        raise ValidationError({"title": [_(TITLE_REQUIRED)]})
    _check_period(valid_from, valid_to)
    _check_may_write(user, offices)
    agreement = PartnershipAgreement.objects.create(
        title=title.strip(), county_id=offices[0].county_id, created_by=user
    )
    agreement.offices.set(offices)
    agreement.municipalities.set(
        [party.municipality for party in required_parties(offices) if party.municipality]
    )
    version = AgreementVersion(
        agreement=agreement,
        number=1,
        kind=VersionKind.NEW,
        valid_from=valid_from,
        valid_to=valid_to,
        revision_due=revision_due,
        signatories=signatories.strip(),
        cooperation_meetings_per_year=cooperation_meetings_per_year,
        partnership_meetings_per_year=partnership_meetings_per_year,
        user_council_meetings_per_year=user_council_meetings_per_year,
        created_by=user,
        updated_by=user,
    )
    version.full_clean(exclude=["agreement"])
    version.save()
    _set_content(version, sections=sections or {}, services=services or [])
    _check_no_overlap(version)
    _audit(
        user=user,
        version_or_record=version,
        offices=offices,
        action=AuditAction.DATA_CREATED,
        details={"change": "drafted", "version": 1},
    )
    return version


@transaction.atomic
def agreement_version_new(
    *,
    user,
    agreement: PartnershipAgreement,
    kind: str = VersionKind.REVISION,
    valid_to: datetime.date | None = None,
) -> AgreementVersion:
    """A new draft copying the latest binding version: a revision, or an extension to
    ``valid_to`` (same content, later end)."""
    agreement = PartnershipAgreement.objects.select_for_update().get(pk=agreement.pk)
    offices = list(agreement.offices.all())
    _check_may_write(user, offices)
    draft = agreement.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise ValidationError({"__all__": [_(DRAFT_EXISTS) % {"number": draft.number}]})
    base = agreement.versions.binding().order_by("-number").first()
    if base is None:
        raise ValidationError({"__all__": [_(NOTHING_TO_BASE_ON)]})
    number = (agreement.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = AgreementVersion(
        agreement=agreement,
        number=number,
        kind=kind,
        based_on=base,
        valid_from=base.valid_from,
        valid_to=base.valid_to,
        revision_due=base.revision_due,
        signatories=base.signatories,
        cooperation_meetings_per_year=base.cooperation_meetings_per_year,
        partnership_meetings_per_year=base.partnership_meetings_per_year,
        user_council_meetings_per_year=base.user_council_meetings_per_year,
        created_by=user,
        updated_by=user,
    )
    if kind == VersionKind.EXTENSION:
        if valid_to is None or (base.valid_to is not None and valid_to <= base.valid_to):
            end = f"{base.valid_to:%d.%m.%Y}" if base.valid_to else "–"
            raise ValidationError({"valid_to": [_(EXTENSION_NOT_LATER) % {"end": end}]})
        version.valid_to = valid_to
    version.full_clean(exclude=["agreement", "based_on"])
    version.save()
    _copy_content(base, version)
    _check_no_overlap(version)
    _audit(
        user=user,
        version_or_record=version,
        offices=offices,
        action=AuditAction.DATA_CREATED,
        details={"change": kind, "version": number, "based_on": base.number},
    )
    return version


EDITABLE_FIELDS = (
    "valid_from",
    "valid_to",
    "revision_due",
    "signatories",
    "cooperation_meetings_per_year",
    "partnership_meetings_per_year",
    "user_council_meetings_per_year",
)


@transaction.atomic
def agreement_version_update(
    *,
    user,
    version: AgreementVersion,
    expected_version: int,
    changes: dict | None = None,
    sections: dict[str, str] | None = None,
    services: list | None = None,
) -> AgreementVersion:
    """Change a draft, unless someone changed it since ``expected_version``."""
    current = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    offices = list(current.agreement.offices.all())
    _check_may_write(user, offices)
    if current.status != VersionStatus.DRAFT:
        raise ValidationError({"__all__": [_(NOT_A_DRAFT)]})
    _check_stale(current, expected_version)
    changes = changes or {}
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
    for name, value in changes.items():
        setattr(current, name, value)
    _check_period(current.valid_from, current.valid_to)
    current.version += 1
    current.updated_by = user
    current.updated_at = timezone.now()
    current.full_clean(exclude=["agreement", "based_on"])
    current.save()
    _set_content(current, sections=sections, services=services)
    _check_no_overlap(current)
    if sections is not None:
        changed.append("sections")
    if services is not None:
        changed.append("services")
    _audit(
        user=user,
        version_or_record=current,
        offices=offices,
        details={"change": "edited", "fields": changed, "version": current.version},
    )
    return current


# --- Deciding -------------------------------------------------------------------------------------


def version_parties(version: AgreementVersion) -> list[Party]:
    """Rule 5's parties for the version's offices (``users.access.parties``)."""
    return required_parties(version.agreement.offices.all())


def approvals_counting(version: AgreementVersion, digest: str | None = None):
    """The approvals given for the version's current content."""
    digest = digest or content_hash(version)
    return version.approvals.filter(decision=ApprovalDecision.APPROVED, content_hash=digest)


def parties_still_to_approve(version: AgreementVersion, digest: str | None = None) -> list[Party]:
    given = [a.party_key for a in approvals_counting(version, digest)]
    return parties_pending(version_parties(version), given)


def party_of(user, version: AgreementVersion, digest: str | None = None) -> Party | None:
    """The party ``user`` may still decide for on this draft, if any (pages offer the buttons
    only then)."""
    if version.status != VersionStatus.DRAFT:
        return None
    return next(
        (party for party in parties_still_to_approve(version, digest) if acts_for(user, party)),
        None,
    )


def _decide(*, user, version, seen_hash: str, decision: str, comment: str):
    current = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if current.status != VersionStatus.DRAFT:
        raise ValidationError({"__all__": [_(NOT_A_DRAFT)]})
    digest = content_hash(current)
    if seen_hash != digest:
        raise ValidationError({"content_hash": [_(CONTENT_CHANGED)]})
    party = party_of(user, current, digest)
    if party is None:
        raise ValidationError({"__all__": [_(NOT_A_PARTY)]})
    approval = AgreementApproval.objects.create(
        version=current,
        side=party.side,
        municipality=party.municipality,
        decision=decision,
        decided_by=user,
        role=party.role,
        content_hash=digest,
        comment=comment.strip(),
    )
    return current, digest, party, approval


@transaction.atomic
def agreement_version_approve(
    *, user, version: AgreementVersion, seen_hash: str, comment: str = ""
) -> AgreementVersion:
    """Record the approval of the party ``user`` acts for, for the content it saw
    (``seen_hash``). When every party has approved that content the version binds: earlier
    binding versions of the agreement are superseded."""
    current, digest, party, _approval = _decide(
        user=user,
        version=version,
        seen_hash=seen_hash,
        decision=ApprovalDecision.APPROVED,
        comment=comment,
    )
    offices = list(current.agreement.offices.all())
    details = {"change": "approved", "party": party.side, "content_hash": digest}
    if party.municipality:
        details["municipality"] = party.municipality.number
    if not parties_still_to_approve(current, digest):
        _check_no_overlap(current)
        now = timezone.now()
        superseded = list(
            current.agreement.versions.binding().exclude(pk=current.pk).values_list("pk", flat=True)
        )
        AgreementVersion.objects.filter(pk__in=superseded).update(
            status=VersionStatus.SUPERSEDED, ended_at=now
        )
        current.status = VersionStatus.APPROVED
        current.approved_at = now
        current.content_hash = digest
        current.save(update_fields=["status", "approved_at", "content_hash"])
        details["binding"] = True
        details["superseded"] = superseded
    _audit(user=user, version_or_record=current, offices=offices, details=details)
    return current


@transaction.atomic
def agreement_version_reject(
    *, user, version: AgreementVersion, seen_hash: str, comment: str
) -> AgreementVersion:
    """Record a party's rejection, with why; the version stays a draft to be changed."""
    if not (comment or "").strip():
        raise ValidationError({"comment": [_(COMMENT_REQUIRED)]})
    current, digest, party, _approval = _decide(
        user=user,
        version=version,
        seen_hash=seen_hash,
        decision=ApprovalDecision.REJECTED,
        comment=comment,
    )
    _audit(
        user=user,
        version_or_record=current,
        offices=list(current.agreement.offices.all()),
        details={"change": "rejected", "party": party.side, "content_hash": digest},
    )
    return current


@transaction.atomic
def agreement_version_end(*, user, version: AgreementVersion, reason: str) -> AgreementVersion:
    """Terminate a binding version (oppsigelse): one party's notice, with its reason."""
    current = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if current.status != VersionStatus.APPROVED:
        raise ValidationError({"__all__": [_(NOT_BINDING)]})
    if not (reason or "").strip():
        raise ValidationError({"end_reason": [_(REASON_REQUIRED)]})
    if not any(acts_for(user, party) for party in version_parties(current)):
        raise ValidationError({"__all__": [_(NOT_A_PARTY)]})
    current.status = VersionStatus.TERMINATED
    current.ended_at = timezone.now()
    current.end_reason = reason.strip()
    current.save(update_fields=["status", "ended_at", "end_reason"])
    _audit(
        user=user,
        version_or_record=current,
        offices=list(current.agreement.offices.all()),
        details={"change": "terminated"},
    )
    return current


# --- Operating agreement --------------------------------------------------------------------------


@transaction.atomic
def operating_agreement_save(
    *,
    user,
    agreement: PartnershipAgreement,
    shares: list[tuple[str, object, Decimal]],
    rent_nok_per_year: Decimal | None = None,
    annual_settlement: str = "",
    revision_due: datetime.date | None = None,
    expected_version: int | None = None,
) -> OperatingAgreement:
    """Set the operating agreement and its cost key: ``shares`` are (side, municipality or
    None, percent), the state once and each municipality the offices serve at most once,
    summing to exactly 100."""
    offices = list(agreement.offices.all())
    _check_may_write(user, offices)
    operating, created = OperatingAgreement.objects.select_for_update().get_or_create(
        agreement=agreement, defaults={"updated_by": user}
    )
    if not created:
        _check_stale(operating, expected_version)
    # The state and every municipality the offices serve: a host-municipality office's costs
    # are shared among all of them (issue 9 §3), not only the host that signs.
    served = OfficeMunicipality.objects.valid_on(timezone.localdate()).filter(office__in=offices)
    allowed = {(EmployerSide.STATE, None)} | {
        (EmployerSide.MUNICIPAL, pk)
        for pk in {
            *agreement.municipalities.values_list("pk", flat=True),
            *served.values_list("municipality", flat=True),
        }
    }
    keys = [(side, getattr(municipality, "pk", municipality)) for side, municipality, _p in shares]
    if len(set(keys)) != len(keys) or not set(keys) <= allowed:
        raise ValidationError({"shares": [_(SHARE_PARTY)]})
    total = sum((Decimal(percent) for _s, _m, percent in shares), Decimal(0))
    if total != Decimal(100):
        raise ValidationError({"shares": [_(SHARES_SUM) % {"sum": f"{total.normalize():f}"}]})
    operating.rent_nok_per_year = rent_nok_per_year
    operating.annual_settlement = annual_settlement.strip()
    operating.revision_due = revision_due
    if not created:
        operating.version += 1
    operating.updated_by = user
    operating.updated_at = timezone.now()
    operating.full_clean(exclude=["agreement"])
    operating.save()
    operating.shares.all().delete()
    rows = [
        CostShare(
            operating_agreement=operating,
            side=side,
            municipality_id=getattr(municipality, "pk", municipality),
            percent=Decimal(percent),
        )
        for side, municipality, percent in shares
    ]
    for row in rows:
        row.full_clean(exclude=["operating_agreement"])
    CostShare.objects.bulk_create(rows)
    _audit(
        user=user,
        version_or_record=operating,
        offices=offices,
        details={
            "change": "cost key",
            "shares": [
                [side, mun, str(Decimal(p))]
                for (side, mun), (_s, _m, p) in zip(keys, shares, strict=True)
            ],
        },
    )
    return operating


# --- Meetings -------------------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    user,
    kind: str,
    offices: list[Office],
    held_on: datetime.date,
    title: str = "",
    participants: str = "",
    agenda: str = "",
    minutes: str = "",
    decisions: list[dict] | None = None,
) -> Meeting:
    """Record a meeting about ``offices`` (a working record: the leader or either side's
    authority for every office may), with its decisions (``text``, optional ``section``,
    ``responsible``, ``due``)."""
    offices = list(offices)
    if not offices:
        raise ValidationError({"offices": [_(OFFICES_REQUIRED)]})
    _check_may_write(user, offices)
    meeting = Meeting(
        kind=kind,
        held_on=held_on,
        title=title.strip(),
        participants=participants.strip(),
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        created_by=user,
        updated_by=user,
    )
    meeting.full_clean()
    meeting.save()
    meeting.offices.set(offices)
    for decision in decisions or []:
        row = MeetingDecision(meeting=meeting, **decision)
        row.full_clean(exclude=["meeting"])
        row.save()
    _audit(
        user=user,
        version_or_record=meeting,
        offices=offices,
        action=AuditAction.DATA_CREATED,
        details={"change": "meeting", "kind": kind},
    )
    return meeting


# --- The catalogue --------------------------------------------------------------------------------


@transaction.atomic
def municipal_service_save(*, user, service: MunicipalService) -> MunicipalService:
    """Create or change a catalogue entry: national administrators only."""
    from users.access import is_national_admin

    if not is_national_admin(user):
        raise ValidationError({"__all__": [_(NOT_A_CATALOGUE_KEEPER)]})
    created = service.pk is None
    service.full_clean()
    service.save()
    audit_record(
        actor=user,
        action=AuditAction.DATA_CREATED if created else AuditAction.DATA_CHANGED,
        target=service,
        details={"change": "catalogue", "code": service.code},
    )
    return service
