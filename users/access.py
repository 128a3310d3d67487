"""The access policy: the one place that decides who may see or change what.

Every page, API endpoint, export and report asks this module, through
``Model.objects.visible_to(user, action)`` (``navpartner/querysets.py``) or the helpers below.
A model without a registered policy is visible to nobody, so a forgotten model fails closed.

* **Side data** — every model built on ``navpartner.sidedata.SideDataModel`` — is visible for an
  action when the user holds the matching per-side permission on the row's office *now*
  (``view_state_data``, ``change_joint_data``, …). Those permissions are django-guardian rows
  that ``users/permissions.py`` derives from roles and delegations (rules 1–4 and 6 of
  DESIGN.md, tabulated there); each row carries its validity, so a role or delegation ends
  exactly when it ends, and the next request sees any change.
* **Reference data** — counties, municipalities, offices and which municipalities an office
  serves — may be read by every signed-in, active user; nobody changes it through the app's
  pages or API (national administrators and operators use the admin).
* **Report requests** belong to the person who asked: nobody else sees them or their file.
* **Delegations, role assignments and audit events** have policies of their own below.
* **Anonymous and inactive users** get nothing, everywhere. **Superusers** are technical
  operators: they get what their own roles give them, nothing more (docs/access.md).

Missing and forbidden objects look the same to the caller (404); a forbidden one is written to
the audit log. Reads of the other side's data made only through a delegation are written too.
"""

import datetime
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from navpartner.sidedata import Side, SideDataModel

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
    if policy is None and issubclass(queryset.model, SideDataModel):
        policy = side_data
    if policy is None:
        return queryset.none()
    return policy(queryset, user, action)


def permission_rows_in_force(at: datetime.datetime | None = None) -> QuerySet:
    """Everyone's per-side office permissions in force at ``at`` (``from <= at < to``)."""
    from users.models import OfficeUserObjectPermission

    at = at or timezone.now()
    return OfficeUserObjectPermission.objects.filter(valid_from__lte=at).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=at)
    )


def _permission_rows(user, at: datetime.datetime | None = None) -> QuerySet:
    return permission_rows_in_force(at).filter(user=user)


def _codename(action: str, side: str) -> str:
    # Adding and deleting side data are changes of that side's data.
    return f"{VIEW if action == VIEW else CHANGE}_{side}_data"


def offices_permitted(user, action: str, side: str) -> QuerySet:
    """Ids of the offices where ``user`` may ``action`` the ``side`` data now (a subquery)."""
    return (
        _permission_rows(user)
        .filter(permission__codename=_codename(action, side))
        .values("content_object")
    )


def side_data(queryset: QuerySet, user, action: str) -> QuerySet:
    """Rows whose (office, side) the user holds the permission for: one query, any size."""
    condition = Q()
    for side in Side.values:
        condition |= Q(side=side, office__in=offices_permitted(user, action, side))
    return queryset.filter(condition)


def can_access_side(user, action: str, office, side: str) -> bool:
    if not is_signed_in(user):
        return False
    return offices_permitted(user, action, side).filter(content_object=office).exists()


def get_visible_or_404(queryset: QuerySet, user, action: str = VIEW, **lookup) -> Model:
    """One object ``user`` may ``action``, or 404 whether it is missing or only forbidden."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as missing:
        # A malformed id (not a UUID, say) is as unknown as a missing one.
        _record_denial(queryset, user, action, lookup)
        raise Http404 from missing


def _record_denial(queryset: QuerySet, user, action: str, lookup: dict) -> None:
    """Write a refused access to an object that exists; a missing object is not worth a line."""
    from users.audit import audit_record_after_response
    from users.models import AuditAction

    try:
        target = queryset.model._default_manager.filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):
        return
    if target is None or not is_signed_in(user):
        return
    from offices.models import Office

    audit_record_after_response(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        office=target if isinstance(target, Office) else getattr(target, "office", None),
        side=getattr(target, "side", ""),
        target=target,
        details={"action": action},
    )


def record_delegated_reads(user, objects: Iterable[Model]) -> None:
    """Audit every read of side data the user sees only through a delegation (rule 9).

    One event per office and side read, naming the records, in the reading request's
    transaction. Costs one query, whatever the number of records.
    """
    from users.audit import audit_record
    from users.models import AuditAction, PermissionBasis

    by_key: dict[tuple[int, str], list[Model]] = {}
    for obj in objects:
        if obj.side != Side.JOINT:
            by_key.setdefault((obj.office_id, obj.side), []).append(obj)
    if not by_key:
        return
    bases: dict[tuple[int, str], set[str]] = {}
    rows = _permission_rows(user).filter(
        content_object__in={office_id for office_id, _ in by_key},
        permission__codename__in={_codename(VIEW, side) for _, side in by_key},
    )
    for office_id, codename, basis, delegation_id in rows.values_list(
        "content_object", "permission__codename", "basis", "delegation"
    ):
        side = codename.removeprefix("view_").removesuffix("_data")
        bases.setdefault((office_id, side), set()).add((basis, delegation_id))
    for (office_id, side), records in by_key.items():
        held = bases.get((office_id, side), set())
        if held and all(basis == PermissionBasis.DELEGATION for basis, _ in held):
            audit_record(
                actor=user,
                action=AuditAction.DELEGATED_READ,
                office=records[0].office,
                side=side,
                basis=", ".join(sorted(f"delegation {pk}" for _, pk in held)),
                details={
                    "model": records[0]._meta.label_lower,
                    "ids": [str(record.pk) for record in records],
                },
            )


def can(user, action: str, obj: Model) -> bool:
    """Whether ``user`` may ``action`` this one object."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def _register_policies() -> None:
    """Policies are registered here, after the apps' models can be imported."""
    from offices.models import County, Municipality, Office, OfficeMunicipality
    from reports.models import ReportRequest

    @register(County, Municipality, Office, OfficeMunicipality)
    def reference_data(queryset: QuerySet, user, action: str) -> QuerySet:
        # Reference data: everyone signed in reads it; changes go through the admin only.
        return queryset if action == VIEW else queryset.none()

    from users.models import AuditEvent, Delegation, RoleAssignment

    @register(ReportRequest)
    def own_reports(queryset: QuerySet, user, action: str) -> QuerySet:
        return queryset.filter(requested_by=user)

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
        """Read-only: one's own events, and the events of the offices one reviews."""
        if action != VIEW:
            return queryset.none()
        reach = offices_reached(user, roles=REVIEWER_ROLES)
        return queryset.filter(Q(actor=user) | Q(office__in=reach))


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


def role_assignments_manageable(user) -> Q:
    """Which role assignments ``user`` may propose, change or end — following the lines.

    * office staff: the office's leader; the county director for state-employed staff of the
      county's offices; a served municipality's executive for municipal-employed staff;
    * office leader: proposed by the county director or a served municipality's executive, in
      force only when both parties approved (``users/services.py``, rule 5);
    * county advisors: the county director; municipal advisors: the municipal executive;
    * county directors, municipal executives and national administrators: a national
      administrator.
    Nobody manages their own roles.
    """
    from users.models import EmployerSide, RoleAssignment

    if not is_signed_in(user):
        return Q(pk__in=[])
    leader_offices = offices_reached(user, roles=["office_leader"])
    director_offices = offices_reached(user, roles=["county_director"])
    executive_offices = offices_reached(user, roles=["municipal_executive"])
    state = user.employer_side == EmployerSide.STATE
    municipal = user.employer_side == EmployerSide.MUNICIPAL
    allowed = Q(role="office_staff", office__in=leader_offices)
    if state:
        allowed |= Q(role="office_staff", user__employer_side="state", office__in=director_offices)
        allowed |= Q(role="office_leader", office__in=director_offices)
        allowed |= Q(
            role="county_advisor",
            user__employer_side="state",
            county__in=_active_scopes(user, "county_director", "county"),
        )
    if municipal:
        allowed |= Q(
            role="office_staff", user__employer_side="municipal", office__in=executive_offices
        )
        allowed |= Q(role="office_leader", office__in=executive_offices)
        allowed |= Q(
            role="municipal_advisor",
            user__employer_side="municipal",
            municipality__in=_active_scopes(user, "municipal_executive", "municipality"),
        )
    if RoleAssignment.objects.active().filter(user=user, role="national_admin").exists():
        allowed |= Q(role__in=["county_director", "municipal_executive", "national_admin"])
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


def delegation_authority_offices(user, side: str) -> QuerySet:
    """Ids of the offices whose ``side`` data the user may delegate (rule 6).

    Municipal data: the municipal executive (municipal-employed) of a municipality the office
    serves. State data: the county director (state-employed) of the office's county.
    """
    from offices.models import Office
    from users.models import EmployerSide

    if side == Side.MUNICIPAL and user.employer_side == EmployerSide.MUNICIPAL:
        return offices_reached(user, roles=["municipal_executive"])
    if side == Side.STATE and user.employer_side == EmployerSide.STATE:
        return offices_reached(user, roles=["county_director"])
    return Office.objects.none().values("pk")
