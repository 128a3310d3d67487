"""Who sets definitions at which level: the scorecard's indicators and targets (rule 4).

Indicators and targets are read by everyone signed in — the målekort is compared across offices
("offices see each other's cards", BRIEF.md) — and set by the owning side's authority at its
level, never by an office (an office cannot add its own indicators):

| level | state rows | municipal rows |
| --- | --- | --- |
| national | national administrator | national administrator |
| county C | county director / advisor of C (state-employed) | – |
| municipality M | – | municipal executive / advisor of M (municipal-employed) |
| office O | director / advisor of O's county | executive / advisor of a municipality O serves |

Models declare ``visibility = SetAtLevel(...)`` (``navpartner/querysets.py``); the policy below
reads the declaration.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from navpartner.querysets import SetAtLevel
from navpartner.sidedata import Side

NATIONAL, COUNTY, MUNICIPALITY, OFFICE = "national", "county", "municipality", "office"


@dataclass(frozen=True)
class LevelAuthority:
    """The levels a user sets definitions at, read once (ids)."""

    national: bool = False
    counties: frozenset[int] = field(default_factory=frozenset)
    municipalities: frozenset[int] = field(default_factory=frozenset)
    state_offices: frozenset[int] = field(default_factory=frozenset)
    municipal_offices: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.national or self.counties or self.municipalities)

    def sets(self, level: str, side: str, *, county=None, municipality=None, office=None) -> bool:
        """Whether a row at ``level`` of ``side`` for this unit is the user's to set (no query)."""
        if level == NATIONAL:
            return self.national
        if level == COUNTY:
            return side == Side.STATE and _id(county) in self.counties
        if level == MUNICIPALITY:
            return side == Side.MUNICIPAL and _id(municipality) in self.municipalities
        if level == OFFICE:
            offices = self.state_offices if side == Side.STATE else self.municipal_offices
            return side in (Side.STATE, Side.MUNICIPAL) and _id(office) in offices
        return False


def _id(unit):
    return getattr(unit, "pk", unit)


def level_authority(user) -> LevelAuthority:
    """What ``user`` may set (three small queries; none for someone without such a role)."""
    from offices.models import Office
    from users.access import is_signed_in, offices_reached
    from users.models import EmployerSide, Role, RoleAssignment

    if not is_signed_in(user):
        return LevelAuthority()
    roles = list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .values_list("role", "county", "municipality")
    )
    national = any(role == Role.NATIONAL_ADMIN for role, _c, _m in roles)
    counties = frozenset()
    municipalities = frozenset()
    state_offices = frozenset()
    municipal_offices = frozenset()
    if user.employer_side == EmployerSide.STATE:
        county_roles = (Role.COUNTY_DIRECTOR, Role.COUNTY_ADVISOR)
        counties = frozenset(c for role, c, _m in roles if role in county_roles and c)
        if counties:
            state_offices = frozenset(
                Office.objects.filter(county__in=counties).values_list("pk", flat=True)
            )
    if user.employer_side == EmployerSide.MUNICIPAL:
        municipal_roles = (Role.MUNICIPAL_EXECUTIVE, Role.MUNICIPAL_ADVISOR)
        municipalities = frozenset(m for role, _c, m in roles if role in municipal_roles and m)
        if municipalities:
            municipal_offices = frozenset(
                offices_reached(user, roles=municipal_roles).values_list("pk", flat=True)
            )
    return LevelAuthority(national, counties, municipalities, state_offices, municipal_offices)


def level_condition(authority: LevelAuthority, declared: SetAtLevel) -> Q:
    """The rows ``authority`` may set, as a filter on a model declaring ``declared``."""
    level, side = declared.level, declared.side
    allowed = Q(pk__in=[])
    if authority.national:
        allowed |= Q(**{level: NATIONAL})
    if declared.county and authority.counties:
        allowed |= Q(
            **{level: COUNTY, side: Side.STATE, f"{declared.county}__in": authority.counties}
        )
    if declared.municipality and authority.municipalities:
        allowed |= Q(
            **{
                level: MUNICIPALITY,
                side: Side.MUNICIPAL,
                f"{declared.municipality}__in": authority.municipalities,
            }
        )
    if declared.office:
        for office_side, offices in (
            (Side.STATE, authority.state_offices),
            (Side.MUNICIPAL, authority.municipal_offices),
        ):
            if offices:
                allowed |= Q(
                    **{level: OFFICE, side: office_side, f"{declared.office}__in": offices}
                )
    return allowed


def set_at_level(queryset: QuerySet, user, action: str, declared: SetAtLevel) -> QuerySet:
    """Everyone signed in reads; changes by the level's authority (the table above)."""
    if action == "view":
        return queryset
    return queryset.filter(level_condition(level_authority(user), declared))
