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


# --- Office notes: the simplest side data -----------------------------------------------------

NOTE_SIDE_NOT_PERMITTED = gettext_noop(
    "You cannot change this side's data for %(office)s. Neither side can change the other's "
    "data without a delegation."
)
NOTE_CHANGED_MEANWHILE = gettext_noop(
    "Someone else changed this note after you opened it. Reload it and make your change again."
)


def _check_may_write(*, user, office: Office, side: str) -> None:
    from users.access import CHANGE, can_access_side

    if not can_access_side(user, CHANGE, office, side):
        raise ValidationError({"side": _(NOTE_SIDE_NOT_PERMITTED) % {"office": office.name}})


@transaction.atomic
def office_note_create(*, user, office: Office, side: str, title: str, body: str = ""):
    """Create a note on ``side`` of ``office``, if the user may change that side's data there."""
    from offices.models import OfficeNote
    from users.audit import audit_record
    from users.models import AuditAction

    _check_may_write(user=user, office=office, side=side)
    note = OfficeNote(office=office, side=side, title=title, body=body, created_by=user)
    note.full_clean()
    note.save()
    audit_record(
        actor=user,
        action=AuditAction.DATA_CREATED,
        office=office,
        side=side,
        target=note,
    )
    return note


@transaction.atomic
def office_note_update(*, user, note, version: int, title: str, body: str, side: str):
    """Change a note the user may change, unless someone else changed it since ``version``.

    Both the old and the new side must be writable by the user: moving data across the line
    is a change of both sides' data.
    """
    from offices.models import OfficeNote
    from users.audit import audit_record
    from users.models import AuditAction

    _check_may_write(user=user, office=note.office, side=note.side)
    if side != note.side:
        _check_may_write(user=user, office=note.office, side=side)
    candidate = OfficeNote(
        pk=note.pk,
        office=note.office,
        side=side,
        title=title,
        body=body,
        created_by_id=note.created_by_id,
        version=version,
    )
    candidate._state.adding = False  # an existing row: its own id is not a duplicate
    candidate.full_clean(exclude=["created_by"])
    # Compare-and-set on the version: two people editing the same note never silently
    # overwrite each other; the second is told to reload.
    updated = OfficeNote.objects.filter(pk=note.pk, version=version).update(
        side=side, title=title, body=body, version=version + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"version": _(NOTE_CHANGED_MEANWHILE)})
    note.refresh_from_db()
    audit_record(
        actor=user,
        action=AuditAction.DATA_CHANGED,
        office=note.office,
        side=note.side,
        target=note,
        details={"version": note.version},
    )
    return note


@transaction.atomic
def office_note_delete(*, user, note) -> None:
    from users.audit import audit_record
    from users.models import AuditAction

    _check_may_write(user=user, office=note.office, side=note.side)
    audit_record(
        actor=user,
        action=AuditAction.DATA_DELETED,
        office=note.office,
        side=note.side,
        target=note,
    )
    note.delete()
