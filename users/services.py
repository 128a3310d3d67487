"""Writes of users and role assignments."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from offices.models import County, Municipality, Office
from users.models import (
    COUNTY_ROLES,
    MUNICIPALITY_ROLES,
    OFFICE_ROLES,
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
