"""Reads across offices for one indicator: the comparison ("learn from each other", 001 §5.4.2),
the group tables (the KVP outcomes of 2010) and one office's history of an indicator.

Each honours DESIGN.md rule 7 the way ``scorecards/selectors.py`` does: an office's values are
read only where the user may view the indicator's side of that office, or the indicator is
``shared`` and they may view the office's joint data. An office whose values the user may not
see is left out of a ranking and a table — not shown with empty cells — so nothing tells which
offices did better on the other side. Every function costs the same few queries whatever the
number of offices (tests pin it).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from navpartner.sidedata import Side
from offices.models import Office
from scorecards.models import Direction, Indicator, Measurement, ScorecardLine
from scorecards.periods import months_back
from scorecards.selectors import indicators_for_offices
from scorecards.status import compute_status, rounded
from scorecards.targets import AppliedTarget, TargetResolver

HISTORY_MONTHS = 24
BEST_COUNT = 3


def value_offices(permissions, indicator: Indicator) -> set[int]:
    """Ids of the offices whose values of ``indicator`` the permissions open (no query)."""
    return permissions.value_offices(indicator.side, shared=indicator.shared)


def own_office_ids(user) -> set[int]:
    """The offices ``user`` works at or leads (their office roles in force; one query)."""
    from users.access import is_signed_in
    from users.models import RoleAssignment

    if not is_signed_in(user):
        return set()
    return set(
        RoleAssignment.objects.active()
        .filter(user=user, office__isnull=False)
        .values_list("office", flat=True)
    )


def applying(offices: list[Office], indicators: list[Indicator], period) -> list[Office]:
    """The offices at least one of ``indicators`` applies to in the month (two queries)."""
    wanted = {indicator.pk for indicator in indicators}
    applies = indicators_for_offices(offices, period)
    return [
        office
        for office in offices
        if any(indicator.pk in wanted for indicator in applies.get(office.pk, []))
    ]


# --- Comparison ---------------------------------------------------------------------------------


@dataclass
class RankedOffice:
    office: Office
    value: Decimal | None
    target: AppliedTarget | None
    status: str
    rank: int | None  # None: no value this month
    is_own: bool


@dataclass
class Comparison:
    indicator: Indicator
    period: datetime.date
    rows: list[RankedOffice]
    values_shared: bool  # False: the user sees no office's values of this indicator

    @property
    def best(self) -> list[RankedOffice]:
        """The best performers: the offices ranked in the top ``BEST_COUNT`` places."""
        return [row for row in self.rows if row.rank is not None and row.rank <= BEST_COUNT]


def rank_values(
    values: list[tuple[object, Decimal | None]], direction: str, decimals: int = 0
) -> list[tuple[object, int | None]]:
    """Standard competition ranking ("1, 1, 3") of ``(key, value)`` pairs, best first by
    ``direction``, comparing values as shown (rounded to ``decimals``); no value last, unranked.
    The input order breaks ties (callers pass offices by name)."""
    present = [
        (key, rounded(Decimal(value), decimals)) for key, value in values if value is not None
    ]
    present.sort(key=lambda pair: pair[1], reverse=direction == Direction.HIGHER)
    ranked: list[tuple[object, int | None]] = []
    previous, rank = None, 0
    for position, (key, value) in enumerate(present, start=1):
        if value != previous:
            rank, previous = position, value
        ranked.append((key, rank))
    ranked += [(key, None) for key, value in values if value is None]
    return ranked


def compare(user, indicator: Indicator, period: datetime.date) -> Comparison:
    """The offices whose values of ``indicator`` the user may see, ranked by the month's result.

    Offices the indicator does not apply to in the month are left out; an office without a
    value comes last, unranked, with the status "missing".
    """
    from users import access

    permissions = access.side_permissions(user)
    office_ids = value_offices(permissions, indicator)
    if not office_ids:
        return Comparison(indicator, period, [], values_shared=False)
    offices = applying(list(Office.objects.filter(pk__in=office_ids)), [indicator], period)
    measurements = {
        m.office_id: m
        for m in Measurement.objects.visible_to(user).filter(
            indicator=indicator, period=period, office__in=[o.pk for o in offices]
        )
    }
    access.record_delegated_reads(user, measurements.values())
    resolver = TargetResolver(offices, [indicator], [period])
    own = own_office_ids(user)
    by_id = {office.pk: office for office in offices}
    ranking = rank_values(
        [
            (office.pk, measurements[office.pk].value if office.pk in measurements else None)
            for office in offices
        ],
        indicator.direction,
        indicator.decimals,
    )
    rows = []
    for office_id, rank in ranking:
        office = by_id[office_id]
        measurement = measurements.get(office_id)
        target = resolver.get(office, indicator, period)
        value = measurement.value if measurement else None
        rows.append(
            RankedOffice(
                office=office,
                value=value,
                target=target,
                status=_status(indicator, value, target),
                rank=rank,
                is_own=office_id in own,
            )
        )
    return Comparison(indicator, period, rows, values_shared=True)


def _status(indicator: Indicator, value, target: AppliedTarget | None) -> str:
    return compute_status(
        value,
        target.value if target else None,
        tolerance=target.tolerance if target else Decimal(0),
        direction=indicator.direction,
        decimals=indicator.decimals,
    )


# --- Group tables -------------------------------------------------------------------------------


@dataclass
class GroupTable:
    group: str
    period: datetime.date
    indicators: list[Indicator]
    offices: list[Office]
    # values[indicator id][office id]; a missing key: no value that month
    values: dict[int, dict[int, Decimal]] = field(default_factory=dict)

    def rows(self) -> list[tuple[Indicator, list[Decimal | None]]]:
        return [
            (
                indicator,
                [self.values.get(indicator.pk, {}).get(office.pk) for office in self.offices],
            )
            for indicator in self.indicators
        ]

    @property
    def sources(self) -> list[str]:
        return sorted({indicator.source for indicator in self.indicators if indicator.source})


def group_table(
    user,
    indicators: list[Indicator],
    period: datetime.date,
    *,
    office_codes: list[str] | None = None,
    group: str = "",
) -> GroupTable:
    """The group's indicators (rows) × the offices whose values the user may see (columns).

    Columns are the offices some indicator of the group applies to in the month, or that have
    a value of it; ordered by name, or as ``office_codes`` orders them (then only those).
    """
    from users import access

    permissions = access.side_permissions(user)
    office_ids = (
        set().union(*(value_offices(permissions, i) for i in indicators)) if indicators else set()
    )
    if office_codes is not None:
        candidates = list(Office.objects.filter(pk__in=office_ids, code__in=office_codes))
    else:
        candidates = list(Office.objects.filter(pk__in=office_ids))
    measurements = list(
        Measurement.objects.visible_to(user).filter(
            indicator__in=[i.pk for i in indicators],
            period=period,
            office__in=[o.pk for o in candidates],
        )
    )
    access.record_delegated_reads(user, measurements)
    values: dict[int, dict[int, Decimal]] = {}
    with_values = set()
    for measurement in measurements:
        values.setdefault(measurement.indicator_id, {})[measurement.office_id] = measurement.value
        with_values.add(measurement.office_id)
    applies = {office.pk for office in applying(candidates, indicators, period)}
    offices = [o for o in candidates if o.pk in applies or o.pk in with_values]
    if office_codes is not None:
        order = {code: index for index, code in enumerate(office_codes)}
        offices.sort(key=lambda office: order[office.code])
    else:
        offices.sort(key=lambda office: office.name)
    return GroupTable(group, period, indicators, offices, values)


# --- One office's history of an indicator ------------------------------------------------------


@dataclass
class HistoryMonth:
    period: datetime.date
    value: Decimal | None
    applied: AppliedTarget | None
    status: str | None  # None: not known to this user (not submitted, no values)

    @property
    def target(self) -> Decimal | None:
        return self.applied.value if self.applied else None


@dataclass
class OfficeHistory:
    office: Office
    indicator: Indicator
    values_visible: bool
    months: list[HistoryMonth]

    @property
    def points(self) -> list[tuple[datetime.date, Decimal | None]]:
        return [(month.period, month.value) for month in self.months]

    @property
    def targets(self) -> list[Decimal | None]:
        return [month.target for month in self.months]

    @property
    def latest_target(self) -> AppliedTarget | None:
        return next((m.applied for m in reversed(self.months) if m.applied), None)

    @property
    def tolerance(self) -> Decimal | None:
        """The latest target's tolerance band, drawn along the chart's target line."""
        latest = self.latest_target
        return latest.tolerance if latest else None

    @property
    def has_values(self) -> bool:
        return any(month.value is not None for month in self.months)


def office_history(
    user, office: Office, indicator: Indicator, period: datetime.date, *, months=HISTORY_MONTHS
) -> OfficeHistory | None:
    """The office's months of ``indicator`` up to ``period`` as the user may see them: values,
    targets and statuses where they see the values; else the statuses of the submitted months
    (the joint summary); ``None`` where they see neither."""
    from users import access

    permissions = access.side_permissions(user, offices=[office])
    joint = permissions.allows(access.VIEW, office, Side.JOINT)
    sees_values = permissions.allows(access.VIEW, office, indicator.side) or (
        indicator.shared and joint
    )
    if not sees_values and not joint:
        return None
    periods = [month for month in months_back(period, months) if indicator.is_valid_in(month)]
    submitted = {
        line.scorecard.period: line.status
        for line in ScorecardLine.objects.visible_to(user)
        .filter(
            scorecard__office=office,
            indicator=indicator,
            scorecard__status="submitted",
            scorecard__period__in=periods,
        )
        .select_related("scorecard")
    }
    rows = []
    if sees_values:
        measurements = {
            m.period: m
            for m in Measurement.objects.visible_to(user).filter(
                office=office, indicator=indicator, period__in=periods
            )
        }
        access.record_delegated_reads(user, measurements.values())
        resolver = TargetResolver([office], [indicator], periods)
        for month in periods:
            measurement = measurements.get(month)
            value = measurement.value if measurement else None
            target = resolver.get(office, indicator, month)
            status = submitted.get(month) or _status(indicator, value, target)
            rows.append(HistoryMonth(month, value, target, status))
    else:
        rows = [HistoryMonth(month, None, None, submitted.get(month)) for month in periods]
    return OfficeHistory(office, indicator, sees_values, rows)


__all__ = [
    "Comparison",
    "GroupTable",
    "OfficeHistory",
    "RankedOffice",
    "compare",
    "group_table",
    "office_history",
    "own_office_ids",
    "rank_values",
    "value_offices",
]
