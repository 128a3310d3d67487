"""Writes of users and role assignments."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.sidedata import Side
from offices.models import County, Municipality, Office
from users.access import delegation_authority_offices
from users.audit import audit_record
from users.models import (
    COUNTY_ROLES,
    MUNICIPALITY_ROLES,
    OFFICE_ROLES,
    AuditAction,
    Delegation,
    EmployerSide,
    RoleAssignment,
    User,
)

WRONG_SCOPE = gettext_noop("This role needs a scope of the kind %(kind)s, and no other.")


@transaction.atomic
def user_upsert(
    *,
    username: str,
    first_name: str,
    last_name: str,
    employer_side: str,
    employer_county: County | None = None,
    employer_municipality: Municipality | None = None,
    password: str | None = None,
    is_superuser: bool = False,
) -> User:
    """Create the user with this username, or bring an existing one up to date."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.first_name = first_name
    user.last_name = last_name
    user.employer_side = employer_side
    user.employer_county = employer_county if employer_side == EmployerSide.STATE else None
    user.employer_municipality = (
        employer_municipality if employer_side == EmployerSide.MUNICIPAL else None
    )
    user.is_superuser = user.is_staff = is_superuser
    if password is not None:
        user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def role_assignment_ensure(
    *,
    user: User,
    role: str,
    office: Office | None = None,
    municipality: Municipality | None = None,
    county: County | None = None,
    valid_from: datetime.datetime | None = None,
) -> RoleAssignment:
    """Give ``user`` the role at the scope, unless an active assignment already does."""
    expected = (
        ("office", office)
        if role in OFFICE_ROLES
        else ("municipality", municipality)
        if role in MUNICIPALITY_ROLES
        else ("county", county)
        if role in COUNTY_ROLES
        else (None, None)
    )
    given = {"office": office, "municipality": municipality, "county": county}
    kind, scope = expected
    if (kind and scope is None) or any(
        value is not None for name, value in given.items() if name != kind
    ):
        raise ValidationError({"role": _(WRONG_SCOPE) % {"kind": kind or _("none (national)")}})
    existing = (
        RoleAssignment.objects.active()
        .filter(user=user, role=role, office=office, municipality=municipality, county=county)
        .first()
    )
    if existing is not None:
        return existing
    assignment = RoleAssignment(
        user=user,
        role=role,
        office=office,
        municipality=municipality,
        county=county,
        valid_from=valid_from or timezone.now(),
    )
    assignment.full_clean()
    assignment.save()
    return assignment


# --- Delegations (delegasjonsvedtak) --------------------------------------------------------------

DELEGATION_MAX_DAYS = 366  # "at most one year", leap years included
NOT_AUTHORITY = gettext_noop(
    "You cannot delegate this side's data for this office: only the county director (state "
    "data) or the municipal executive of a municipality the office serves (municipal data) can."
)
BASIS_REQUIRED = gettext_noop("Give the basis of the delegation (the decision it rests on).")
END_REQUIRED = gettext_noop("A delegation must have an end date.")
END_IN_PAST = gettext_noop("The end must be in the future.")
END_TOO_LATE = gettext_noop("A delegation can last at most one year.")
TO_ONESELF = gettext_noop("You cannot delegate to yourself.")
GRANTEE_INACTIVE = gettext_noop("This user cannot sign in, so cannot hold a delegation.")
SIDE_NOT_DELEGABLE = gettext_noop("Only state or municipal data can be delegated.")
ALREADY_ENDED = gettext_noop("The delegation has already ended.")


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """A delegation "until 31 March" holds through that whole day, Norwegian time."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


@transaction.atomic
def delegation_grant(
    *,
    grantor: User,
    grantee: User,
    office: Office,
    side: str,
    level: str,
    basis: str,
    valid_to: datetime.date | datetime.datetime | None,
) -> Delegation:
    """Grant a delegation from now until ``valid_to`` (a date means through that day).

    Raises ``ValidationError`` with field errors — and stores nothing — when the grantor lacks
    the authority, the basis or end is missing, the end is past or more than a year away, or the
    grantee is the grantor.
    """
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if side not in (Side.STATE, Side.MUNICIPAL):
        errors.setdefault("side", []).append(_(SIDE_NOT_DELEGABLE))
    elif not delegation_authority_offices(grantor, side).filter(pk=office.pk).exists():
        errors.setdefault("office", []).append(_(NOT_AUTHORITY))
    if not (basis or "").strip():
        errors.setdefault("basis", []).append(_(BASIS_REQUIRED))
    if valid_to is None:
        errors.setdefault("valid_to", []).append(_(END_REQUIRED))
    else:
        if not isinstance(valid_to, datetime.datetime):
            valid_to = _end_of_day(valid_to)
        if valid_to <= now:
            errors.setdefault("valid_to", []).append(_(END_IN_PAST))
        elif valid_to > now + datetime.timedelta(days=DELEGATION_MAX_DAYS):
            errors.setdefault("valid_to", []).append(_(END_TOO_LATE))
    if grantee.pk == grantor.pk:
        errors.setdefault("grantee", []).append(_(TO_ONESELF))
    elif not grantee.is_active:
        errors.setdefault("grantee", []).append(_(GRANTEE_INACTIVE))
    if errors:
        raise ValidationError(errors)

    delegation = Delegation(
        grantor=grantor,
        grantee=grantee,
        office=office,
        side=side,
        level=level,
        basis=basis.strip(),
        valid_from=now,
        valid_to=valid_to,
    )
    delegation.full_clean()
    delegation.save()  # the receiver syncs the grantee's permissions in this transaction
    audit_record(
        actor=grantor,
        action=AuditAction.DELEGATION_GRANTED,
        office=office,
        side=side,
        target=delegation,
        basis=delegation.basis,
        details={
            "grantee": grantee.username,
            "level": level,
            "valid_to": valid_to.isoformat(),
        },
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, revoked_by: User) -> Delegation:
    """End a delegation now. Only the owning side's authority may (the caller checks with
    ``Delegation.objects.visible_to(user, "change")``)."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    now = timezone.now()
    if not delegation.is_active(now) and delegation.valid_from <= now:
        raise ValidationError({"valid_to": [_(ALREADY_ENDED)]})
    delegation.revoked_at = now
    delegation.revoked_by = revoked_by
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=revoked_by,
        action=AuditAction.DELEGATION_REVOKED,
        office=delegation.office,
        side=delegation.side,
        target=delegation,
        basis=delegation.basis,
        details={"grantee": delegation.grantee.username},
    )
    return delegation


@transaction.atomic
def role_assignment_end(*, assignment: RoleAssignment, at: datetime.datetime | None = None):
    """End a role now (or at ``at``). The permissions it gave end with it, to the second."""
    assignment.valid_to = at or timezone.now()
    assignment.full_clean()
    assignment.save(update_fields=["valid_to"])  # the receiver syncs and audits
    return assignment
