"""Rule 5: who the parties to a joint decision are, and whether a person acts for one.

An office is run by the state and the municipalities it serves. A decision that binds both —
appointing the office leader, bringing a partnership agreement into force — needs each party:

* the state: the county director of the county the offices are in;
* the municipality: the host municipality's executive (rådmann / kommunedirektør), or, for an
  office without a host, the executive of every municipality it serves.

For several offices (one agreement for the four Trondheim offices) the parties are those of
each office, once each. This is the one statement of the rule: the leader's appointment
(``users/services.py``) and the agreements (``agreements/services.py``) both ask here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import County, Municipality, Office, OfficeMunicipality
from users.models import EmployerSide, Role, RoleAssignment, User


@dataclass(frozen=True)
class Party:
    """One party whose approval a joint decision needs."""

    side: str  # EmployerSide: state or municipal
    county: County | None = None  # the state's party: the county director of this county
    municipality: Municipality | None = None  # a municipal party: this municipality's executive

    @property
    def key(self) -> tuple[str, int | None]:
        """(side, municipality id): how an approval row names the party it was given for."""
        return (self.side, self.municipality.pk if self.municipality else None)

    @property
    def role(self) -> str:
        return Role.COUNTY_DIRECTOR if self.side == EmployerSide.STATE else Role.MUNICIPAL_EXECUTIVE

    def __str__(self) -> str:
        if self.side == EmployerSide.STATE:
            return _("County director, %(county)s") % {"county": self.county.name}
        return _("Municipal executive, %(municipality)s") % {"municipality": self.municipality.name}


def required_parties(offices: Iterable[Office], *, on: datetime.date | None = None) -> list[Party]:
    """The parties of a joint decision for ``offices``: the state's first, then municipalities
    by name. Membership is read as of ``on`` (default today)."""
    offices = list(offices)
    on = on or timezone.localdate()
    memberships = (
        OfficeMunicipality.objects.valid_on(on)
        .filter(office__in=offices)
        .select_related("municipality")
    )
    served: dict[int, list[OfficeMunicipality]] = {}
    for membership in memberships:
        served.setdefault(membership.office_id, []).append(membership)
    municipalities: dict[int, Municipality] = {}
    for office in offices:
        rows = served.get(office.pk, [])
        hosts = [row for row in rows if row.is_host]
        for row in hosts or rows:
            municipalities[row.municipality_id] = row.municipality
    counties = {office.county_id: office for office in offices}
    county_rows = County.objects.in_bulk(list(counties))
    state = [Party(EmployerSide.STATE, county=county_rows[pk]) for pk in sorted(counties)]
    municipal = [
        Party(EmployerSide.MUNICIPAL, municipality=municipality)
        for municipality in sorted(municipalities.values(), key=lambda m: m.name)
    ]
    return state + municipal


def acts_for(user: User, party: Party, *, at: datetime.datetime | None = None) -> bool:
    """Whether ``user`` may give ``party``'s approval now: employed on its side and holding its
    role (county director of its county, executive of its municipality) in force."""
    if not user.is_active or user.employer_side != party.side:
        return False
    roles = RoleAssignment.objects.active(at).filter(user=user, role=party.role)
    if party.side == EmployerSide.STATE:
        return roles.filter(county=party.county).exists()
    return roles.filter(municipality=party.municipality).exists()


def parties_pending(
    required: Iterable[Party], given: Iterable[tuple[str, int | None]]
) -> list[Party]:
    """The required parties whose approval (by ``Party.key``) is not among ``given``."""
    given = set(given)
    return [party for party in required if party.key not in given]
