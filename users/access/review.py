"""The access review (rule 10 of DESIGN.md): who can see or change each side's data of an office
now, on what basis, and how much of it crosses the line between the two employers.

What the 2011 audit had to count by hand ("12 state employees with access to municipal data at
Heimdal") is read here from the one source the access policy itself reads: the office
permissions in force now (``OfficeUserObjectPermission``, derived by ``users/access/permissions.py``
and enforced by ``users/access/``). So the review shows exactly what is enforced, including
a delegation granted or revoked a second ago.

* **Cross-line access** is access to one side's data (state or municipal) held by a person whose
  employer side is another: in practice a state employee with municipal access, or a municipal
  employee with state access. Joint data has no line to cross. It is counted per basis, each
  person once: the office leader, whose reach into both sides comes with the joint
  appointment, and *staff through a delegation* (delegasjonsvedtak) — everyone else who
  crosses the line, never the leader, even one who also holds a delegation. The latter is the
  2011 audit's figure (state staff with access to the municipal case system, per office).
* **Who may review an office**: its leader, the municipal executive of a municipality it
  serves, and its county director — the roles of ``users.access.REVIEWER_ROLES``, through
  ``users.access.offices_reached``. For anyone else an office's review does not exist (404).
* **Queries** are bounded: a review is one query for the office and one for the values of its
  permission rows (tuples, not model instances: 400 people are some 1,200 rows); the overview
  one for the offices and one aggregate for their counts, whatever the number of people or
  offices.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from navpartner.sidedata import Side
from offices.models import County, Municipality, Office
from offices.selectors import offices_serving
from users.access import (
    get_reviewable_office_or_404,
    offices_reviewable,
    permission_rows_in_force,
)
from users.models import (
    DelegationLevel,
    EmployerSide,
    OfficeUserObjectPermission,
    PermissionBasis,
    Role,
)

VIEW, CHANGE = DelegationLevel.VIEW, DelegationLevel.CHANGE
# The sides in the order the review shows them; the line can be crossed only into the first two.
SIDES = (Side.STATE, Side.MUNICIPAL, Side.JOINT)
LINE_SIDES = (Side.STATE, Side.MUNICIPAL)
SIDE_HEADINGS = {
    Side.STATE: _("State data"),
    Side.MUNICIPAL: _("Municipal data"),
    Side.JOINT: _("Joint data"),
}
BASIS_ORDER = {
    PermissionBasis.ROLE: 0,
    PermissionBasis.OFFICE_LEADER: 1,
    PermissionBasis.DELEGATION: 2,
}
CODENAMES = {f"{level}_{side}_data": (side, level) for side in SIDES for level in (VIEW, CHANGE)}
# A row's side and action columns, as the members above (the review hands out the members).
SIDE_OF = {str(side): side for side in SIDES}
LEVEL_OF = {str(level): level for level in (VIEW, CHANGE)}


# --- Who may review ------------------------------------------------------------------------------


# The rule lives in the access module; these names keep the review's callers short.
reviewable_offices = offices_reviewable


def reviewable_office_get(*, user, code: str) -> Office:
    return get_reviewable_office_or_404(user, code)


# --- One office ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """One source of a person's access to one side: a role (with its scope) or a delegation."""

    kind: str  # a PermissionBasis value
    level: str  # view or change
    role: str = ""  # a Role value, for the bases role and office_leader
    scope: str = ""  # where the role holds: the office, municipality or county
    delegation_id: int | None = None
    delegation_basis: str = ""  # the decision the delegation rests on
    granted_by: str = ""
    ends_at: datetime.datetime | None = None  # a delegation's end; a role's, if it has one

    @property
    def kind_label(self) -> str:
        return str(PermissionBasis(self.kind).label)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""

    @property
    def level_label(self) -> str:
        return str(DelegationLevel(self.level).label)

    @property
    def is_delegation(self) -> bool:
        return self.kind == PermissionBasis.DELEGATION

    def __str__(self) -> str:
        """One line for pages and exports: "Delegation (view): <basis>, granted by <name>"."""
        values = {
            "level": self.level_label.lower(),
            "basis": self.delegation_basis,
            "grantor": self.granted_by,
            "role": self.role_label,
            "scope": self.scope,
        }
        if self.is_delegation:
            return gettext("Delegation (%(level)s): %(basis)s, granted by %(grantor)s") % values
        if self.kind == PermissionBasis.OFFICE_LEADER:
            return gettext("Office leader (%(level)s), %(scope)s") % values
        return gettext("Employer and role (%(level)s): %(role)s, %(scope)s") % values


@dataclass(frozen=True)
class Person:
    user_id: int
    username: str
    name: str
    employer_side: str  # state, municipal, or "" for a technical operator
    employer: str  # the employing county or municipality, by name
    # Lists are ordered by last name, then first name, as staff lists are in Norway.
    sort_key: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def employer_side_label(self) -> str:
        if not self.employer_side:
            return str(_("No employer (technical operator)"))
        return str(EmployerSide(self.employer_side).label)


@dataclass(frozen=True)
class SideAccess:
    """What one person may do with one side's data of the office, and on what bases."""

    person: Person
    side: str
    level: str  # change if any basis gives change, else view
    bases: tuple[Basis, ...]

    @property
    def cross_line(self) -> bool:
        return self.side in LINE_SIDES and self.person.employer_side != self.side

    @property
    def level_label(self) -> str:
        return str(DelegationLevel(self.level).label)

    def has_basis(self, kind: str) -> bool:
        return any(basis.kind == kind for basis in self.bases)

    @property
    def cross_line_through_delegation(self) -> bool:
        """Cross-line access that only a delegation gives: not the office leader's."""
        return (
            self.cross_line
            and self.has_basis(PermissionBasis.DELEGATION)
            and not self.has_basis(PermissionBasis.OFFICE_LEADER)
        )

    @property
    def delegations(self) -> tuple[Basis, ...]:
        return tuple(basis for basis in self.bases if basis.is_delegation)

    @property
    def ending(self) -> tuple[Basis, ...]:
        """The bases that end at a known time: delegations, and roles with an end."""
        return tuple(basis for basis in self.bases if basis.ends_at is not None)


@dataclass(frozen=True)
class SideReview:
    """Everyone with access to one side of the office, and the counts of the summary."""

    side: str
    entries: tuple[SideAccess, ...]

    @property
    def label(self) -> str:
        return str(Side(self.side).label)

    @property
    def heading(self) -> str:
        return str(SIDE_HEADINGS[self.side])

    @property
    def people(self) -> int:
        return len(self.entries)

    @property
    def change(self) -> int:
        return sum(1 for entry in self.entries if entry.level == CHANGE)

    @property
    def cross_line(self) -> int:
        return sum(1 for entry in self.entries if entry.cross_line)

    @property
    def cross_line_office_leader(self) -> int:
        return sum(
            1
            for entry in self.entries
            if entry.cross_line and entry.has_basis(PermissionBasis.OFFICE_LEADER)
        )

    @property
    def cross_line_delegation(self) -> int:
        """Staff who reach this side across the line through a delegation: the 2011 audit's
        figure. The office leader is counted as leader only, even when she also holds a
        delegation, since her reach into both sides comes with the joint appointment."""
        return sum(1 for entry in self.entries if entry.cross_line_through_delegation)

    @property
    def crosses_line(self) -> bool:
        """Whether access to this side can cross the line at all (not for joint data)."""
        return self.side in LINE_SIDES


@dataclass(frozen=True)
class OfficeReview:
    office: Office
    at: datetime.datetime
    sides: tuple[SideReview, ...]
    people: tuple[Person, ...] = field(default=())

    def side(self, side: str) -> SideReview:
        return next(review for review in self.sides if review.side == side)

    @property
    def cross_line(self) -> int:
        """People with cross-line access to either side (a person counted once)."""
        return len(
            {
                entry.person.user_id
                for review in self.sides
                for entry in review.entries
                if entry.cross_line
            }
        )


def _rows_in_force(at: datetime.datetime) -> QuerySet[OfficeUserObjectPermission]:
    """The per-side office permissions in force at ``at``, of users who can sign in.

    The same rows ``users.access`` enforces (``valid_from <= at < valid_to``, open end allowed);
    an inactive account gets nothing from them (``users.access.is_signed_in``), so it is left out.
    """
    return permission_rows_in_force(at).filter(
        user__is_active=True,
        permission__content_type__app_label="offices",
        permission__codename__in=list(CODENAMES),
    )


# What the review reads of each permission row: plain values, no model instances. A page of
# 400 people is some 1,200 rows, and building a user, a role assignment, its scope, a
# delegation and its grantor for each of them was most of the page's time.
ROW_FIELDS = (
    "user",
    "side",
    "action",
    "basis",
    "role_assignment",
    "delegation",
)
PERSON_FIELDS = (
    "user__username",
    "user__first_name",
    "user__last_name",
    "user__employer_side",
    "user__employer_municipality__name",
    "user__employer_county__name",
)
ROLE_FIELDS = (
    "role_assignment__role",
    "role_assignment__valid_to",
    "role_assignment__office__name",
    "role_assignment__municipality__number",
    "role_assignment__municipality__name",
    "role_assignment__county__name",
)
DELEGATION_FIELDS = (
    "delegation__basis",
    "delegation__valid_to",
    "delegation__revoked_at",
    "delegation__grantor__username",
    "delegation__grantor__first_name",
    "delegation__grantor__last_name",
)


def _full_name(username: str, first_name: str, last_name: str) -> str:
    """``User.__str__`` without a user: the full name, or else the username."""
    return f"{first_name} {last_name}".strip() or username


def _person(user_id: int, values: tuple) -> Person:
    username, first_name, last_name, employer_side, municipality, county = values
    return Person(
        user_id=user_id,
        username=username,
        name=_full_name(username, first_name, last_name),
        employer_side=employer_side,
        # ``User.employer``: the employing municipality, else the county.
        employer=municipality if municipality is not None else county or "",
        sort_key=(last_name.casefold(), first_name.casefold(), username),
    )


def _scope(office: str | None, municipality_number, municipality: str | None, county) -> str:
    """``str(RoleAssignment.scope)`` from the names: office, municipality, county or national."""
    if office is not None:
        return office
    if municipality is not None:
        return f"{municipality_number} {municipality}"
    if county is not None:
        return county
    return str(_("national"))


def _role_basis(kind: str, level: str, values: tuple) -> Basis:
    role, valid_to, office, municipality_number, municipality, county = values
    return Basis(
        kind=kind,
        level=level,
        role=role,
        scope=_scope(office, municipality_number, municipality, county),
        ends_at=valid_to,
    )


def _delegation_basis(delegation_id: int, level: str, values: tuple) -> Basis:
    basis, valid_to, revoked_at, grantor, first_name, last_name = values
    # ``Delegation.ends_at``: its end, or its revocation if that came first.
    ends_at = revoked_at if revoked_at and revoked_at < valid_to else valid_to
    return Basis(
        kind=PermissionBasis.DELEGATION,
        level=level,
        delegation_id=delegation_id,
        delegation_basis=basis,
        granted_by=_full_name(grantor, first_name, last_name),
        ends_at=ends_at,
    )


def _sort_key(person: Person) -> tuple[str, ...]:
    return person.sort_key


def _basis_order(basis: Basis) -> tuple:
    return (BASIS_ORDER[basis.kind], basis.role, basis.delegation_id or 0)


def access_review(
    *, user, office: Office | str, at: datetime.datetime | None = None
) -> OfficeReview:
    """Everyone who can view or change each side's data of ``office`` now, and on what basis.

    ``office`` is an office or its code. Raises ``Http404`` when the office is unknown or
    ``user`` may not review it (see ``reviewable_offices``). Two queries, whatever the size:
    the office, and the values of its permission rows (no model instance per row).
    """
    code = office.code if isinstance(office, Office) else office
    office = reviewable_office_get(user=user, code=code)
    at = at or timezone.now()
    rows = (
        _rows_in_force(at)
        .filter(content_object=office)
        .order_by("pk")
        .values_list(*ROW_FIELDS, *PERSON_FIELDS, *ROLE_FIELDS, *DELEGATION_FIELDS)
    )
    people_at = len(ROW_FIELDS)
    roles_at = people_at + len(PERSON_FIELDS)
    delegations_at = roles_at + len(ROLE_FIELDS)
    people: dict[int, Person] = {}
    # (user, side) -> source -> (level, row); a source is one role assignment or one delegation.
    sources: dict[tuple[int, str], dict[tuple, tuple[str, tuple]]] = {}
    for row in rows:
        user_id, side, level, _kind, role_assignment_id, delegation_id = row[:people_at]
        side, level = SIDE_OF[side], LEVEL_OF[level]
        if user_id not in people:
            people[user_id] = _person(user_id, row[people_at:roles_at])
        source = ("delegation", delegation_id) if delegation_id else ("role", role_assignment_id)
        held = sources.setdefault((user_id, side), {})
        if source not in held or level == CHANGE:
            held[source] = (level, row)
    entries: dict[str, list[SideAccess]] = {side: [] for side in SIDES}
    for (user_id, side), held in sources.items():
        bases = []
        for level, row in held.values():
            _user_id, _side, _level, kind, _role_assignment_id, delegation_id = row[:people_at]
            if delegation_id:
                bases.append(_delegation_basis(delegation_id, level, row[delegations_at:]))
            else:
                bases.append(_role_basis(kind, level, row[roles_at:delegations_at]))
        bases.sort(key=_basis_order)
        level = CHANGE if any(basis.level == CHANGE for basis in bases) else VIEW
        entries[side].append(SideAccess(people[user_id], side, level, tuple(bases)))
    return OfficeReview(
        office=office,
        at=at,
        sides=tuple(
            SideReview(side, tuple(sorted(entries[side], key=lambda e: _sort_key(e.person))))
            for side in SIDES
        ),
        people=tuple(sorted(people.values(), key=_sort_key)),
    )


# --- The offices in reach ------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeCounts:
    """The counts of one office's review, for the overview (people are counted once per office)."""

    office: Office | None  # None for the totals row
    state: int = 0  # people with access to state data
    municipal: int = 0
    joint: int = 0
    state_cross_line: int = 0  # people not state-employed with state access (municipal employees)
    state_cross_line_delegation: int = 0  # of which through a delegation
    municipal_cross_line: int = 0  # people not municipally employed with municipal access
    municipal_cross_line_delegation: int = 0

    @property
    def cross_line(self) -> int:
        return self.state_cross_line + self.municipal_cross_line


COUNT_FIELDS = (
    "state",
    "municipal",
    "joint",
    "state_cross_line",
    "state_cross_line_delegation",
    "municipal_cross_line",
    "municipal_cross_line_delegation",
)


@dataclass(frozen=True)
class AccessOverview:
    rows: tuple[OfficeCounts, ...]
    at: datetime.datetime

    @property
    def totals(self) -> OfficeCounts:
        """Sums over the offices: a person with access to two offices counts twice."""
        return OfficeCounts(
            None, **{name: sum(getattr(row, name) for row in self.rows) for name in COUNT_FIELDS}
        )


def _counts_by_office(office_ids: list[int], at: datetime.datetime) -> dict[int, dict[str, int]]:
    """One aggregate query: the overview's counts for each of the offices.

    Counted as ``SideReview`` counts them: people once per office and side; through a
    delegation only those who are not also the office's leader (a semi-join on the rows'
    lookup index, only for the rows of cross-line delegations).
    """
    as_leader = Exists(
        permission_rows_in_force(at).filter(
            user=OuterRef("user"),
            content_object=OuterRef("content_object"),
            side=OuterRef("side"),
            basis=PermissionBasis.OFFICE_LEADER,
        )
    )
    annotations = {}
    for side in SIDES:
        has_side = Q(side=side)
        annotations[side] = Count("user", distinct=True, filter=has_side)
        if side in LINE_SIDES:
            crossing = has_side & ~Q(user__employer_side=side)
            annotations[f"{side}_cross_line"] = Count("user", distinct=True, filter=crossing)
            annotations[f"{side}_cross_line_delegation"] = Count(
                "user",
                distinct=True,
                filter=crossing & Q(basis=PermissionBasis.DELEGATION) & ~as_leader,
            )
    rows = (
        _rows_in_force(at)
        .filter(content_object__in=office_ids)
        .values("content_object")
        .order_by("content_object")
        .annotate(**annotations)
    )
    return {row.pop("content_object"): row for row in rows}


def access_overview(
    *,
    user,
    county: County | None = None,
    municipality: Municipality | None = None,
    at: datetime.datetime | None = None,
) -> AccessOverview:
    """Per office ``user`` may review (optionally of a county, or serving a municipality): how
    many people can see each side's data, and how many of them across the line. Two queries."""
    at = at or timezone.now()
    offices = reviewable_offices(user).select_related("county")
    if county is not None:
        offices = offices.filter(county=county)
    if municipality is not None:
        offices = offices_serving(offices, municipality)
    offices = list(offices.order_by("name", "code"))
    counts = _counts_by_office([office.pk for office in offices], at) if offices else {}
    return AccessOverview(
        rows=tuple(OfficeCounts(office, **counts.get(office.pk, {})) for office in offices),
        at=at,
    )
