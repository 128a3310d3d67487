"""The access policy: the one place that decides who may see or change what.

Every page, API endpoint, export and report asks this module, through
``Model.objects.visible_to(user, action)`` (``navpartner/querysets.py``) or the helpers below.
A model without a registered policy is visible to nobody, so a forgotten model fails closed.

* **Side data** — every model that declares ``visibility = SideData(office=..., side=...)``
  (``navpartner/sidedata.py``) — is visible for an action when the user holds the matching
  per-side permission on one of the row's offices *now* (``view_state_data``,
  ``change_joint_data``, …). Those permissions are django-guardian rows that
  ``users/access/permissions.py`` derives from roles and delegations (rules 1–4 and 6 of DESIGN.md,
  tabulated there); each row carries its validity, so a role or delegation ends exactly when it
  ends, and the next request sees any change. ``side_permissions(user)`` answers "which
  (office, side, action)" for hundreds of offices in one query.
* **Reference data** (``visibility = ReferenceData()``) — counties, municipalities, offices and
  which municipalities an office serves — may be read by every signed-in, active user; nobody
  changes it through the app's pages or API (national administrators and operators use the
  admin).
* **Report requests** (``visibility = OwnedBy("requested_by")``) belong to the person who
  asked: nobody else sees them or their file.
* **The national catalogue** (``visibility = NationalCatalogue()``) — the municipal services —
  is read by everyone signed in and changed by national administrators.
* **Delegations, role assignments and audit events** have policies of their own below.
* **Anonymous and inactive users** get nothing, everywhere. **Superusers** are technical
  operators: they get what their own roles give them, nothing more (docs/access.md).

Missing and forbidden objects look the same to the caller (404), and are written to the audit
log alike; someone who may see an object but not do what they asked gets 403. Reads of the
other side's data made only through a delegation are written too.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from navpartner.querysets import (
    NationalCatalogue,
    OwnedBy,
    ReferenceData,
    SetAtLevel,
    declared_visibility,
)
from navpartner.sidedata import Side, SideData

VIEW = "view"
CHANGE = "change"
ACTIONS = frozenset({VIEW, CHANGE, "add", "delete"})

Policy = Callable[[QuerySet, object, str], QuerySet]
_policies: dict[type[Model], Policy] = {}


def register(*models: type[Model]) -> Callable[[Policy], Policy]:
    """Register the policy function that restricts querysets of ``models``."""

    def decorator(policy: Policy) -> Policy:
        for model in models:
            _policies[model] = policy
        return policy

    return decorator


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``; none if no policy says otherwise."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not is_signed_in(user):
        return queryset.none()
    policy = _policies.get(queryset.model)
    if policy is not None:
        return policy(queryset, user, action)
    # Models declare what they are (``navpartner/querysets.py``, ``navpartner/sidedata.py``);
    # the policy reads the declaration and never needs to import the model.
    declared = declared_visibility(queryset.model)
    if isinstance(declared, SideData):
        return side_data(queryset, user, action, declared)
    if isinstance(declared, ReferenceData):
        # Everyone signed in reads reference data; changes go through the admin only.
        return queryset if action == VIEW else queryset.none()
    if isinstance(declared, OwnedBy):
        return queryset.filter(**{declared.field: user})
    if isinstance(declared, SetAtLevel):
        from users.access.levels import set_at_level

        return set_at_level(queryset, user, action, declared)
    if isinstance(declared, NationalCatalogue):
        # Everyone signed in reads it; the directorate (national_admin) keeps it.
        return queryset if action == VIEW or is_national_admin(user) else queryset.none()
    return queryset.none()


def is_national_admin(user) -> bool:
    """An active national_admin role in force now (the directorate)."""
    from users.models import Role, RoleAssignment

    return (
        is_signed_in(user)
        and RoleAssignment.objects.active().filter(user=user, role=Role.NATIONAL_ADMIN).exists()
    )


def permission_rows_in_force(at: datetime.datetime | None = None) -> QuerySet:
    """Everyone's per-side office permissions in force at ``at`` (``from <= at < to``)."""
    from users.models import OfficeUserObjectPermission

    at = at or timezone.now()
    return OfficeUserObjectPermission.all_rows.filter(valid_from__lte=at).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=at)
    )


def _permission_rows(user, at: datetime.datetime | None = None) -> QuerySet:
    return permission_rows_in_force(at).filter(user=user)


def _row_action(action: str) -> str:
    # Adding and deleting side data are changes of that side's data.
    return VIEW if action == VIEW else CHANGE


def side_permitted(user, action: str, *, office=None, side=None) -> Exists:
    """``EXISTS`` a permission row in force giving ``user`` ``action`` on (office, side).

    ``office`` and ``side`` are expressions of the outer query (default: its ``office`` and
    ``side`` columns) or plain values. One correlated semi-join on the permission rows' lookup
    index; PostgreSQL turns it into an index probe of the outer table's (office, side) index.
    """
    office = OuterRef("office") if office is None else office
    side = OuterRef("side") if side is None else side
    return Exists(
        _permission_rows(user).filter(action=_row_action(action), content_object=office, side=side)
    )


def side_data(queryset: QuerySet, user, action: str, declared: SideData) -> QuerySet:
    """Rows whose (office, side) the user holds the permission for now.

    The user's permitted (office, side) pairs are read first (one small query on their
    permission rows), then written into the query as literal ``office IN (…) AND side IN (…)``
    terms, grouped by the sides each office opens — for an office leader simply
    ``office IN (…)``, the very filter one would write by hand. PostgreSQL answers those from
    the (office, side) index whatever the table's size; a correlated join to the permission rows
    instead lets the planner pick a merge join that walks the whole index (measured: 350 ms
    against 1 ms at 79 k notes). A row reached through several offices (an agreement covering
    four) is the user's when any of its offices gives them the side.
    """
    permissions = side_permissions(user)
    offices_by_sides: dict[frozenset[str], list[int]] = {}
    for office_id in sorted({office for office, _side, _action in permissions.rows}):
        sides = frozenset(permissions.sides(action, office_id))
        if declared.fixed_side is not None:
            sides = sides & {declared.fixed_side}
        if sides:
            offices_by_sides.setdefault(sides, []).append(office_id)
    opened = Q()
    if declared.shared is not None and action == VIEW:
        # Rows their owning side has shared are joint for viewing (rule 7).
        joint_offices = sorted(permissions.offices(VIEW, Side.JOINT))
        if joint_offices:
            opened = Q(**{declared.shared: True, f"{declared.office}__in": joint_offices})
    if not offices_by_sides and not opened:
        return queryset.none()
    condition = Q(pk__in=[]) if not offices_by_sides else Q()
    for sides, office_ids in offices_by_sides.items():
        term = Q(**{f"{declared.office}__in": office_ids})
        if declared.fixed_side is None and sides != set(Side.values):
            term &= Q(**{f"{declared.side}__in": sorted(sides)})
        condition |= term
    if opened:
        condition |= opened
    if not declared.office_is_many:
        return queryset.filter(condition)
    return queryset.filter(pk__in=declared.model._default_manager.filter(condition).values("pk"))


def can_access_side(user, action: str, office, side: str) -> bool:
    """Whether ``user`` may ``action`` the ``side`` data of ``office`` now (one query)."""
    if not is_signed_in(user):
        return False
    return (
        _permission_rows(user)
        .filter(action=_row_action(action), side=side, content_object=office)
        .exists()
    )


class SidePermissions:
    """Which (office, side, action) a user may use now — read once, asked many times.

    For dashboards and review pages over hundreds of offices, where one query per office and
    side would not do: ``permissions = side_permissions(user)`` costs one query, then
    ``permissions.allows(VIEW, office, Side.STATE)`` costs none.
    """

    def __init__(self, rows: Iterable[tuple[int, str, str]] = ()):
        self.rows = frozenset(rows)  # (office id, side, "view" | "change")

    def allows(self, action: str, office, side: str) -> bool:
        office_id = getattr(office, "pk", office)
        return (office_id, side, _row_action(action)) in self.rows

    def sides(self, action: str, office) -> list[str]:
        """The sides of ``office`` the user may ``action``, in the order of ``Side``."""
        return [side for side in Side.values if self.allows(action, office, side)]

    def offices(self, action: str, side: str) -> set[int]:
        """Ids of the offices whose ``side`` data the user may ``action``."""
        wanted = _row_action(action)
        return {office for office, s, a in self.rows if s == side and a == wanted}

    def views_values(self, office, side: str, *, shared: bool = False) -> bool:
        """Whether one may view rows of ``side`` at ``office`` — or, where their owner shared
        them (an indicator's values, rule 7), as a viewer of the office's joint data."""
        return self.allows(VIEW, office, side) or (shared and self.allows(VIEW, office, Side.JOINT))

    def value_offices(self, side: str, *, shared: bool = False) -> set[int]:
        """Ids of the offices whose ``side`` rows one may view, by ``views_values``'s rule."""
        offices = self.offices(VIEW, side)
        return offices | self.offices(VIEW, Side.JOINT) if shared else offices

    def __len__(self) -> int:
        return len(self.rows)


def side_permissions(user, *, offices=None) -> SidePermissions:
    """Everything ``user`` may do on side data now, optionally only for ``offices``."""
    if not is_signed_in(user):
        return SidePermissions()
    rows = _permission_rows(user)
    if offices is not None:
        rows = rows.filter(content_object__in=offices)
    return SidePermissions(rows.values_list("content_object", "side", "action").distinct())


def get_visible_or_404(queryset: QuerySet, user, action: str = VIEW, **lookup) -> Model:
    """One object ``user`` may ``action``, or 404 whether it is missing or only forbidden."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as missing:
        # A malformed id (not a UUID, say) is as unknown as a missing one.
        _record_denial(queryset, user, action, lookup)
        raise Http404 from missing


NOT_PERMITTED = gettext_noop("You may see this, but not change it.")


def get_for_action_or_404(queryset: QuerySet, user, action: str, **lookup) -> Model:
    """The object, if ``user`` may ``action`` it: 404 to outsiders, 403 to those who may see it
    but not act on it (DESIGN.md: outsiders get 404, viewers get 403 for the action)."""
    obj = get_visible_or_404(queryset, user, VIEW, **lookup)
    if action != VIEW and not can(user, action, obj):
        raise PermissionDenied(gettext(NOT_PERMITTED))
    return obj


def record_denial(queryset: QuerySet, user, action: str, **lookup) -> None:
    """Audit a refused lookup that a view answered with 404 itself (the same event as
    ``get_visible_or_404`` writes, naming only what was asked)."""
    _record_denial(queryset, user, action, lookup)


def _record_denial(queryset: QuerySet, user, action: str, lookup: dict) -> None:
    """Write a refused access: the same event whether the object is missing or forbidden.

    Its actor may read it back (their own events), so it names only what the request itself
    named — the model and the lookup value(s) as given — and no office, side or object name
    (DESIGN.md: refusals show their actor no more than the refused request did). Nothing is
    looked up, so neither the event nor its cost tells a missing object from a forbidden one.
    Operators read every event in the admin.
    """
    from users.access.audit import audit_record_after_response
    from users.models import AuditAction

    if not is_signed_in(user):
        return
    if len(lookup) == 1:
        asked = str(next(iter(lookup.values())))
    else:
        asked = ", ".join(f"{key}={value}" for key, value in sorted(lookup.items()))

    class Requested:
        """What ``audit_record`` reads of a target: its model and id, and no name."""

        _meta = queryset.model._meta
        pk = asked[:64]

        def __str__(self) -> str:
            return ""

    audit_record_after_response(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        target=Requested(),
        details={"action": action},
    )


def record_delegated_reads(user, objects: Iterable[Model]) -> None:
    """Audit every read of side data the user sees only through a delegation (rule 9).

    One event per office and side read, naming the records, in the reading request's
    transaction. Costs one query, whatever the number of records (two for a model whose
    rows can be shared).
    """
    from users.access.audit import audit_record
    from users.models import AuditAction, PermissionBasis

    objects = list(objects)
    declared = declared_visibility(type(objects[0])) if objects else None
    if not isinstance(declared, SideData):
        return
    located = declared.office_and_side_of(objects)  # {pk: (office ids, side)}
    located = {pk: place for pk, place in located.items() if place[1] != Side.JOINT}
    if not located:
        return
    shared = set()
    if declared.shared is not None:
        # Rows their side has shared are open to the office's joint viewers (rule 7): reading
        # one is not a use of a delegation for someone who views the office's joint data.
        shared = set(
            declared.model._default_manager.filter(
                pk__in=list(located), **{declared.shared: True}
            ).values_list("pk", flat=True)
        )
    bases: dict[tuple[int, str], set[tuple[str, int | None]]] = {}
    rows = _permission_rows(user).filter(
        action=VIEW,
        content_object__in={office for offices, _side in located.values() for office in offices},
        side__in={side for _offices, side in located.values()}
        | ({Side.JOINT} if shared else set()),
    )
    for office_id, side, basis, delegation_id in rows.values_list(
        "content_object", "side", "basis", "delegation"
    ):
        bases.setdefault((office_id, side), set()).add((basis, delegation_id))
    located = {
        pk: (offices, side)
        for pk, (offices, side) in located.items()
        if pk not in shared or not any(bases.get((office, Side.JOINT)) for office in offices)
    }
    # A record is read through a delegation when nothing but delegations opens any of its
    # offices' side to the reader; one event per office and side, naming the records.
    by_key: dict[tuple[int, str], list] = {}
    for pk, (offices, side) in located.items():
        held = set().union(*(bases.get((office, side), set()) for office in offices))
        if held and all(basis == PermissionBasis.DELEGATION for basis, _ in held):
            for office in offices:
                if bases.get((office, side)):
                    by_key.setdefault((office, side), []).append((pk, held))
    for (office_id, side), records in by_key.items():
        delegations = {pk for _pk, held in records for _basis, pk in held}
        audit_record(
            actor=user,
            action=AuditAction.DELEGATED_READ,
            office=office_id,
            side=side,
            basis=", ".join(sorted(f"delegation {pk}" for pk in delegations)),
            details={
                "model": declared.model._meta.label_lower,
                "ids": [str(pk) for pk, _held in records],
            },
        )


def can(user, action: str, obj: Model) -> bool:
    """Whether ``user`` may ``action`` this one object."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def _register_policies() -> None:
    """The users app's own records (access itself) have policies of their own, registered here
    once its models can be imported. Every other app's models declare what they are instead
    (``visibility = SideData(...)``, ``ReferenceData()``, ``OwnedBy(...)``)."""
    from users.models import AuditEvent, Delegation, RoleAssignment

    @register(Delegation)
    def delegations(queryset: QuerySet, user, action: str) -> QuerySet:
        """The parties see a delegation; the owning side's authority may also revoke it."""
        authority = Q()
        for side in (Side.STATE, Side.MUNICIPAL):
            authority |= Q(side=side, office__in=delegation_authority_offices(user, side))
        if action == VIEW:
            leader = Q(office__in=offices_reached(user, roles=["office_leader"]))
            return queryset.filter(Q(grantee=user) | Q(grantor=user) | leader | authority)
        return queryset.filter(authority)

    @register(RoleAssignment)
    def role_assignments(queryset: QuerySet, user, action: str) -> QuerySet:
        """Everyone sees their own roles and those they manage or review; changes follow
        the lines (``role_assignments_manageable``)."""
        manageable = role_assignments_manageable(user)
        if action != VIEW:
            return queryset.filter(manageable)
        reach = offices_reached(user, roles=REVIEWER_ROLES)
        return queryset.filter(Q(user=user) | Q(office__in=reach) | manageable)

    @register(AuditEvent)
    def audit_events(queryset: QuerySet, user, action: str) -> QuerySet:
        """Read-only: one's own events and those of the offices one reviews, revealing nothing
        one could not read directly (docs/access.md, "The audit log"):

        * an event about one side's data at an office (created, changed, deleted, read through
          a delegation) only while one may view that side there now — whoever wrote it;
        * delegations and roles are about access, not a side's data: their reviewers see them;
        * a refusal only in the shape that names nothing but what was asked (older refusals,
          which named their target, are left to operators).
        """
        from users.models import AuditAction

        if action != VIEW:
            return queryset.none()
        # The reach as a list of ids (one small query), not a subquery: PostgreSQL then sees
        # ``actor = me OR office = ANY(…)``, estimates it, and either walks the newest-first
        # index and stops after a page, or (for few rows) reads the actor and office indexes.
        reach = list(offices_reached(user, roles=REVIEWER_ROLES).values_list("pk", flat=True))
        about_access = [AuditAction.DELEGATION_GRANTED, AuditAction.DELEGATION_REVOKED]
        side_readable = (
            Q(side="")
            | Q(office__isnull=True)
            | Q(action__in=about_access)
            | Q(side_permitted(user, VIEW))
        )
        bare_denial = ~Q(action=AuditAction.ACCESS_DENIED) | Q(object_repr="")
        return queryset.filter((Q(actor=user) | Q(office__in=reach)) & side_readable & bare_denial)


# Who reviews an office's access and audit log: its leader, the executives of the municipalities
# it serves, and its county director.
REVIEWER_ROLES = ("office_leader", "municipal_executive", "county_director")


def offices_reached(user, *, roles: Iterable[str], at=None) -> QuerySet:
    """Ids of the offices the user's active roles of these kinds reach now (a subquery)."""
    from offices.models import Office, OfficeMunicipality
    from users.models import RoleAssignment

    active = RoleAssignment.objects.active(at).filter(user=user, role__in=list(roles))
    today = timezone.localdate()
    served = OfficeMunicipality.objects.valid_on(today).filter(
        municipality__in=active.filter(municipality__isnull=False).values("municipality")
    )
    return Office.objects.filter(
        Q(pk__in=active.filter(office__isnull=False).values("office"))
        | Q(county__in=active.filter(county__isnull=False).values("county"))
        | Q(pk__in=served.values("office"))
    ).values("pk")


def _active_scopes(user, role: str, field: str) -> QuerySet:
    from users.models import RoleAssignment

    return (
        RoleAssignment.objects.active()
        .filter(user=user, role=role, **{f"{field}__isnull": False})
        .values(field)
    )


@dataclass(frozen=True)
class RoleLine:
    """One line along which a person may assign a role: ``role`` at a scope among ``scopes``
    (ids of offices, municipalities or counties, a subquery; ``None``: any), to people employed
    on ``assignee_side`` (``None``: either side)."""

    role: str
    scope: str | None  # "office", "municipality", "county", or None for a national role
    scopes: QuerySet | None
    assignee_side: str | None = None

    def condition(self) -> Q:
        """The role assignments this line allows."""
        allowed = Q(role=self.role)
        if self.scope is not None and self.scopes is not None:
            allowed &= Q(**{f"{self.scope}__in": self.scopes})
        if self.assignee_side is not None:
            allowed &= Q(user__employer_side=self.assignee_side)
        return allowed


def role_lines(user, *, held: Iterable[str] | None = None) -> list[RoleLine]:
    """The lines along which ``user`` may propose, change or end role assignments.

    * office staff: the office's leader; the county director for state-employed staff of the
      county's offices; a served municipality's executive for municipal-employed staff;
    * office leader: proposed by the county director or a served municipality's executive, in
      force only when both parties approved (``users/services.py``, rule 5);
    * county advisors: the county director; municipal advisors: the municipal executive;
    * county directors, municipal executives and national administrators: a national
      administrator.
    A county director acts for the state only when state-employed, an executive for the
    municipality only when municipal-employed. Nobody manages their own roles
    (``role_assignments_manageable``). The policy and the forms' choices both read these lines,
    so a form offers exactly what the policy accepts. ``held``: the user's active roles, if
    already read (then no query; the scopes are lazy subqueries).
    """
    from users.models import EmployerSide, Role, RoleAssignment

    if not is_signed_in(user):
        return []
    if held is None:
        held = RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True)
    held = set(held)
    lines: list[RoleLine] = []
    if Role.OFFICE_LEADER in held:
        leader_offices = offices_reached(user, roles=[Role.OFFICE_LEADER])
        lines.append(RoleLine(Role.OFFICE_STAFF, "office", leader_offices))
    if Role.COUNTY_DIRECTOR in held and user.employer_side == EmployerSide.STATE:
        director_offices = offices_reached(user, roles=[Role.COUNTY_DIRECTOR])
        counties = _active_scopes(user, Role.COUNTY_DIRECTOR, "county")
        lines += [
            RoleLine(Role.OFFICE_LEADER, "office", director_offices),
            RoleLine(Role.OFFICE_STAFF, "office", director_offices, EmployerSide.STATE),
            RoleLine(Role.COUNTY_ADVISOR, "county", counties, EmployerSide.STATE),
        ]
    if Role.MUNICIPAL_EXECUTIVE in held and user.employer_side == EmployerSide.MUNICIPAL:
        executive_offices = offices_reached(user, roles=[Role.MUNICIPAL_EXECUTIVE])
        municipalities = _active_scopes(user, Role.MUNICIPAL_EXECUTIVE, "municipality")
        lines += [
            RoleLine(Role.OFFICE_LEADER, "office", executive_offices),
            RoleLine(Role.OFFICE_STAFF, "office", executive_offices, EmployerSide.MUNICIPAL),
            RoleLine(
                Role.MUNICIPAL_ADVISOR, "municipality", municipalities, EmployerSide.MUNICIPAL
            ),
        ]
    if Role.NATIONAL_ADMIN in held:
        lines += [
            RoleLine(Role.MUNICIPAL_EXECUTIVE, "municipality", None),
            RoleLine(Role.COUNTY_DIRECTOR, "county", None),
            RoleLine(Role.NATIONAL_ADMIN, None, None),
        ]
    return lines


def role_assignments_manageable(user) -> Q:
    """Which role assignments ``user`` may propose, change or end: those along one of their
    ``role_lines``, never their own."""
    allowed = Q(pk__in=[])
    for line in role_lines(user):
        allowed |= line.condition()
    return allowed & ~Q(user=user)


def offices_delegable(user) -> QuerySet:
    """Offices where ``user`` may delegate some side's data (the grant form's choices)."""
    from offices.models import Office

    if not is_signed_in(user):
        return Office.objects.none()
    return Office.objects.filter(
        Q(pk__in=delegation_authority_offices(user, Side.STATE))
        | Q(pk__in=delegation_authority_offices(user, Side.MUNICIPAL))
    ).order_by("name")


def offices_reviewable(user) -> QuerySet:
    """Offices whose access review and audit log ``user`` may read: their leader, the
    executive of a municipality they serve, their county director."""
    from offices.models import Office

    if not is_signed_in(user):
        return Office.objects.none()
    return Office.objects.filter(pk__in=offices_reached(user, roles=REVIEWER_ROLES))


def get_reviewable_office_or_404(user, code: str):
    """The office with this code if ``user`` may review it; else 404 (a refusal is audited)."""
    from offices.models import Office

    try:
        return offices_reviewable(user).select_related("county").get(code=code)
    except Office.DoesNotExist as missing:
        _record_denial(Office.objects.all(), user, "access_review", {"code": code})
        raise Http404 from missing


# Who may delegate a side's data (rule 6): the role, and the employer side its holder must have.
# Municipal data: the municipal executive (municipal-employed) of a municipality the office
# serves. State data: the county director (state-employed) of the office's county.
DELEGATION_AUTHORITY = {
    Side.MUNICIPAL: ("municipal_executive", "municipal"),
    Side.STATE: ("county_director", "state"),
}


def delegation_authority_offices(user, side: str) -> QuerySet:
    """Ids of the offices whose ``side`` data the user may delegate (rule 6)."""
    from offices.models import Office

    role, employer_side = DELEGATION_AUTHORITY.get(side, (None, None))
    if role is not None and user.employer_side == employer_side:
        return offices_reached(user, roles=[role])
    return Office.objects.none().values("pk")


def delegates_by_role(user, held_roles: Iterable[str]) -> bool:
    """Whether roles of these kinds make ``user`` a delegation authority somewhere (rule 6).

    For the menu, which has the user's active roles at hand: no query. Whether a scope of
    theirs reaches an office is left to the pages (``offices_delegable``).
    """
    held = set(held_roles)
    return any(
        role in held and user.employer_side == employer_side
        for role, employer_side in DELEGATION_AUTHORITY.values()
    )


def reviews_by_role(held_roles: Iterable[str]) -> bool:
    """Whether roles of these kinds make their holder a reviewer of some office's access and
    audit log (``REVIEWER_ROLES``). No query, for the menu."""
    return bool(set(held_roles) & set(REVIEWER_ROLES))


def is_statistics_client(user) -> bool:
    """A statistics system's service account (role ``statistics_client`` in force)."""
    from users.models import Role, RoleAssignment

    return (
        is_signed_in(user)
        and RoleAssignment.objects.active().filter(user=user, role=Role.STATISTICS_CLIENT).exists()
    )


def delivery_offices(user) -> QuerySet:
    """Ids of the offices a statistics system may deliver measurements for (bulk API only):
    the offices of the county its role names, or every office for a role without a county.
    Such an account holds no office permissions, so it reads and changes nothing else."""
    from offices.models import Office
    from users.models import Role, RoleAssignment

    if not is_signed_in(user):
        return Office.objects.none().values("pk")
    roles = RoleAssignment.objects.active().filter(user=user, role=Role.STATISTICS_CLIENT)
    if roles.filter(county__isnull=True).exists():
        return Office.objects.values("pk")
    return Office.objects.filter(county__in=roles.values("county")).values("pk")


def is_office_leader(user, office) -> bool:
    """Whether ``user`` leads ``office`` now (an approved office_leader role in force)."""
    from users.models import Role, RoleAssignment

    return (
        is_signed_in(user)
        and RoleAssignment.objects.active()
        .filter(user=user, role=Role.OFFICE_LEADER, office=office)
        .exists()
    )


def may_write_joint(user, offices: Iterable) -> bool:
    """Whether ``user`` may change the joint data of every one of ``offices`` (working records
    of the partnership: the leader, or either side's authority — DESIGN.md's clarification)."""
    offices = list(offices)
    permissions = side_permissions(user, offices=offices)
    return bool(offices) and all(
        permissions.allows(CHANGE, office, Side.JOINT) for office in offices
    )


# The review pages (issue 11): a municipality's review is for its executive and advisors, a
# county's for its director and advisors. Anyone else — the other line, another municipality or
# county, an office's staff — gets 404, as for any object outside their reach.
MUNICIPAL_REVIEW_ROLES = ("municipal_executive", "municipal_advisor")
COUNTY_REVIEW_ROLES = ("county_director", "county_advisor")


def reviewed_municipalities(user) -> QuerySet:
    """The municipalities whose review page ``user`` may open (their active municipal roles)."""
    from offices.models import Municipality

    if not is_signed_in(user):
        return Municipality.objects.none()
    return Municipality.objects.filter(
        pk__in=_review_scopes(user, MUNICIPAL_REVIEW_ROLES, "municipality")
    )


def reviewed_counties(user) -> QuerySet:
    """The counties whose review page ``user`` may open (their active county roles)."""
    from offices.models import County

    if not is_signed_in(user):
        return County.objects.none()
    return County.objects.filter(pk__in=_review_scopes(user, COUNTY_REVIEW_ROLES, "county"))


def _review_scopes(user, roles: Iterable[str], field: str) -> QuerySet:
    from users.models import RoleAssignment

    return (
        RoleAssignment.objects.active()
        .filter(user=user, role__in=list(roles), **{f"{field}__isnull": False})
        .values(field)
    )


def get_reviewed_municipality_or_404(user, number: str):
    """The municipality numbered ``number`` if ``user`` may open its review; else 404 (the
    refusal is audited, like every other one)."""
    from offices.models import Municipality

    # Numbers are reused across mergers (dated rows): the newest row the user's role names.
    municipality = (
        reviewed_municipalities(user)
        .select_related("county")
        .filter(number=number)
        .order_by("-valid_from")
        .first()
    )
    if municipality is None:
        _record_denial(Municipality.objects.all(), user, "municipal_review", {"number": number})
        raise Http404
    return municipality


def get_reviewed_county_or_404(user, number: str):
    """The county numbered ``number`` if ``user`` may open its review; else 404 (audited)."""
    from offices.models import County

    try:
        return reviewed_counties(user).get(number=number)
    except County.DoesNotExist as missing:
        _record_denial(County.objects.all(), user, "county_review", {"number": number})
        raise Http404 from missing
