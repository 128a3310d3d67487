"""``scorecards_for`` costs the same number of queries whatever the number of offices and
months of data (issue 10: "query counts … constant in the number of offices and months")."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import (
    ActionPlan,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    ScorecardStatus,
    Status,
)
from scorecards.periods import add_months, format_period, months_back
from scorecards.selectors import scorecards_for
from tests.scorecards.conftest import TRONDHEIM_OFFICES, new_indicator, new_target, quiet_month

pytestmark = pytest.mark.django_db

PERIOD = quiet_month()


@pytest.fixture
def data(demo_data, offices, people):
    trondheim = [offices[code] for code in TRONDHEIM_OFFICES]
    indicators = [new_indicator(side=side) for side in ("state", "municipal") for _ in range(3)]
    indicators.append(new_indicator(side="state", shared=True))
    for indicator in indicators:
        new_target(indicator, 50, year=PERIOD.year, tolerance=5)
        new_target(indicator, 40, year=PERIOD.year - 1)
        new_target(indicator, 60, year=PERIOD.year - 2, month=6)

    def fill(months):
        for side, writer in (
            ("state", "fylkesdirektor.trondelag"),
            ("municipal", "radmann.trondheim"),
        ):
            rows = [
                MeasurementRow(
                    len(months) * 100, office.code, i.code, format_period(month), Decimal(45)
                )
                for month in months
                for office in trondheim
                for i in indicators
                if i.side == side
            ]
            for n, row in enumerate(rows):
                row.line = n + 1
            record_measurements(user=people[writer], rows=rows, source="import")
        for month in months:
            for office in trondheim:
                scorecard = Scorecard.objects.create(
                    office=office,
                    period=month,
                    status=ScorecardStatus.SUBMITTED,
                    submitted_by=people["leder.heimdal"],
                    submitted_at=timezone.now(),
                )
                ScorecardLine.objects.bulk_create(
                    ScorecardLine(scorecard=scorecard, indicator=i, status=Status.CLOSE)
                    for i in indicators
                )
                ScorecardReview.objects.create(
                    scorecard=scorecard,
                    side="state",
                    reviewed_by=people["fylkesdirektor.trondelag"],
                    reviewed_at=timezone.now(),
                )
        for office in trondheim:
            ActionPlan.objects.get_or_create(
                office=office,
                indicator=indicators[0],
                status="open",
                defaults={"period": months[-1], "analysis": "a"},
            )

    return trondheim, fill


def queries(user, offices) -> int:
    scorecards_for(user, offices, PERIOD)  # warm caches (content types and the like)
    with CaptureQueriesContext(connection) as captured:
        cards = scorecards_for(user, offices, PERIOD)
    assert len(cards) == len(offices)
    return len(captured)


@pytest.mark.parametrize(
    "username", ["leder.heimdal", "radmann.trondheim", "fylkesdirektor.trondelag"]
)
def test_constant_in_offices_and_months(data, people, username):
    user = people[username]
    trondheim, fill = data
    fill([PERIOD])
    one_month = {n: queries(user, trondheim[:n]) for n in (1, 4)}
    fill(months_back(add_months(PERIOD, -1), 23))
    all_months = {n: queries(user, trondheim[:n]) for n in (1, 4)}
    assert one_month[1] == one_month[4] == all_months[1] == all_months[4], (one_month, all_months)
    # The cards did carry the data: a trend of 12 months for the values the user sees.
    card = scorecards_for(user, trondheim[:1], PERIOD)[trondheim[0].pk]
    seen = [
        line for line in card.lines if line.value_visible and line.indicator.code.startswith("t-")
    ]
    assert seen and all(len([v for _m, v in line.trend if v is not None]) == 12 for line in seen)


def test_a_delegated_reader_costs_the_same_too(data, people):
    """stat.heimdal reads municipal values through a delegation: the audit of those reads is
    one query for the lookup and one event per office and side, not per value."""
    trondheim, fill = data
    fill([PERIOD])
    user = people["stat.heimdal"]
    one = queries(user, trondheim[:1])
    fill(months_back(add_months(PERIOD, -1), 23))
    assert queries(user, trondheim[:1]) == one
    assert queries(user, trondheim) == one
