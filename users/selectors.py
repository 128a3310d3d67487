"""Reads about users, their roles and delegations."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from offices.models import County, Municipality, Office, OfficeMunicipality
from offices.selectors import office_list
from users import access
from users.models import AuditEvent, Delegation, EmployerSide, Role, RoleAssignment, User


def active_role_assignments(*, user, at=None) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.active(at)
        .filter(user=user)
        .select_related("office", "municipality", "county")
        .order_by("role", "pk")
    )


def delegation_list(*, user, active_only: bool = False) -> QuerySet[Delegation]:
    """Delegations the user may see: their own, and those of the offices they answer for."""
    delegations = Delegation.objects.visible_to(user).select_related(
        "grantor", "grantee", "office", "revoked_by"
    )
    if active_only:
        delegations = delegations.active(timezone.now())
    return delegations.order_by("-valid_from", "-pk")


def people_along_the_lines(offices: QuerySet, *, counties=None, municipalities=None) -> Q:
    """Who works along the lines of ``offices`` (a subquery of office ids).

    State employees of those offices' counties, and municipal employees of the municipalities
    those offices serve today — plus, when given, state employees of ``counties`` and municipal
    employees of ``municipalities`` (subqueries of ids). A condition on ``User``: it adds no
    query of its own.
    """
    served = OfficeMunicipality.objects.valid_on(timezone.localdate()).filter(office__in=offices)
    state = Q(employer_county__in=Office.objects.filter(pk__in=offices).values("county"))
    municipal = Q(employer_municipality__in=served.values("municipality"))
    if counties is not None:
        state |= Q(employer_county__in=counties)
    if municipalities is not None:
        municipal |= Q(employer_municipality__in=municipalities)
    return (
        Q(employer_side=EmployerSide.STATE) & state
        | Q(employer_side=EmployerSide.MUNICIPAL) & municipal
    )


def delegation_grantees(*, user) -> QuerySet[User]:
    """Whom ``user`` may name in a delegation (the grant form's and the API's choices).

    Active people, other than the grantor, who work along the lines of the offices the grantor
    may delegate for: state employees of those offices' counties and municipal employees of the
    municipalities they serve. One query; nobody for someone who may delegate nothing.
    """
    if not access.is_signed_in(user):
        return User.objects.none()
    offices = access.offices_delegable(user).values("pk")
    return (
        User.objects.filter(is_active=True)
        .filter(people_along_the_lines(offices))
        .exclude(pk=user.pk)
        .order_by("username")
    )


# Which roles each held role lets its holder assign, and the employer side that holding it
# requires for that (None: either) — the lines of ``access.role_assignments_manageable``.
ROLES_ASSIGNED_BY = {
    Role.OFFICE_LEADER: (None, (Role.OFFICE_STAFF,)),
    Role.COUNTY_DIRECTOR: (
        EmployerSide.STATE,
        (Role.OFFICE_STAFF, Role.OFFICE_LEADER, Role.COUNTY_ADVISOR),
    ),
    Role.MUNICIPAL_EXECUTIVE: (
        EmployerSide.MUNICIPAL,
        (Role.OFFICE_STAFF, Role.OFFICE_LEADER, Role.MUNICIPAL_ADVISOR),
    ),
    Role.NATIONAL_ADMIN: (
        None,
        (Role.COUNTY_DIRECTOR, Role.MUNICIPAL_EXECUTIVE, Role.NATIONAL_ADMIN),
    ),
}


@dataclass(frozen=True)
class RoleChoices:
    """What the role form and the API offer one proposer: roles, people and scopes."""

    roles: tuple[str, ...]
    people: QuerySet
    offices: QuerySet
    municipalities: QuerySet
    counties: QuerySet

    @property
    def role_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Role.choices if value in self.roles]

    def __bool__(self) -> bool:
        return bool(self.roles)


def role_assignment_choices(*, user) -> RoleChoices:
    """What ``user`` may be offered when assigning a role: only what the lines let them assign.

    Roles: those their own active roles assign (``ROLES_ASSIGNED_BY``). Offices: those their
    leader, director or executive roles reach. Municipalities and counties: those they lead, or
    all for a national administrator. People: active users other than themselves who work along
    the lines of those offices, municipalities and counties (``people_along_the_lines``) — every
    active user for a national administrator. One query for the roles; the querysets are lazy,
    one query each. The service still checks the chosen combination after saving.
    """
    nothing = RoleChoices(
        (),
        User.objects.none(),
        Office.objects.none(),
        Municipality.objects.none(),
        County.objects.none(),
    )
    if not access.is_signed_in(user):
        return nothing
    held = set(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True))
    assigning = [
        role
        for role, (side, _) in ROLES_ASSIGNED_BY.items()
        if role in held and side in (None, user.employer_side)
    ]
    roles = {assigned for role in assigning for assigned in ROLES_ASSIGNED_BY[role][1]}
    if not roles:
        return nothing
    national = Role.NATIONAL_ADMIN in assigning
    office_roles = [r for r in assigning if r != Role.NATIONAL_ADMIN]
    reached = access.offices_reached(user, roles=office_roles)
    led = RoleAssignment.objects.active().filter(user=user)
    led_counties = led.filter(role=Role.COUNTY_DIRECTOR, county__isnull=False).values("county")
    led_municipalities = led.filter(
        role=Role.MUNICIPAL_EXECUTIVE, municipality__isnull=False
    ).values("municipality")
    if Role.COUNTY_DIRECTOR not in assigning:
        led_counties = led_counties.none()
    if Role.MUNICIPAL_EXECUTIVE not in assigning:
        led_municipalities = led_municipalities.none()

    people = User.objects.filter(is_active=True)
    if not national:
        people = people.filter(
            people_along_the_lines(
                reached, counties=led_counties, municipalities=led_municipalities
            )
        )
    municipalities = Municipality.objects.valid_on()
    counties = County.objects.all()
    if not national:
        municipalities = municipalities.filter(pk__in=led_municipalities)
        counties = counties.filter(pk__in=led_counties)
    return RoleChoices(
        roles=tuple(value for value in Role.values if value in roles),
        people=people.exclude(pk=user.pk).order_by("username"),
        offices=Office.objects.filter(pk__in=reached).order_by("name"),
        municipalities=municipalities.order_by("number"),
        counties=counties.order_by("number"),
    )


def role_assignment_list(*, user) -> QuerySet[RoleAssignment]:
    """Roles the user may see, current and pending (ended ones are history, not shown)."""
    from django.db.models import Q

    now = timezone.now()
    return (
        RoleAssignment.objects.visible_to(user)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .select_related("user", "office", "municipality", "county", "proposed_by")
        .prefetch_related("approvals__municipality", "approvals__approved_by")
        .order_by("approved_at", "office__name", "role", "user__username")
    )


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read (their own, and those of the offices they review),
    newest first, with what the page and the API show of each."""
    return AuditEvent.objects.visible_to(user).select_related("office").order_by("-at", "-id")


# --- The page shell: what the menu and the front page offer ----------------------------------


@dataclass(frozen=True)
class Navigation:
    """Which of the access pages are of use to one person — the menu shows only those.

    Everyone signed in has the front page, the offices and their own reports. The rest follows
    from the access policy: delegations for the authorities that grant them, the leaders who
    see their office's, and anyone who holds or gave one; roles for those who may assign one
    (``access.role_lines``) or review an office; the access review and the audit log for the
    reviewers (``access.REVIEWER_ROLES``).
    """

    delegations: bool = False
    roles: bool = False
    access_review: bool = False
    audit_log: bool = False


def navigation(*, user, roles: list[RoleAssignment] | None = None) -> Navigation:
    """The menu of ``user``, from their active roles (pass them if already read: the header has
    them). Costs no query beyond the roles, but one for a person without a delegating or
    reviewing role, to find whether they hold or gave a delegation."""
    if not access.is_signed_in(user):
        return Navigation()
    if roles is None:
        roles = list(active_role_assignments(user=user))
    held = {role.role for role in roles}
    reviewer = access.reviews_by_role(held)
    assigns = any(
        role in held and side in (None, user.employer_side)
        for role, (side, _assigned) in ROLES_ASSIGNED_BY.items()
    )
    delegations = (
        reviewer  # the leader sees the office's delegations; authorities are reviewers too
        or access.delegates_by_role(user, held)
        or Delegation.objects.visible_to(user).exists()
    )
    return Navigation(
        delegations=delegations,
        roles=assigns or reviewer,
        access_review=reviewer,
        audit_log=reviewer,
    )


def offices_in_reach(*, user) -> QuerySet[Office]:
    """The offices the user's active roles reach, for their front page: their own office for
    leaders and staff, the offices serving their municipality (host-municipality offices
    included) for executives and advisors, the county's offices for the county's director and
    advisors. Ordered by county and name, with the municipalities each serves today."""
    reached = access.offices_reached(user, roles=Role.values)
    return office_list(user=user).filter(pk__in=reached).order_by("county__number", "name")
