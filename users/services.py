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
from users.access.audit import audit_record
from users.access.parties import Party, acts_for, parties_pending, required_parties
from users.models import (
    COUNTY_ROLES,
    MUNICIPALITY_ROLES,
    OFFICE_ROLES,
    AuditAction,
    Delegation,
    EmployerSide,
    Role,
    RoleApproval,
    RoleAssignment,
    User,
)

# One answer for a person, office or scope that does not exist and for one that exists but is
# not among the caller's choices, so a choice list tells nobody what exists beyond it.
NOT_OFFERED = gettext_noop("Unknown, or not one you can choose here.")
WRONG_SCOPE = gettext_noop("Choose %(kind)s where the role applies.")
NATIONAL_SCOPE = gettext_noop("This role is national: leave office, municipality and county empty.")


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


def check_role_scope(*, role: str, office, municipality, county) -> None:
    """The scope must be of the role's kind, and only that: a clear error, not a constraint."""
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
    if role == Role.STATISTICS_CLIENT and office is None and municipality is None:
        return  # a county's offices, or (no county) the whole country
    if (kind and scope is None) or any(
        value is not None for name, value in given.items() if name != kind
    ):
        if kind is None:
            raise ValidationError({"role": [_(NATIONAL_SCOPE)]})
        label = {
            "office": _("an office"),
            "municipality": _("a municipality"),
            "county": _("a county"),
        }[kind]
        raise ValidationError({kind: [_(WRONG_SCOPE) % {"kind": label}]})


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
    check_role_scope(role=role, office=office, municipality=municipality, county=county)
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
    "Choose an office and line you answer for: the county director delegates state data of the "
    "county's offices, the municipal executive municipal data of the offices serving the "
    "municipality."
)
BASIS_REQUIRED = gettext_noop("Write the decision the delegation rests on.")
END_REQUIRED = gettext_noop("Choose the last day the delegation holds.")
END_IN_PAST = gettext_noop("Choose an end date that is after today.")
END_TOO_LATE = gettext_noop("Choose an end date at most one year from today.")
TO_ONESELF = gettext_noop("Choose someone other than yourself: you cannot delegate to yourself.")
GRANTEE_INACTIVE = gettext_noop(
    "Choose someone else: this person cannot sign in, so cannot hold a delegation."
)
SIDE_NOT_DELEGABLE = gettext_noop("Choose state or municipal data: joint data needs no delegation.")
ALREADY_ENDED = gettext_noop("The delegation has already ended.")


def end_of_day(day: datetime.date) -> datetime.datetime:
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
            valid_to = end_of_day(valid_to)
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


ROLE_ALREADY_ENDED = gettext_noop("The role has already ended.")
ROLE_WITHDRAWN = gettext_noop(
    "The role had not started yet: it is withdrawn and never takes effect."
)


@transaction.atomic
def role_assignment_end(
    *,
    assignment: RoleAssignment,
    at: datetime.datetime | None = None,
    ended_by: User | None = None,
) -> RoleAssignment | None:
    """End a role now (or at ``at``). The permissions it gave end with it, to the second.

    A role that has not started by then never takes effect: it is withdrawn — deleted with its
    approvals, the deletion audited as ``role_ended`` — and ``None`` is returned (a role's end
    must lie after its start, so it cannot be "ended at its start"). A role that has already
    ended is refused (field ``valid_to``) rather than extended to now. The receivers in
    ``users/signals.py`` sync the permissions and write the audit event.
    """
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    at = at or timezone.now()
    if assignment.valid_to is not None and assignment.valid_to <= at:
        raise ValidationError({"valid_to": [_(ROLE_ALREADY_ENDED)]})
    assignment.audit_actor = ended_by
    if assignment.valid_from >= at:
        assignment.delete()
        return None
    assignment.valid_to = at
    assignment.full_clean()
    assignment.save(update_fields=["valid_to"])
    return assignment


# --- Role administration ----------------------------------------------------------------------

NOT_ROLE_AUTHORITY = gettext_noop(
    "Choose a person and a place you may assign this role for: roles are assigned along the "
    "lines of the state and the municipality."
)
NOT_AN_APPROVER = gettext_noop(
    "You are not one of the parties who must approve this appointment, or you already have."
)
NOT_PENDING = gettext_noop("This appointment is not waiting for approval.")
OWN_APPOINTMENT = gettext_noop(
    "You cannot approve your own appointment: another holder of the approving role must."
)


def leader_approvals_required(office: Office) -> list[Party]:
    """The parties whose approval puts an office leader in place (rule 5, ``parties``)."""
    return required_parties([office])


def pending_approvals(assignment: RoleAssignment) -> list[Party]:
    """The parties that still have to approve a joint appointment."""
    given = [(a.side, a.municipality_id) for a in assignment.approvals.all()]
    return parties_pending(leader_approvals_required(assignment.office), given)


@transaction.atomic
def role_assignment_propose(
    *,
    proposer: User,
    user: User,
    role: str,
    office: Office | None = None,
    municipality: Municipality | None = None,
    county: County | None = None,
    valid_to: datetime.datetime | None = None,
) -> RoleAssignment:
    """Assign a role along the lines, or — for an office leader — propose the appointment.

    The office leader is a joint appointment: it is stored waiting for approval and gives
    nothing until both parties approved; a proposer who is one of them approves at once.
    Raises ``ValidationError`` (field ``role``) when the proposer may not assign it; nothing is
    stored then.
    """
    check_role_scope(role=role, office=office, municipality=municipality, county=county)
    joint = role == Role.OFFICE_LEADER
    now = timezone.now()
    assignment = RoleAssignment(
        user=user,
        role=role,
        office=office,
        municipality=municipality,
        county=county,
        valid_from=now,
        valid_to=valid_to,
        proposed_by=proposer,
        approved_at=None if joint else now,
    )
    assignment.full_clean()
    assignment.audit_actor = proposer
    assignment.save()
    # Checked after saving, inside the transaction: the policy decides on the stored row
    # exactly as it will for every later change, and a refusal rolls the row back.
    if not RoleAssignment.objects.visible_to(proposer, "change").filter(pk=assignment.pk).exists():
        raise ValidationError({"role": [_(NOT_ROLE_AUTHORITY)]})
    # Nobody approves their own appointment (the policy already refuses proposing oneself).
    if (
        joint
        and proposer.pk != user.pk
        and any(acts_for(proposer, party) for party in leader_approvals_required(office))
    ):
        role_assignment_approve(approver=proposer, assignment=assignment)
        assignment.refresh_from_db()
    return assignment


def may_approve(*, user: User, assignment: RoleAssignment) -> bool:
    """Whether ``user`` is one of the parties still to approve this pending appointment (never
    the appointee): the pages offer "Approve" only then."""
    if assignment.approved_at is not None or assignment.user_id == user.pk:
        return False
    return any(acts_for(user, party) for party in pending_approvals(assignment))


@transaction.atomic
def role_assignment_approve(*, approver: User, assignment: RoleAssignment) -> RoleAssignment:
    """Record one party's approval of a joint appointment; the last one puts it in force.

    Refused (field ``approved_at``, nothing stored) when the appointment is not waiting — in
    force, withdrawn or past its end — when the approver is the appointee, or when the approver
    is none of the parties still to approve.
    """
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    now = timezone.now()
    if (
        assignment.approved_at is not None
        or assignment.role != Role.OFFICE_LEADER
        or (assignment.valid_to is not None and assignment.valid_to <= now)
    ):
        raise ValidationError({"approved_at": [_(NOT_PENDING)]})
    if assignment.user_id == approver.pk:
        raise ValidationError({"approved_at": [_(OWN_APPOINTMENT)]})
    party = next(
        (party for party in pending_approvals(assignment) if acts_for(approver, party)), None
    )
    if party is None:
        raise ValidationError({"approved_at": [_(NOT_AN_APPROVER)]})
    side, municipality = party.side, party.municipality
    RoleApproval.objects.create(
        assignment=assignment, side=side, municipality=municipality, approved_by=approver
    )
    audit_record(
        actor=approver,
        action=AuditAction.ROLE_ASSIGNED,
        office=assignment.office,
        target=assignment,
        details={
            "change": "approved",
            "user": assignment.user.username,
            "role": assignment.role,
            "approval": side,
            "municipality": getattr(municipality, "number", None),
        },
    )
    if not pending_approvals(assignment):
        # The receiver syncs permissions and records the appointment coming into force.
        assignment.approved_at = now
        assignment.valid_from = max(assignment.valid_from, now)
        assignment.audit_actor = approver
        assignment.save(update_fields=["approved_at", "valid_from"])
    return assignment


# --- The access review's confirmation (audit readiness, issue 11) ---------------------------------

NOT_A_REVIEWER = gettext_noop(
    "Only the office's leader, the executive of a municipality it serves and its county "
    "director confirm its access review."
)
NOTE_TOO_LONG = gettext_noop("Write a note of at most %(limit)s characters.")
NOTE_MAX_LENGTH = 2000


@transaction.atomic
def access_review_confirm(*, user: User, office: Office, note: str = ""):
    """Record that ``user`` has looked through ``office``'s access review and confirms it, and
    audit it. Only a reviewer of the office (``access.offices_reviewable``) may confirm."""
    from users.access import offices_reviewable
    from users.models import AccessReviewConfirmation

    if not offices_reviewable(user).filter(pk=office.pk).exists():
        raise ValidationError({"__all__": _(NOT_A_REVIEWER)})
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _(NOTE_TOO_LONG) % {"limit": NOTE_MAX_LENGTH}})
    confirmation = AccessReviewConfirmation(office=office, confirmed_by=user, note=note)
    confirmation.full_clean()
    confirmation.save()
    audit_record(
        actor=user,
        action=AuditAction.DATA_CREATED,
        office=office,
        side=Side.JOINT,
        target=confirmation,
        details={"writer_side": user.employer_side, "what": "access_review_confirmed"},
    )
    return confirmation
