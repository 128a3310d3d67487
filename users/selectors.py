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


def _people_on_line(line: access.RoleLine) -> Q | None:
    """Whom a role line offers: people employed where its scope is (a condition on ``User``).

    The policy (``access.role_lines``) asks only the assignee's employer side; the form offers
    the people who work along the line, so a county director is not offered the whole country.
    National lines offer everyone (``None``: no condition).
    """
    if line.scopes is None:
        return None if line.assignee_side is None else Q(employer_side=line.assignee_side)
    if line.scope == "office":
        people = people_along_the_lines(line.scopes)
    elif line.scope == "county":
        people = Q(employer_side=EmployerSide.STATE, employer_county__in=line.scopes)
    else:
        people = Q(employer_side=EmployerSide.MUNICIPAL, employer_municipality__in=line.scopes)
    if line.assignee_side is not None:
        people &= Q(employer_side=line.assignee_side)
    return people


@dataclass(frozen=True)
class RoleChoices:
    """What the role form and the API offer one proposer: roles, people and scopes.

    Read from the proposer's ``access.role_lines``: each field offers the union over the lines,
    and ``for_role(role)`` narrows every field to what that role's lines accept — the role form
    asks for the role first, so each person and scope it then offers is accepted.
    """

    user: object
    lines: tuple[access.RoleLine, ...]

    @property
    def roles(self) -> tuple[str, ...]:
        offered = {line.role for line in self.lines}
        return tuple(value for value in Role.values if value in offered)

    @property
    def role_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Role.choices if value in self.roles]

    def for_role(self, role: str) -> "RoleChoices":
        return RoleChoices(self.user, tuple(line for line in self.lines if line.role == role))

    def with_someone_to_choose(self) -> "RoleChoices":
        """Only the roles for which someone and somewhere can be chosen now (an executive
        whose municipality employs nobody else is not offered "municipal advisor"). Two small
        queries per role."""
        scopes = {"office": "offices", "municipality": "municipalities", "county": "counties"}
        kept = []
        for role in self.roles:
            one = self.for_role(role)
            kind = one.scope_kind()
            if one.people.exists() and (kind is None or getattr(one, scopes[kind]).exists()):
                kept.append(role)
        return RoleChoices(self.user, tuple(line for line in self.lines if line.role in kept))

    def _scopes(self, kind: str, model) -> QuerySet:
        lines = [line for line in self.lines if line.scope == kind]
        if not lines:
            return model.objects.none()
        if any(line.scopes is None for line in lines):
            return model.objects.all()
        within = Q(pk__in=[])
        for line in lines:
            within |= Q(pk__in=line.scopes)
        return model.objects.filter(within)

    @property
    def people(self) -> QuerySet[User]:
        if not self.lines:
            return User.objects.none()
        conditions = [_people_on_line(line) for line in self.lines]
        people = User.objects.filter(is_active=True)
        if None not in conditions:  # a national line offers everyone
            offered = Q(pk__in=[])
            for condition in conditions:
                offered |= condition
            people = people.filter(offered)
        return people.exclude(pk=self.user.pk).order_by("username")

    @property
    def offices(self) -> QuerySet[Office]:
        return self._scopes("office", Office).order_by("name")

    @property
    def municipalities(self) -> QuerySet[Municipality]:
        return (
            self._scopes("municipality", Municipality)
            .filter(pk__in=Municipality.objects.valid_on().values("pk"))
            .order_by("number")
        )

    @property
    def counties(self) -> QuerySet[County]:
        return self._scopes("county", County).order_by("number")

    def scope_kind(self) -> str | None:
        """For one role's choices: the kind of scope it takes (None for a national role)."""
        kinds = {line.scope for line in self.lines}
        return next(iter(kinds)) if len(kinds) == 1 else None

    def __bool__(self) -> bool:
        return bool(self.lines)


def role_assignment_choices(*, user) -> RoleChoices:
    """What ``user`` may be offered when assigning a role: only what the lines let them assign
    (``access.role_lines``, the policy's own lines). Roles: those of their lines. Offices,
    municipalities and counties: the scopes of those lines (all for a national administrator).
    People: active users other than themselves who work along the lines
    (``people_along_the_lines``) and are employed on the side a line requires — every active
    user for a national administrator. One query for the lines; the querysets are lazy, one
    query each. The service still checks the chosen combination after saving.
    """
    return RoleChoices(user, tuple(access.role_lines(user)))


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
    assigns = bool(access.role_lines(user, held=held))
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
