"""``reviews.municipal_cards.review_cards`` gives what ``scorecards_for`` gives — the same lines,
values, targets, statuses, trends and plans for every kind of reader (rule 7) — while reading
the history as tuples."""

import pytest

from offices.models import Office
from reviews.municipal_cards import review_cards
from scorecards.periods import add_months, reporting_month
from scorecards.selectors import scorecards_for
from users.models import User

pytestmark = pytest.mark.django_db

READERS = [
    "radmann.trondheim",
    "fylkesdirektor.trondelag",
    "leder.heimdal",
    "stat.heimdal",
    "kommune.heimdal",
    "kommune.lerkendal",
    "radmann.fauske",
]


def summary(cards):
    return {
        office_id: (
            card.scorecard.pk if card.scorecard else None,
            sorted(review.pk for review in card.reviews),
            [
                (
                    line.indicator.code,
                    line.value_visible,
                    line.value,
                    line.target.value if line.target else None,
                    line.status,
                    line.missing_reason,
                    line.comment,
                    line.trend,
                    line.status_trend,
                    line.action_plan.pk if line.action_plan else None,
                )
                for line in card.lines
            ],
        )
        for office_id, card in cards.items()
    }


@pytest.mark.parametrize("username", READERS)
@pytest.mark.parametrize("back", [0, 1, 5])
def test_the_lean_cards_are_scorecards_for(demo_data, username, back):
    user = User.objects.get(username=username)
    offices = list(
        Office.objects.filter(
            code__in=["heimdal", "lerkendal", "midtbyen", "ostbyen", "indre-salten"]
        ).select_related("county")
    )
    period = add_months(reporting_month(), -back)
    assert summary(review_cards(user, offices, period)) == summary(
        scorecards_for(user, offices, period)
    )
