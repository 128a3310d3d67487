"""Which target (målkrav) applies to an office's indicator in a month: the most specific one.

Specificity, most specific first: the office's own target; its municipality's (the host
municipality's where it serves several, else the one with the lowest number); its county's; the
national one. Within a level a target for the month beats one for the whole year. A target set
for a unit the indicator does not cover never applies (a county target of another county).

``TargetResolver`` answers for many offices, indicators and months from two queries — the
targets of the years asked for, and the offices' municipalities — so a dashboard or a review
page costs the same whatever its size.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from offices.models import Office, OfficeMunicipality
from scorecards.models import Level, Target
from scorecards.periods import month_end


@dataclass(frozen=True)
class AppliedTarget:
    value: Decimal
    tolerance: Decimal
    level: str
    target_id: int
    unit_name: str = ""


class TargetResolver:
    def __init__(self, offices: Iterable[Office], indicators: Iterable, periods: Iterable):
        offices = list(offices)
        self.offices = {office.pk: office for office in offices}
        indicator_ids = {getattr(indicator, "pk", indicator) for indicator in indicators}
        years = {period.year for period in periods}
        self._by_key: dict[tuple, Target] = {}
        if not (offices and indicator_ids and years):
            self._memberships = {}
            return
        office_ids = list(self.offices)
        county_ids = {office.county_id for office in offices}
        memberships = OfficeMunicipality.objects.filter(office__in=office_ids).order_by(
            "-is_host", "municipality__number"
        )
        self._memberships: dict[int, list[OfficeMunicipality]] = {}
        for membership in memberships:
            self._memberships.setdefault(membership.office_id, []).append(membership)
        municipality_ids = {m.municipality_id for rows in self._memberships.values() for m in rows}
        targets = Target.objects.filter(indicator__in=indicator_ids, year__in=years).filter(
            Q(level=Level.NATIONAL)
            | Q(level=Level.COUNTY, county__in=county_ids)
            | Q(level=Level.MUNICIPALITY, municipality__in=municipality_ids)
            | Q(level=Level.OFFICE, office__in=office_ids)
        )
        for target in targets:
            unit = target.county_id or target.municipality_id or target.office_id
            key = (target.indicator_id, target.level, unit, target.year, target.month)
            self._by_key[key] = target

    def municipalities_of(self, office_id: int, period: datetime.date) -> list[int]:
        """The municipalities the office served in the month, the host (or lowest) first."""
        last = month_end(period)
        return [
            m.municipality_id
            for m in self._memberships.get(office_id, [])
            if m.valid_from <= last and (m.valid_to is None or m.valid_to >= period)
        ]

    def get(self, office, indicator, period: datetime.date) -> AppliedTarget | None:
        office = self.offices[getattr(office, "pk", office)]
        indicator_id = getattr(indicator, "pk", indicator)
        units = [(Level.OFFICE, office.pk)]
        units += [(Level.MUNICIPALITY, m) for m in self.municipalities_of(office.pk, period)]
        units += [(Level.COUNTY, office.county_id), (Level.NATIONAL, None)]
        for level, unit in units:
            for month in (period.month, None):
                target = self._by_key.get((indicator_id, level, unit, period.year, month))
                if target is not None:
                    return AppliedTarget(target.value, target.tolerance, level, target.pk)
        return None


def applied_target(office: Office, indicator, period: datetime.date) -> AppliedTarget | None:
    """The target for one office, indicator and month (two queries)."""
    return TargetResolver([office], [indicator], [period]).get(office, indicator, period)
