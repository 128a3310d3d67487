"""Reads of the scorecard, for pages, the dashboard, the API and the PDF alike.

``scorecards_for(user, offices, period)`` builds each office's card for a month as this user
may see it (DESIGN.md rule 7):

* a value, its target and its live status where the user may view the indicator's side of the
  office — or the indicator is ``shared`` and they may view the office's joint data;
* otherwise, once the leader has submitted the month, only the status from the joint summary
  (``ScorecardLine``), with no value; before that, nothing but the indicator's name;
* an indicator of a side the user may not see and no joint view — nothing at all.

It costs the same dozen queries whatever the number of offices and months (tests pin it).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q

from navpartner.sidedata import Side
from offices.models import Office, OfficeMunicipality
from scorecards.models import (
    ActionPlan,
    ActionPlanStatus,
    Indicator,
    Level,
    Measurement,
    Perspective,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    Status,
)
from scorecards.periods import add_months, is_overdue, month_end, months_back, reporting_deadline
from scorecards.status import compute_status
from scorecards.targets import AppliedTarget, TargetResolver

TREND_MONTHS = 12


def indicators_for_offices(
    offices: Iterable[Office], period: datetime.date
) -> dict[int, list[Indicator]]:
    """Each office's indicators in the month: national ones, its county's, and those of the
    municipalities it served that month. Two queries."""
    offices = list(offices)
    last = month_end(period)
    served: dict[int, set[int]] = defaultdict(set)
    memberships = OfficeMunicipality.objects.filter(
        office__in=offices, valid_from__lte=last
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period))
    for office_id, municipality_id in memberships.values_list("office", "municipality"):
        served[office_id].add(municipality_id)
    municipalities = set().union(*served.values()) if served else set()
    indicators = list(
        Indicator.objects.valid_in(period).filter(
            Q(scope=Level.NATIONAL)
            | Q(scope=Level.COUNTY, county__in={o.county_id for o in offices})
            | Q(scope=Level.MUNICIPALITY, municipality__in=municipalities)
        )
    )
    result = {}
    for office in offices:
        result[office.pk] = [
            indicator
            for indicator in indicators
            if indicator.scope == Level.NATIONAL
            or (indicator.scope == Level.COUNTY and indicator.county_id == office.county_id)
            or (
                indicator.scope == Level.MUNICIPALITY
                and indicator.municipality_id in served[office.pk]
            )
        ]
    return result


@dataclass
class CardLine:
    """One indicator on an office's card for a month, as one user may see it."""

    indicator: Indicator
    value_visible: bool
    value: Decimal | None = None
    target: AppliedTarget | None = None
    status: str | None = None  # None: not known to this user (not submitted, other line)
    trend: list[tuple[datetime.date, Decimal | None]] = field(default_factory=list)
    trend_targets: list[Decimal | None] = field(default_factory=list)
    status_trend: list[tuple[datetime.date, str | None]] = field(default_factory=list)
    measurement: Measurement | None = None
    missing_reason: str = ""
    comment: str = ""
    action_plan: ActionPlan | None = None

    @property
    def side(self) -> str:
        return self.indicator.side

    @property
    def is_missed(self) -> bool:
        return self.status == Status.MISSED

    @property
    def needs_action_plan(self) -> bool:
        return self.is_missed and self.action_plan is None


@dataclass
class Card:
    office: Office
    period: datetime.date
    scorecard: Scorecard | None
    lines: list[CardLine]
    reviews: list[ScorecardReview] = field(default_factory=list)

    @property
    def is_submitted(self) -> bool:
        return self.scorecard is not None and self.scorecard.is_submitted

    @property
    def deadline(self) -> datetime.date:
        return reporting_deadline(self.period)

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.period, submitted=self.is_submitted)

    def by_perspective(self, side: str | None = None) -> list[tuple[str, str, list[CardLine]]]:
        """``(perspective, label, lines)`` in the card's order, empty perspectives left out."""
        groups = []
        for perspective in Perspective:
            lines = [
                line
                for line in self.lines
                if line.indicator.perspective == perspective and (side is None or line.side == side)
            ]
            if lines:
                groups.append((perspective.value, perspective.label, lines))
        return groups

    def sides(self) -> list[tuple[str, str, list[CardLine]]]:
        return [
            (side.value, side.label, [line for line in self.lines if line.side == side])
            for side in (Side.STATE, Side.MUNICIPAL)
            if any(line.side == side for line in self.lines)
        ]

    def summary(self, side: str | None = None) -> dict[str, int]:
        """How many of the (side's) lines have each status, over the statuses known."""
        counts = {status.value: 0 for status in Status}
        for line in self.lines:
            if line.status and (side is None or line.side == side):
                counts[line.status] += 1
        return counts

    @property
    def missing_values(self) -> list[CardLine]:
        return [line for line in self.lines if line.value_visible and line.value is None]

    @property
    def missed(self) -> list[CardLine]:
        return [line for line in self.lines if line.is_missed]


class _Summary(NamedTuple):
    """A submitted ``ScorecardLine``'s fields that a card shows."""

    status: str
    missing_reason: str
    comment: str


def scorecards_for(
    user, offices: Iterable[Office], period: datetime.date, *, trend_months: int = TREND_MONTHS
) -> dict[int, Card]:
    """Each office's card for ``period`` as ``user`` may see it (the module's rules)."""
    from users import access

    offices = list(offices)
    if not offices:
        return {}
    permissions = access.side_permissions(user, offices=offices)
    indicators = indicators_for_offices(offices, period)
    all_indicators = {i.pk: i for rows in indicators.values() for i in rows}
    months = months_back(period, trend_months)
    resolver = TargetResolver(offices, all_indicators.values(), months)
    values: dict[tuple[int, int], dict[datetime.date, Measurement]] = defaultdict(dict)
    measurements = list(
        Measurement.objects.visible_to(user)
        .filter(
            office__in=offices,
            indicator__in=list(all_indicators),
            period__gte=months[0],
            period__lte=period,
        )
        .select_related("updated_by")
    )
    access.record_delegated_reads(user, [m for m in measurements if m.period == period])
    for measurement in measurements:
        values[(measurement.office_id, measurement.indicator_id)][measurement.period] = measurement
    scorecards = {
        s.office_id: s
        for s in Scorecard.objects.visible_to(user).filter(office__in=offices, period=period)
    }
    summary: dict[tuple[int, int], dict[datetime.date, _Summary]] = defaultdict(dict)
    lines = ScorecardLine.objects.visible_to(user).filter(
        scorecard__office__in=offices,
        scorecard__period__gte=months[0],
        scorecard__period__lte=period,
        scorecard__status="submitted",
    )
    # Plain tuples, not model instances: a county's year of summaries is tens of thousands of
    # lines, and only these four fields are read (national data set: a third of the page time).
    for office_id, indicator_id, line_period, *fields in lines.values_list(
        "scorecard__office", "indicator", "scorecard__period", "status", "missing_reason", "comment"
    ):
        summary[(office_id, indicator_id)][line_period] = _Summary(*fields)
    reviews = defaultdict(list)
    for review in (
        ScorecardReview.objects.visible_to(user)
        .filter(scorecard__in=[s.pk for s in scorecards.values()])
        .select_related("reviewed_by")
    ):
        reviews[review.scorecard_id].append(review)
    plans = {
        (plan.office_id, plan.indicator_id): plan
        for plan in ActionPlan.objects.visible_to(user).filter(
            office__in=offices, status=ActionPlanStatus.OPEN
        )
    }
    cards = {}
    for office in offices:
        joint = permissions.allows("view", office, Side.JOINT)
        card_lines = []
        for indicator in indicators[office.pk]:
            sees_values = permissions.views_values(office, indicator.side, shared=indicator.shared)
            if not sees_values and not joint:
                continue
            line = _card_line(
                office,
                indicator,
                period,
                months,
                resolver,
                values.get((office.pk, indicator.pk), {}),
                summary.get((office.pk, indicator.pk), {}),
                sees_values,
            )
            line.action_plan = plans.get((office.pk, indicator.pk)) if joint else None
            card_lines.append(line)
        scorecard = scorecards.get(office.pk)
        cards[office.pk] = Card(
            office=office,
            period=period,
            scorecard=scorecard,
            lines=card_lines,
            reviews=reviews.get(scorecard.pk, []) if scorecard else [],
        )
    return cards


def _card_line(office, indicator, period, months, resolver, values, summary, sees_values):
    submitted = summary.get(period)
    line = CardLine(indicator=indicator, value_visible=sees_values)
    if submitted is not None:
        line.status = submitted.status
        line.missing_reason = submitted.missing_reason
        line.comment = submitted.comment
    if sees_values:
        measurement = values.get(period)
        line.measurement = measurement
        line.value = measurement.value if measurement else None
        line.target = resolver.get(office, indicator, period)
        if submitted is None:
            line.status = _status(indicator, line.value, line.target)
        for month in months:
            if not indicator.is_valid_in(month):
                continue
            month_value = values.get(month)
            target = resolver.get(office, indicator, month)
            line.trend.append((month, month_value.value if month_value else None))
            line.trend_targets.append(target.value if target else None)
    line.status_trend = [
        (month, summary[month].status if month in summary else None) for month in months
    ]
    return line


def _status(indicator, value, target) -> str:
    return compute_status(
        value,
        target.value if target else None,
        tolerance=target.tolerance if target else Decimal(0),
        direction=indicator.direction,
        decimals=indicator.decimals,
    )


def scorecard_card(user, office: Office, period: datetime.date) -> Card:
    return scorecards_for(user, [office], period)[office.pk]


def previous_periods(period: datetime.date, count: int = 12) -> list[datetime.date]:
    return [add_months(period, -offset) for offset in range(count)]
