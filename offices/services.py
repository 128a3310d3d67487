"""Writes of offices and of which municipalities they serve."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
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
