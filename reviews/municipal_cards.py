"""The offices' cards for the review pages, read lean: ``scorecards_for``'s rules, its rows as
tuples.

``scorecards.selectors.scorecards_for`` builds every row it reads as a model instance — the
thirteen months of measurements with their writers, the summary lines with their scorecards.
For the municipal review of Oslo (15 offices × ~40 indicators × 13 months) that is some 15 000
instances and over a second of the request, for a page that shows numbers and statuses. This
module answers the same question through the same policy — ``Measurement.objects.visible_to``,
``ScorecardLine.objects.visible_to``, ``SidePermissions.views_values`` and the joint view,
exactly as ``scorecards_for`` asks them — and returns the same ``Card`` and ``CardLine``
objects, but reads the history as ``values_list`` tuples and instances only for the month
shown (whose reads through a delegation are audited, as ``scorecards_for`` audits them).

What it leaves out, because the review pages do not show it: each month's target in the trend
(``trend_targets``; the sparkline draws the month's target) and the month's measurement
comment. ``tests/reviews/test_municipal_cards.py`` holds it to ``scorecards_for``'s answer for
readers of every kind.
"""

import datetime
from collections import defaultdict

from navpartner.sidedata import Side
from scorecards.models import (
    ActionPlan,
    ActionPlanStatus,
    Measurement,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    ScorecardStatus,
)
from scorecards.periods import months_back
from scorecards.selectors import TREND_MONTHS, Card, CardLine, _status, indicators_for_offices
from scorecards.targets import TargetResolver
from users import access


def review_cards(
    user, offices, period: datetime.date, *, trend_months: int = TREND_MONTHS
) -> dict[int, Card]:
    """Each office's card for ``period`` as ``user`` may see it (``scorecards_for``'s rules),
    with ``trend_months`` of values and statuses; a constant number of queries."""
    offices = list(offices)
    if not offices:
        return {}
    permissions = access.side_permissions(user, offices=offices)
    indicators = indicators_for_offices(offices, period)
    all_indicators = {i.pk: i for rows in indicators.values() for i in rows}
    months = months_back(period, trend_months)
    office_ids = [office.pk for office in offices]
    resolver = TargetResolver(offices, all_indicators.values(), [period])

    visible = Measurement.objects.visible_to(user).filter(
        office__in=office_ids, indicator__in=list(all_indicators)
    )
    current = {(m.office_id, m.indicator_id): m for m in visible.filter(period=period)}
    access.record_delegated_reads(user, list(current.values()))
    history: dict[tuple[int, int], dict[datetime.date, object]] = defaultdict(dict)
    for office_id, indicator_id, month, value in visible.filter(
        period__gte=months[0], period__lt=period
    ).values_list("office", "indicator", "period", "value"):
        history[(office_id, indicator_id)][month] = value

    scorecards = {
        s.office_id: s
        for s in Scorecard.objects.visible_to(user)
        .filter(office__in=office_ids, period=period)
        .select_related("submitted_by")
    }
    summary: dict[tuple[int, int], dict[datetime.date, tuple]] = defaultdict(dict)
    for office_id, indicator_id, month, status, reason, comment in (
        ScorecardLine.objects.visible_to(user)
        .filter(
            scorecard__office__in=office_ids,
            scorecard__period__gte=months[0],
            scorecard__period__lte=period,
            scorecard__status=ScorecardStatus.SUBMITTED,
        )
        .values_list(
            "scorecard__office",
            "indicator",
            "scorecard__period",
            "status",
            "missing_reason",
            "comment",
        )
    ):
        summary[(office_id, indicator_id)][month] = (status, reason, comment)
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
            office__in=office_ids, status=ActionPlanStatus.OPEN
        )
    }

    cards = {}
    for office in offices:
        joint = permissions.allows(access.VIEW, office, Side.JOINT)
        lines = []
        for indicator in indicators[office.pk]:
            sees_values = permissions.views_values(office, indicator.side, shared=indicator.shared)
            if not sees_values and not joint:
                continue
            key = (office.pk, indicator.pk)
            statuses = summary.get(key, {})
            line = CardLine(indicator=indicator, value_visible=sees_values)
            submitted = statuses.get(period)
            if submitted is not None:
                line.status, line.missing_reason, line.comment = submitted
            if sees_values:
                measurement = current.get(key)
                line.measurement = measurement
                line.value = measurement.value if measurement else None
                line.target = resolver.get(office, indicator, period)
                if submitted is None:
                    line.status = _status(indicator, line.value, line.target)
                values = history.get(key, {})
                line.trend = [
                    (month, line.value if month == period else values.get(month))
                    for month in months
                    if indicator.is_valid_in(month)
                ]
            line.status_trend = [
                (month, statuses[month][0] if month in statuses else None) for month in months
            ]
            line.action_plan = plans.get(key) if joint else None
            lines.append(line)
        scorecard = scorecards.get(office.pk)
        cards[office.pk] = Card(
            office=office,
            period=period,
            scorecard=scorecard,
            lines=lines,
            reviews=reviews.get(scorecard.pk, []) if scorecard else [],
        )
    return cards
