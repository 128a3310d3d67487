"""Rules 1–4 and 6 of the access model, written into django-guardian's office permissions.

Each role assignment and each delegation grants a set of per-side permissions on offices
(``view_state_data``, ``change_municipal_data``, …). ``permissions_sync(user=...)`` writes them
as ``OfficeUserObjectPermission`` rows, dated like their source, so that:

* a permission starts and ends exactly when its role or delegation does (``users/access/``
  reads only rows valid *now*), with no batch run in between;
* a change of role, delegation, employer or office membership is written in the same
  transaction as the change (the receivers in ``users/signals.py`` call the sync), so the
  user's very next request sees it;
* the access review can say, per person and permission, on what basis they hold it.

A sync locks the person's user row first, so two syncs of one person never interleave.
Changes that bypass the receivers (``QuerySet.update()``) are repaired by
``permissions_resync`` (the ``permissions_resync`` command, and hourly by Celery beat), which
audits what it corrected. Django's permission API and guardian read the same rows, in force
only (``users/access/backends.py``).

Permissions are per office, never per record: a few hundred offices, not a million
measurements.

The rules, for an office O in county C serving municipalities M:

(S = state-employed, K = municipal-employed; v = view, c = change)

| role | reaches | joint | state | municipal |
| --- | --- | --- | --- | --- |
| office leader at O | O | v c | v c | v c |
| office staff at O | O | v | v c if S | v c if K |
| municipal executive at m | offices serving m | v c | – | v c if K |
| municipal advisor at m | offices serving m | v | – | v c if K |
| county director of C | offices in C | v c | v c if S | – |
| county advisor of C | offices in C | v | v c if S | – |
| national admin | – | – | – | – |
| statistics system | – | – | – | – (delivers measurements only) |
| delegation (O, side, level) | O | – | its level, if state | its level, if municipal |
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from navpartner.sidedata import Side
from offices.models import Office, OfficeMunicipality
from users.access.audit import audit_record
from users.models import (
    AuditAction,
    Delegation,
    DelegationLevel,
    EmployerSide,
    OfficeUserObjectPermission,
    PermissionBasis,
    Role,
    RoleAssignment,
    User,
)

VIEW, CHANGE = "view", "change"


def codename(action: str, side: str) -> str:
    return f"{action}_{side}_data"


ALL_CODENAMES = [codename(a, s) for a in (VIEW, CHANGE) for s in Side.values]


@dataclass(frozen=True)
class Grant:
    """One permission on one office from one source, valid in ``[valid_from, valid_to)``."""

    office_id: int
    codename: str
    basis: str
    valid_from: datetime.datetime
    valid_to: datetime.datetime | None
    role_assignment_id: int | None = None
    delegation_id: int | None = None


def _side_actions(assignment: RoleAssignment, employer_side: str) -> dict[str, tuple[str, ...]]:
    """Which actions the role gives on which side, wherever it reaches."""
    role = assignment.role
    if role in (Role.STATISTICS_CLIENT, Role.NATIONAL_ADMIN):
        # A statistics system delivers measurements (users.access.delivery_offices) and sees
        # nothing; the directorate keeps national lists, not offices' data.
        return {}
    if role == Role.OFFICE_LEADER:
        return dict.fromkeys(Side.values, (VIEW, CHANGE))
    sides: dict[str, tuple[str, ...]] = {Side.JOINT: (VIEW,)}
    if role in (Role.MUNICIPAL_EXECUTIVE, Role.COUNTY_DIRECTOR):
        sides[Side.JOINT] = (VIEW, CHANGE)
    own = {
        Role.OFFICE_STAFF: employer_side,
        Role.MUNICIPAL_EXECUTIVE: EmployerSide.MUNICIPAL,
        Role.MUNICIPAL_ADVISOR: EmployerSide.MUNICIPAL,
        Role.COUNTY_DIRECTOR: EmployerSide.STATE,
        Role.COUNTY_ADVISOR: EmployerSide.STATE,
    }.get(role)
    # A side's own data needs both the role and employment on that side (rules 2 and 3).
    if own and own == employer_side:
        sides[own] = (VIEW, CHANGE)
    return sides


def _local_midnight(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _intersect(start_a, end_a, start_b, end_b):
    start = max(start_a, start_b)
    ends = [end for end in (end_a, end_b) if end is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or start < end else None


def _reach(
    assignment: RoleAssignment,
) -> Iterator[tuple[int, datetime.datetime, datetime.datetime | None]]:
    """The offices a role reaches, each with the period it reaches them."""
    start, end = assignment.valid_from, assignment.valid_to
    if assignment.office_id:
        yield assignment.office_id, start, end
    elif assignment.county_id:
        for office_id in Office.objects.filter(county_id=assignment.county_id).values_list(
            "pk", flat=True
        ):
            yield office_id, start, end
    elif assignment.municipality_id:
        # Dated: a municipality's executive reaches an office only while the office serves it.
        for membership in OfficeMunicipality.objects.filter(
            municipality_id=assignment.municipality_id
        ):
            period = _intersect(
                start,
                end,
                _local_midnight(membership.valid_from),
                _local_midnight(
                    membership.valid_to + datetime.timedelta(days=1)
                    if membership.valid_to
                    else None
                ),
            )
            if period:
                yield membership.office_id, *period


def grants_for_role(assignment: RoleAssignment, employer_side: str) -> Iterator[Grant]:
    basis = (
        PermissionBasis.OFFICE_LEADER
        if assignment.role == Role.OFFICE_LEADER
        else PermissionBasis.ROLE
    )
    sides = _side_actions(assignment, employer_side)
    for office_id, start, end in _reach(assignment):
        for side, actions in sides.items():
            for action in actions:
                yield Grant(office_id, codename(action, side), basis, start, end, assignment.pk)


def grants_for_delegation(delegation: Delegation) -> Iterator[Grant]:
    actions = (VIEW, CHANGE) if delegation.level == DelegationLevel.CHANGE else (VIEW,)
    for action in actions:
        yield Grant(
            delegation.office_id,
            codename(action, delegation.side),
            PermissionBasis.DELEGATION,
            delegation.valid_from,
            delegation.ends_at,
            delegation_id=delegation.pk,
        )


def desired_grants(user: User, *, now: datetime.datetime) -> set[Grant]:
    """Every grant of the user's current and coming roles and delegations."""
    if not user.is_active:
        return set()
    not_ended = Q(valid_to__isnull=True) | Q(valid_to__gt=now)
    grants: set[Grant] = set()
    for assignment in RoleAssignment.objects.approved().filter(not_ended, user=user):
        grants.update(grants_for_role(assignment, user.employer_side))
    for delegation in Delegation.objects.filter(
        grantee=user, valid_to__gt=now, revoked_at__isnull=True
    ):
        grants.update(grants_for_delegation(delegation))
    return grants


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(
            content_type__app_label="offices", codename__in=ALL_CODENAMES
        ).values_list("codename", "pk")
    )


@dataclass(frozen=True)
class SyncResult:
    """What ``permissions_sync`` changed: the grants it wrote and the grants it removed."""

    added: frozenset[Grant] = frozenset()
    removed: frozenset[Grant] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def _grant_of(row: OfficeUserObjectPermission, codenames: dict[int, str]) -> Grant:
    return Grant(
        row.content_object_id,
        codenames.get(row.permission_id, ""),
        row.basis,
        row.valid_from,
        row.valid_to,
        row.role_assignment_id,
        row.delegation_id,
    )


@transaction.atomic
def permissions_sync(*, user: User) -> SyncResult:
    """Make the user's office permissions exactly those their roles and delegations give.

    The user's row is locked first, so two syncs of one person (a grant and a revocation at
    the same moment) run one after the other instead of each writing from its own snapshot:
    under READ COMMITTED every later statement of the second sees what the first committed.
    The lock is FOR NO KEY UPDATE: the change that triggered the sync has usually just inserted
    a row pointing at the user (a delegation, an audit event), which holds FOR KEY SHARE on it;
    a plain FOR UPDATE would wait for the other transaction's KEY SHARE while it waits for ours.
    Whether the person is active and on which side they work are read again under the lock.
    """
    locked = (
        User.objects.select_for_update(no_key=True)
        .filter(pk=user.pk)
        .values("is_active", "employer_side")
        .first()
    )
    if locked is None:  # deleted in the meantime: its rows went with it (on delete cascade)
        return SyncResult()
    user = User(pk=user.pk, **locked)  # the caller's instance is left as it was
    now = timezone.now()
    permission_ids = _permission_ids()
    codenames = {pk: name for name, pk in permission_ids.items()}
    wanted = desired_grants(user, now=now)
    # Every row, past and future alike: the default manager shows only those in force.
    existing = {
        _grant_of(row, codenames): row.pk
        for row in OfficeUserObjectPermission.all_rows.filter(user=user)
    }
    stale = {grant: pk for grant, pk in existing.items() if grant not in wanted}
    OfficeUserObjectPermission.all_rows.filter(pk__in=stale.values()).delete()
    added = frozenset(grant for grant in wanted if grant not in existing)
    OfficeUserObjectPermission.all_rows.bulk_create(
        OfficeUserObjectPermission(
            user=user,
            permission_id=permission_ids[grant.codename],
            content_object_id=grant.office_id,
            basis=grant.basis,
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
            role_assignment_id=grant.role_assignment_id,
            delegation_id=grant.delegation_id,
            action=grant.codename.split("_", 1)[0],
            side=grant.codename.split("_", 2)[1],
        )
        for grant in added
    )
    return SyncResult(added=added, removed=frozenset(stale))


@dataclass
class ResyncSummary:
    """What ``permissions_resync`` did: people looked at, people whose access it corrected."""

    users: int = 0
    corrected: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    pruned: int = 0


def _row_details(grants: Iterable[Grant], office_codes: dict[int, str]) -> list[dict]:
    return [
        {
            "office": office_codes.get(grant.office_id, str(grant.office_id)),
            "permission": grant.codename,
            "basis": grant.basis,
            "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat() if grant.valid_to else None,
        }
        for grant in sorted(grants, key=lambda g: (g.office_id, g.codename, g.valid_from))
    ]


def permissions_resync() -> ResyncSummary:
    """Rebuild every person's office permissions from their roles and delegations.

    The receivers keep the rows in step with every change made through models; a change that
    bypasses them (``QuerySet.update()`` of a membership's end, an office's county, a person's
    employer) leaves rows that give too much or too little until this runs. Each person is
    synced in a transaction of their own, with one ``permissions_resynced`` audit event naming
    the rows added and removed when their access changed. Removing rows whose period is already
    over changes no access, so it is counted (``pruned``) but not audited. A second run finds
    nothing to do.
    """
    summary = ResyncSummary()
    people = User.objects.filter(
        Q(is_active=True) | Q(pk__in=OfficeUserObjectPermission.all_rows.values("user"))
    ).order_by("pk")
    for user in people.iterator():
        summary.users += 1
        with transaction.atomic():
            result = permissions_sync(user=user)
            now = timezone.now()
            removed = {g for g in result.removed if g.valid_to is None or g.valid_to > now}
            summary.pruned += len(result.removed) - len(removed)
            if not (result.added or removed):
                continue
            office_codes = dict(
                Office.objects.filter(
                    pk__in={grant.office_id for grant in result.added | removed}
                ).values_list("pk", "code")
            )
            audit_record(
                actor=None,
                action=AuditAction.PERMISSIONS_RESYNCED,
                target=user,
                details={
                    "user": user.username,
                    "added": _row_details(result.added, office_codes),
                    "removed": _row_details(removed, office_codes),
                },
            )
            summary.corrected.append(user.username)
            summary.added += len(result.added)
            summary.removed += len(removed)
    return summary


def permissions_sync_users(users: Iterable[User]) -> None:
    for user in users:
        permissions_sync(user=user)


def users_reaching_municipality(municipality_id: int) -> Iterable[User]:
    """Users whose roles reach offices through this municipality (its executives, advisors)."""
    return User.objects.filter(role_assignments__municipality_id=municipality_id).distinct()


def users_reaching_county(county_id: int) -> Iterable[User]:
    return User.objects.filter(role_assignments__county_id=county_id).distinct()
