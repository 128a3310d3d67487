"""Writes of offices and of which municipalities they serve."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from offices.models import County, Municipality, Office, OfficeMunicipality

MUNICIPALITY_OUTSIDE_COUNTY = gettext_noop(
    "%(municipality)s is not in %(county)s, the office's county."
)
SECOND_HOST = gettext_noop("The office already has a host municipality.")


@transaction.atomic
def office_upsert(
    *,
    code: str,
    name: str,
    county: County,
    street_address: str = "",
    postal_code: str = "",
    postal_place: str = "",
) -> Office:
    """Create the office with this code, or bring an existing one up to date."""
    office = Office.objects.filter(code=code).first() or Office(code=code)
    office.name = name
    office.county = county
    office.street_address = street_address
    office.postal_code = postal_code
    office.postal_place = postal_place
    office.full_clean()
    office.save()
    return office


@transaction.atomic
def office_municipality_add(
    *,
    office: Office,
    municipality: Municipality,
    valid_from: datetime.date,
    is_host: bool = False,
) -> OfficeMunicipality:
    """Record that ``office`` serves ``municipality`` from ``valid_from`` (idempotent)."""
    if municipality.county_id != office.county_id:
        raise ValidationError(
            {
                "municipality": _(MUNICIPALITY_OUTSIDE_COUNTY)
                % {"municipality": municipality.name, "county": office.county.name}
            }
        )
    existing = OfficeMunicipality.objects.filter(
        office=office, municipality=municipality, valid_from=valid_from
    ).first()
    if existing is not None and existing.is_host == is_host:
        return existing
    if (
        is_host
        and OfficeMunicipality.objects.filter(office=office, is_host=True, valid_to__isnull=True)
        .exclude(pk=getattr(existing, "pk", None))
        .exists()
    ):
        raise ValidationError({"is_host": _(SECOND_HOST)})
    membership = existing or OfficeMunicipality(
        office=office, municipality=municipality, valid_from=valid_from
    )
    membership.is_host = is_host
    membership.full_clean()
    membership.save()
    return membership


# --- Dated documents of an office (audit readiness, issue 11) -------------------------------------

DOCUMENT_KIND_NOT_PERMITTED = gettext_noop(
    "You cannot record this kind of document for this office. A business plan is recorded by "
    "the office leader or either party's authority for the office; internal-control routines "
    "by the municipality (its executive, its advisors or a municipal-employed leader)."
)
BUSINESS_PLAN_YEAR_REQUIRED = gettext_noop("Give the year the business plan is for.")
BUSINESS_PLAN_YEAR_RANGE = gettext_noop("Give a year from %(first)s to %(last)s.")
ALREADY_WITHDRAWN = gettext_noop("The document is already withdrawn.")
FIRST_PLAN_YEAR = 2006  # the first NAV offices opened in 2006


def document_kinds_writable(*, user, office: Office) -> list[str]:
    """The kinds of document ``user`` may record (and withdraw) for ``office``, in the order of
    ``OfficeDocumentKind``. Two queries.

    * **Business plan** (virksomhetsplan): a working record of the partnership, so whoever may
      change the office's joint data — its leader, a served municipality's executive, the county
      director (DESIGN.md, "who writes joint records"). The leader makes it (001 §4.1).
    * **Internal-control routines**: the municipality's duty (Social Services Act § 5, 001 §4.1),
      so only a municipal-employed writer who may change the office's municipal data and holds a
      municipal executive's or advisor's role for a served municipality, or leads the office.
      State staff through a delegation do not record the municipality's internal control.
    """
    from offices.models import OfficeDocumentKind
    from users import access

    if not access.is_signed_in(user):
        return []
    permissions = access.side_permissions(user, offices=[office])
    kinds = []
    if permissions.allows(access.CHANGE, office, "joint"):
        kinds.append(OfficeDocumentKind.BUSINESS_PLAN)
    if (
        user.employer_side == "municipal"
        and permissions.allows(access.CHANGE, office, "municipal")
        and access.offices_reached(
            user, roles=["municipal_executive", "municipal_advisor", "office_leader"]
        )
        .filter(pk=office.pk)
        .exists()
    ):
        kinds.append(OfficeDocumentKind.INTERNAL_CONTROL)
    return kinds


@transaction.atomic
def office_document_record(
    *,
    user,
    office: Office,
    kind: str,
    title: str,
    valid_from: datetime.date,
    year: int | None = None,
    reference: str = "",
    description: str = "",
):
    """Record a dated document of ``office`` and audit it (with the writer's side)."""
    from offices.models import OfficeDocument, OfficeDocumentKind
    from users.access.audit import audit_record
    from users.models import AuditAction

    if kind not in document_kinds_writable(user=user, office=office):
        raise ValidationError({"kind": _(DOCUMENT_KIND_NOT_PERMITTED)})
    if kind == OfficeDocumentKind.BUSINESS_PLAN:
        last = timezone.localdate().year + 1
        if year is None:
            raise ValidationError({"year": _(BUSINESS_PLAN_YEAR_REQUIRED)})
        if not FIRST_PLAN_YEAR <= year <= last:
            raise ValidationError(
                {"year": _(BUSINESS_PLAN_YEAR_RANGE) % {"first": FIRST_PLAN_YEAR, "last": last}}
            )
    else:
        year = None
    document = OfficeDocument(
        office=office,
        kind=kind,
        title=title,
        year=year,
        valid_from=valid_from,
        reference=reference,
        description=description,
        recorded_by=user,
        recorded_by_side=user.employer_side,
    )
    document.full_clean()
    document.save()
    audit_record(
        actor=user,
        action=AuditAction.DATA_CREATED,
        office=office,
        side="joint",
        target=document,
        details={"writer_side": user.employer_side, "kind": kind},
    )
    return document


@transaction.atomic
def office_document_withdraw(*, user, document):
    """Withdraw a document (it stays in the history): by whoever may record its kind."""
    from offices.models import OfficeDocument
    from users.access.audit import audit_record
    from users.models import AuditAction

    document = OfficeDocument.objects.select_for_update().get(pk=document.pk)
    if document.kind not in document_kinds_writable(user=user, office=document.office):
        raise ValidationError({"__all__": _(DOCUMENT_KIND_NOT_PERMITTED)})
    if document.withdrawn_at is not None:
        raise ValidationError({"__all__": _(ALREADY_WITHDRAWN)})
    document.withdrawn_at = timezone.now()
    document.withdrawn_by = user
    document.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=user,
        action=AuditAction.DATA_CHANGED,
        office=document.office_id,
        side="joint",
        target=document,
        details={
            "writer_side": user.employer_side,
            "kind": document.kind,
            "fields": ["withdrawn_at"],
        },
    )
    return document
